"""The SMTP receiver against a real smtplib client (in-process server, in-memory Kafka)."""

import asyncio
import contextlib
import smtplib
from collections.abc import AsyncIterator

import pytest

from connectors.email.smtp import start_smtp
from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Channel
from intake.sink import Sink
from tests.unit.email_helpers import FIXTURES, connector
from tests.unit.fake_kafka import FakePublisher


def fake_sink(publisher: FakePublisher) -> Sink:
    return Sink(Completer(IdentityKeyer(b"unit-test-identity-secret")), publisher)  # type: ignore[arg-type]


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
async def port(publisher: FakePublisher) -> AsyncIterator[int]:
    sink = fake_sink(publisher)
    email = connector(smtp_max_bytes=20_000, smtp_recipient_domains=("shop.example",))
    server = await start_smtp(email, sink, host="127.0.0.1", port=0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def _send(port: int, raw: bytes, rcpt: str = "support@shop.example") -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("client.example")
        client.mail("customer@example.org")
        code, msg = client.rcpt(rcpt)
        if code != 250:
            return code, msg
        return client.data(raw)


async def test_250_only_after_the_message_is_published(port: int, publisher: FakePublisher) -> None:
    raw = (FIXTURES / "gbk_labelled_gb2312.eml").read_bytes()
    code, msg = await asyncio.to_thread(_send, port, raw)
    assert code == 250
    [message] = publisher.messages
    assert message.id.encode() in msg
    assert message.channel is Channel.EMAIL
    assert message.source == "email-smtp"
    assert message.metadata["ctx_envelope_from"] == "customer@example.org"
    assert message.metadata["ctx_envelope_to"] == "support@shop.example"
    assert "喆先生" in message.text


async def test_kafka_down_is_a_temporary_failure(port: int, publisher: FakePublisher) -> None:
    publisher.down = True
    raw = (FIXTURES / "koi8r.eml").read_bytes()
    code, msg = await asyncio.to_thread(_send, port, raw)
    assert code == 451
    assert b"4.3.0" in msg
    assert publisher.messages == []


async def test_oversized_mail_is_552(port: int, publisher: FakePublisher) -> None:
    raw = b"From: a@example.com\r\nSubject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 500
    code, _ = await asyncio.to_thread(_send, port, raw)
    assert code == 552
    assert publisher.messages == []


async def test_unknown_recipient_domain_is_refused(port: int, publisher: FakePublisher) -> None:
    raw = (FIXTURES / "koi8r.eml").read_bytes()
    code, _ = await asyncio.to_thread(_send, port, raw, "someone@elsewhere.example")
    assert code == 550


async def test_unparseable_mail_is_kept_in_the_deadletter(
    port: int, publisher: FakePublisher
) -> None:
    raw = b"no headers here, just words\r\nand more words\r\n"
    code, msg = await asyncio.to_thread(_send, port, raw)
    assert code == 250
    assert b"2.6.0" in msg
    assert publisher.messages == []
    assert len(publisher.deadletters) == 1


async def test_connector_run_serves_smtp_until_cancelled(publisher: FakePublisher) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    email = connector(smtp_enabled=True, smtp_port=free)
    task = asyncio.create_task(email.run(fake_sink(publisher)))
    try:
        for _ in range(100):  # wait until bound (bounded: 5 s)
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", free)) == 0:
                    break
            await asyncio.sleep(0.05)
        code, _ = await asyncio.to_thread(_send, free, (FIXTURES / "koi8r.eml").read_bytes())
        assert code == 250
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert len(publisher.messages) == 1


async def test_connector_run_with_nothing_enabled_returns(publisher: FakePublisher) -> None:
    await asyncio.wait_for(connector().run(fake_sink(publisher)), 5)
