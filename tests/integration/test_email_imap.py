"""IMAP reader against a real Dovecot (Debian dovecot-imapd) and a real Kafka broker."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from connectors.email.checkpoint import Checkpoint, Position
from connectors.email.config import EmailConfig
from connectors.email.connector import EmailConnector
from connectors.email.imap import ImapReader
from intake import serde
from intake.complete import Completer
from intake.errors import KafkaUnavailable
from intake.identity import IdentityKeyer
from intake.settings import KafkaSettings
from intake.sink import Sink, open_sink
from intake.topics import Topics
from tests.integration.kafka_helpers import read_records
from tests.integration.test_email_dovecot import (  # noqa: F401 - the fixture is used by name
    PASSWORD,
    USER,
    Dovecot,
    dovecot_server,
)

SECRET = b"integration-identity-secret-0000"


def mail(n: int) -> bytes:
    return (
        f"From: Customer {n} <c{n}@example.org>\r\nTo: support@shop.example\r\n"
        f"Subject: Re: order #ORD-{10000 + n}\r\nMessage-ID: <imap-{n}@example.org>\r\n"
        f"Date: Mon, 18 Mar 2024 10:00:00 +0000\r\n\r\nWhere is order ORD-{10000 + n}?\r\n"
    ).encode()


def reader(dovecot: Dovecot, state: Path, **overrides: object) -> EmailConnector:
    base = {"imap_port": dovecot.port, "imap_security": "none", "imap_user": USER}
    base |= {"imap_password": PASSWORD, "imap_checkpoint": state / "imap.json"}
    return EmailConnector(EmailConfig.model_validate(base | overrides))


async def topic_ids(settings: KafkaSettings, expect: int) -> list[str]:
    topic = Topics(settings.topic_prefix).intake("email")
    records = await read_records(settings, [topic], expect, timeout_s=30, settle_s=2)
    return [serde.loads_obj(r.value)["channel_message_id"] for r in records]


@contextlib.asynccontextmanager
async def running(email: EmailConnector, settings: KafkaSettings) -> AsyncIterator[ImapReader]:
    """The reader's real loop (IDLE), stopped by cancellation as a service stop would."""
    async with open_sink(settings, name="email-it", identity_secret=SECRET) as sink:
        imap = ImapReader(email, sink)
        task = asyncio.create_task(imap.run())
        try:
            yield imap
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def delivered(imap: ImapReader, n: int) -> None:
    for _ in range(400):  # up to 20 s
        if imap.delivered >= n:
            break
        await asyncio.sleep(0.05)
    assert imap.delivered == n


async def test_restart_neither_loses_nor_repeats(
    dovecot: Dovecot, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await asyncio.to_thread(dovecot.append, mail(1), mail(2), mail(3))
    async with running(reader(dovecot, tmp_path), kafka_settings) as imap:
        await delivered(imap, 3)
    await asyncio.to_thread(dovecot.append, mail(4), mail(5))
    async with running(reader(dovecot, tmp_path), kafka_settings) as imap:
        await delivered(imap, 2)
        await asyncio.to_thread(dovecot.append, mail(6))  # arrives while idling: IDLE push
        await delivered(imap, 3)
    ids = await topic_ids(kafka_settings, 6)
    assert sorted(ids) == [f"<imap-{n}@example.org>" for n in range(1, 7)]
    flags = await asyncio.to_thread(dovecot.flags)
    assert len(flags) == 6 and all(b"\\Seen" in f for f in flags)


async def test_reader_reconnects_when_the_server_restarts_during_idle(
    dovecot: Dovecot, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    async with running(reader(dovecot, tmp_path), kafka_settings) as imap:
        await asyncio.to_thread(dovecot.append, mail(1))
        await delivered(imap, 1)
        await asyncio.to_thread(dovecot.stop)  # the IDLE connection drops
        await asyncio.to_thread(dovecot.start)
        await asyncio.to_thread(dovecot.append, mail(2))
        await delivered(imap, 2)
    assert sorted(await topic_ids(kafka_settings, 2)) == [
        "<imap-1@example.org>",
        "<imap-2@example.org>",
    ]


async def test_uidvalidity_change_rescans_without_repeats(
    dovecot: Dovecot, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await asyncio.to_thread(dovecot.append, mail(1), mail(2))
    email = reader(dovecot, tmp_path, imap_flag="$Omniroute")
    async with open_sink(kafka_settings, name="email-it", identity_secret=SECRET) as sink:
        assert await ImapReader(email, sink).drain() == 2
        # Pretend the server rebuilt the mailbox: the UIDs are void, everything is re-scanned,
        # and the keyword we set keeps delivered mail from being delivered again.
        checkpoint = Checkpoint(tmp_path / "imap.json")
        saved = checkpoint.load("INBOX")
        assert saved is not None and saved.last_uid == 2
        checkpoint.save(Position("INBOX", saved.uidvalidity + 1, 99))
        await asyncio.to_thread(dovecot.append, mail(3))
        assert await ImapReader(email, sink).drain() == 1
    ids = await topic_ids(kafka_settings, 3)
    assert sorted(ids) == [f"<imap-{n}@example.org>" for n in (1, 2, 3)]


async def test_move_after_ack(
    dovecot: Dovecot, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await asyncio.to_thread(dovecot.append, mail(1), mail(2))
    email = reader(dovecot, tmp_path, imap_after_ack="move", imap_move_to="Done")
    async with open_sink(kafka_settings, name="email-it", identity_secret=SECRET) as sink:
        assert await ImapReader(email, sink).drain() == 2
    assert await asyncio.to_thread(dovecot.flags, "INBOX") == []
    assert len(await asyncio.to_thread(dovecot.flags, "Done")) == 2
    assert len(await topic_ids(kafka_settings, 2)) == 2


class DownPublisher:
    async def publish(self, messages: list[object]) -> list[object]:
        raise KafkaUnavailable("Kafka did not acknowledge: KafkaTimeoutError")


async def test_kafka_down_flags_nothing_and_loses_nothing(
    dovecot: Dovecot, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await asyncio.to_thread(dovecot.append, mail(1))
    email = reader(dovecot, tmp_path)
    broken = Sink(Completer(IdentityKeyer(SECRET)), DownPublisher())  # type: ignore[arg-type]
    task = asyncio.create_task(ImapReader(email, broken).run())
    await asyncio.sleep(1.5)  # a few failed attempts with backoff
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert [b"\\Seen" in f for f in await asyncio.to_thread(dovecot.flags)] == [False]
    saved = Checkpoint(tmp_path / "imap.json").load("INBOX")
    assert saved is not None and saved.last_uid == 0
    async with open_sink(kafka_settings, name="email-it", identity_secret=SECRET) as sink:
        assert await ImapReader(email, sink).drain() == 1
    assert await topic_ids(kafka_settings, 1) == ["<imap-1@example.org>"]
