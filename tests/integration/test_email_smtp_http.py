"""SMTP receiver and POST /v1/email/raw against a real Kafka broker."""

import asyncio
import smtplib
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.email.config import EmailConfig
from connectors.email.connector import EmailConnector
from connectors.email.smtp import start_smtp
from intake import serde
from intake.complete import Completer
from intake.errors import KafkaUnavailable
from intake.http.app import build_app, kafka_context
from intake.identity import IdentityKeyer
from intake.message import Message
from intake.publisher import Ack
from intake.settings import KafkaSettings
from intake.sink import Sink, open_sink
from intake.topics import Topics
from tests.integration.app_harness import AUTH, intake_settings
from tests.integration.kafka_helpers import read_records

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "email"
SECRET = b"integration-identity-secret-0000"


def sendmail(port: int, raw: bytes) -> None:
    """What an MTA or application does; raises SMTPDataError on a refused DATA."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("customer@example.org", ["support@shop.example"], raw)


def send_raw(port: int, raw: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        client.mail("customer@example.org")
        client.rcpt("support@shop.example")
        return client.data(raw)


async def smtp_port(sink: Sink) -> tuple[asyncio.Server, int]:
    server = await start_smtp(EmailConnector(EmailConfig()), sink, host="127.0.0.1", port=0)
    return server, server.sockets[0].getsockname()[1]


async def test_smtp_mail_lands_on_the_intake_topic(kafka_settings: KafkaSettings) -> None:
    raw = (FIXTURES / "gbk_labelled_gb2312.eml").read_bytes()
    async with open_sink(kafka_settings, name="email-smtp-it", identity_secret=SECRET) as sink:
        server, port = await smtp_port(sink)
        try:
            code, reply = await asyncio.to_thread(send_raw, port, raw)
        finally:
            server.close()
            await server.wait_closed()
    assert code == 250, reply
    topic = Topics(kafka_settings.topic_prefix).intake("email")
    [record] = await read_records(kafka_settings, [topic], 1, timeout_s=30, settle_s=1)
    message = serde.loads(Message, record.value)
    assert message.id.encode() in reply
    assert message.channel_message_id == "<gbk-0001@mail.example.cn>"
    assert message.customer.order_numbers == ("CN2024030188",)
    assert message.source == "email-smtp"


class BrokenPublisher:
    """A publisher whose Kafka never acknowledges."""

    async def publish(self, messages: list[Message]) -> list[Ack]:
        raise KafkaUnavailable("Kafka did not acknowledge: KafkaTimeoutError")

    async def publish_deadletter(self, record: object) -> None:
        raise KafkaUnavailable("deadletter not acknowledged")


async def test_smtp_answers_4xx_when_kafka_is_down() -> None:
    keyer = IdentityKeyer(SECRET)
    sink = Sink(Completer(keyer), BrokenPublisher())  # type: ignore[arg-type]
    server, port = await smtp_port(sink)
    try:
        code, reply = await asyncio.to_thread(send_raw, port, (FIXTURES / "koi8r.eml").read_bytes())
        try:
            await asyncio.to_thread(sendmail, port, (FIXTURES / "koi8r.eml").read_bytes())
            raise AssertionError("sendmail should have raised")
        except smtplib.SMTPDataError as exc:
            assert 400 <= exc.smtp_code < 500
    finally:
        server.close()
        await server.wait_closed()
    assert code == 451
    assert b"4.3.0" in reply


async def test_raw_post_lands_on_the_topic_and_bad_mail_in_the_deadletter(
    kafka_settings: KafkaSettings,
) -> None:
    app = build_app(intake_settings(), kafka_context(kafka_settings), CollectorRegistry())
    app.router.add_routes(EmailConnector(EmailConfig()).routes())
    headers = AUTH | {"Content-Type": "message/rfc822"}
    async with TestClient(TestServer(app)) as client:
        good = (FIXTURES / "html_only.eml").read_bytes()
        resp = await client.post("/v1/email/raw", data=good, headers=headers)
        assert resp.status == 202
        accepted = (await resp.json())["accepted"][0]
        bad = (FIXTURES / "not_mail.bin").read_bytes()
        resp = await client.post("/v1/email/raw", data=bad, headers=headers)
        assert resp.status == 422
    topics = Topics(kafka_settings.topic_prefix)
    [record] = await read_records(kafka_settings, [topics.intake("email")], 1, settle_s=1)
    assert serde.loads(Message, record.value).id == accepted["id"]
    assert (record.partition, record.offset) == (accepted["partition"], accepted["offset"])
    [dead] = await read_records(kafka_settings, [topics.deadletter], 1, settle_s=1)
    value = serde.loads_obj(dead.value)
    assert value["reason_code"] == "not_mime"
    assert value["source"] == "email"
