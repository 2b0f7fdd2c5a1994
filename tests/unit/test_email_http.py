from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from intake.http.app import build_app
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from intake.message import Channel, MessageKind
from tests.unit.email_helpers import FIXTURES, connector
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context

TOKEN = "omr_email-provider-token-00000000000000000"
CHAT_ONLY = "omr_chat-only-token-000000000000000000000"
RFC822 = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
async def client(publisher: FakePublisher) -> AsyncIterator[TestClient[object, object]]:
    settings = IntakeSettings(
        max_body_bytes=200_000,
        retry_after_s=7,
        tokens=(
            TokenEntry(name="mailgun", sha256=hash_token(TOKEN)),
            TokenEntry(name="chat", sha256=hash_token(CHAT_ONLY), channels=(Channel.WEBCHAT,)),
        ),
    )
    app = build_app(settings, fake_kafka_context(publisher))
    app.router.add_routes(connector().routes())
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_raw_mail_is_accepted_after_publish(
    client: TestClient[object, object], publisher: FakePublisher
) -> None:
    raw = (FIXTURES / "reply_gmail_plain.eml").read_bytes()
    resp = await client.post("/v1/email/raw", data=raw, headers=RFC822)
    assert resp.status == 202
    body = await resp.json()
    [message] = publisher.messages
    assert body["accepted"][0]["id"] == message.id
    assert body["accepted"][0]["kind"] == "message"
    assert message.channel is Channel.EMAIL
    assert message.source == "mailgun"
    assert message.channel_message_id == "<CAF3reply0001@mail.example.org>"


async def test_octet_stream_and_auto_reply_kind(
    client: TestClient[object, object], publisher: FakePublisher
) -> None:
    raw = (FIXTURES / "auto_submitted.eml").read_bytes()
    headers = dict(RFC822, **{"Content-Type": "application/octet-stream"})
    resp = await client.post("/v1/email/raw", data=raw, headers=headers)
    assert resp.status == 202
    assert (await resp.json())["accepted"][0]["kind"] == "auto_reply"
    assert publisher.messages[0].kind is MessageKind.AUTO_REPLY


async def test_unparseable_mail_is_kept_and_answered_422(
    client: TestClient[object, object], publisher: FakePublisher
) -> None:
    raw = (FIXTURES / "not_mail.bin").read_bytes()
    resp = await client.post("/v1/email/raw", data=raw, headers=RFC822)
    assert resp.status == 422
    assert resp.content_type == "application/problem+json"
    body = await resp.json()
    assert body["type"].endswith("/unparseable-email")
    assert publisher.messages == []
    [dead] = publisher.deadletters
    assert dead.raw == raw
    assert dead.reason_code == "not_mime"


async def test_kafka_down_answers_503_with_retry_after(
    client: TestClient[object, object], publisher: FakePublisher
) -> None:
    publisher.down = True
    raw = (FIXTURES / "koi8r.eml").read_bytes()
    resp = await client.post("/v1/email/raw", data=raw, headers=RFC822)
    assert resp.status == 503
    assert resp.headers["Retry-After"] == "7"
    assert (await resp.json())["type"].endswith("/kafka-unavailable")
    # a bad mail with Kafka down is not answered 422: its deadletter was not written either
    resp = await client.post("/v1/email/raw", data=b"", headers=RFC822)
    assert resp.status == 503


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "message/rfc822"}, 401),
        ({"Authorization": "Bearer nope", "Content-Type": "message/rfc822"}, 401),
        ({"Authorization": f"Bearer {CHAT_ONLY}", "Content-Type": "message/rfc822"}, 403),
        ({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}, 415),
    ],
)
async def test_rejections_are_problem_details(
    client: TestClient[object, object],
    publisher: FakePublisher,
    headers: dict[str, str],
    status: int,
) -> None:
    raw = (FIXTURES / "koi8r.eml").read_bytes()
    resp = await client.post("/v1/email/raw", data=raw, headers=headers)
    assert resp.status == status
    assert resp.content_type == "application/problem+json"
    assert publisher.messages == [] and publisher.deadletters == []


async def test_too_large_body_is_413(client: TestClient[object, object]) -> None:
    raw = b"From: a@example.com\r\n\r\n" + b"x" * 300_000
    resp = await client.post("/v1/email/raw", data=raw, headers=RFC822)
    assert resp.status == 413
