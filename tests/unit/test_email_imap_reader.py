"""The IMAP reader's bookkeeping against an in-memory mailbox (Dovecot runs in integration)."""

import asyncio
import contextlib
from pathlib import Path

import pytest

from connectors.email import imap
from connectors.email.imap import ImapReader
from intake.complete import Completer
from intake.errors import KafkaUnavailable
from intake.identity import IdentityKeyer
from intake.sink import Sink
from tests.unit.email_helpers import connector
from tests.unit.fake_kafka import FakePublisher


class FakeMailbox:
    """Just the ImapSession methods the reader calls; a server without IDLE."""

    def __init__(self) -> None:
        self.mails: dict[int, bytes] = {}
        self.flags: dict[int, set[str]] = {}
        self.moved: dict[int, str] = {}
        self.validity = 7
        self.polls = 0

    def add(self, uid: int, message_id: str) -> None:
        self.mails[uid] = (
            f"From: c@example.org\r\nMessage-ID: <{message_id}>\r\n\r\nhi\r\n".encode()
        )

    async def open(self, config: object) -> "FakeMailbox":
        return self

    def has(self, capability: str) -> bool:
        return capability == "MOVE"

    async def select(self, mailbox: str) -> int:
        return self.validity

    async def create(self, mailbox: str) -> None:
        return None

    async def uids_after(self, last_uid: int, skip_keyword: str | None) -> list[int]:
        def skipped(uid: int) -> bool:
            return skip_keyword is not None and skip_keyword in self.flags.get(uid, set())

        return sorted(u for u in self.mails if u > last_uid and not skipped(u))

    async def fetch(self, uid: int) -> bytes | None:
        return self.mails.get(uid)

    async def flag(self, uid: int, flag: str) -> None:
        self.flags.setdefault(uid, set()).add(flag)

    async def move(self, uid: int, mailbox: str) -> None:
        self.moved[uid] = mailbox
        del self.mails[uid]

    async def wait_for_change(self, idle_timeout: float, poll_interval: float) -> None:
        self.polls += 1
        await asyncio.sleep(poll_interval)

    async def close(self) -> None:
        return None


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> FakeMailbox:
    box = FakeMailbox()
    monkeypatch.setattr(imap.ImapSession, "open", box.open)
    return box


def sink(publisher: FakePublisher) -> Sink:
    return Sink(Completer(IdentityKeyer(b"unit-test-identity-secret")), publisher)  # type: ignore[arg-type]


async def until(reader: ImapReader, n: int) -> None:
    for _ in range(200):
        if reader.delivered >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"delivered {reader.delivered}, wanted {n}")


async def test_polling_flags_and_checkpoints(mailbox: FakeMailbox, tmp_path: Path) -> None:
    publisher = FakePublisher()
    email = connector(imap_checkpoint=tmp_path / "cp.json", imap_poll_interval_s=0.01)
    reader = ImapReader(email, sink(publisher))
    mailbox.add(1, "a@x")
    task = asyncio.create_task(reader.run())
    try:
        await until(reader, 1)
        mailbox.add(2, "b@x")
        await until(reader, 2)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert mailbox.polls >= 1
    assert [m.channel_message_id for m in publisher.messages] == ["<a@x>", "<b@x>"]
    assert mailbox.flags == {1: {"\\Seen"}, 2: {"\\Seen"}}
    assert publisher.messages[0].metadata["ctx_imap_uid"] == "1"
    restarted = ImapReader(email, sink(publisher))
    assert await restarted.drain() == 0  # the checkpoint remembers uid 2


async def test_kafka_down_leaves_mail_for_the_next_try(
    mailbox: FakeMailbox, tmp_path: Path
) -> None:
    publisher = FakePublisher()
    publisher.down = True
    email = connector(imap_checkpoint=tmp_path / "cp.json")
    mailbox.add(1, "a@x")
    with pytest.raises(KafkaUnavailable):
        await ImapReader(email, sink(publisher)).drain()
    assert mailbox.flags == {}
    publisher.down = False
    assert await ImapReader(email, sink(publisher)).drain() == 1
    assert mailbox.flags == {1: {"\\Seen"}}


async def test_move_mode_and_unparseable_mail(mailbox: FakeMailbox, tmp_path: Path) -> None:
    publisher = FakePublisher()
    email = connector(
        imap_checkpoint=tmp_path / "cp.json", imap_after_ack="move", imap_move_to="Archive"
    )
    mailbox.add(1, "a@x")
    mailbox.mails[2] = b"\x00\x01 not mail"
    assert await ImapReader(email, sink(publisher)).drain() == 2
    assert mailbox.moved == {1: "Archive", 2: "Archive"}  # the deadletter keeps the bytes
    assert len(publisher.messages) == 1 and len(publisher.deadletters) == 1


async def test_uidvalidity_change_rescans_but_skips_our_keyword(
    mailbox: FakeMailbox, tmp_path: Path
) -> None:
    publisher = FakePublisher()
    email = connector(imap_checkpoint=tmp_path / "cp.json", imap_flag="$Omniroute")
    mailbox.add(5, "a@x")
    assert await ImapReader(email, sink(publisher)).drain() == 1
    mailbox.validity = 8
    mailbox.add(1, "new@x")  # renumbered mailbox: a new mail with a lower uid
    assert await ImapReader(email, sink(publisher)).drain() == 1
    assert [m.channel_message_id for m in publisher.messages] == ["<a@x>", "<new@x>"]
