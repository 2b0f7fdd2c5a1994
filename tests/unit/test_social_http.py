"""The Meta and X webhook endpoints on the real intake app, with an in-memory publisher:
handshakes, signatures checked before parsing, stale bodies, 2xx only after the publish."""

import time
from collections.abc import AsyncIterator, Callable

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.social.config import MetaConfig, XConfig
from connectors.social.meta import MetaConnector
from connectors.social.x import XConnector
from intake.http.app import build_app
from intake.http.settings import IntakeSettings
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context
from tests.unit.social_helpers import (
    APP_SECRET,
    CONSUMER_SECRET,
    fixture,
    meta_headers,
    one_byte_changed,
    x_headers,
)

Client = TestClient[web.Request, web.Application]
VERIFY = "verify-me-please"


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


async def _client(
    publisher: FakePublisher, registry: CollectorRegistry, max_age_s: int
) -> AsyncIterator[Client]:
    app = build_app(IntakeSettings(), fake_kafka_context(publisher), registry)
    meta = MetaConfig(app_secret=APP_SECRET, verify_token=VERIFY, max_age_s=max_age_s)
    app.router.add_routes(MetaConnector(meta).routes())
    x = XConfig(consumer_secret=CONSUMER_SECRET, for_user_id="900000000000000001")
    app.router.add_routes(XConnector(x.model_copy(update={"max_age_s": max_age_s})).routes())
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def client(publisher: FakePublisher, registry: CollectorRegistry) -> AsyncIterator[Client]:
    # The fixture bodies are from 2025; freshness is tested separately below.
    async for c in _client(publisher, registry, max_age_s=0):
        yield c


@pytest.fixture
async def strict(publisher: FakePublisher, registry: CollectorRegistry) -> AsyncIterator[Client]:
    async for c in _client(publisher, registry, max_age_s=3600):
        yield c


def failures(registry: CollectorRegistry, reason: str) -> float:
    labels = {"channel": "social", "reason": reason}
    return registry.get_sample_value("omniroute_intake_auth_failures_total", labels) or 0.0


async def test_meta_handshake(client: Client, registry: CollectorRegistry) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    resp = await client.get("/v1/social/meta", params=query)
    assert resp.status == 200 and await resp.text() == "1158201444"
    assert resp.content_type == "text/plain"
    wrong = await client.get("/v1/social/meta", params=query | {"hub.verify_token": "nope"})
    assert wrong.status == 403
    assert failures(registry, "unknown_token") == 1
    missing = await client.get("/v1/social/meta", params={"hub.challenge": "1"})
    assert missing.status == 403 and failures(registry, "missing") == 1


async def test_unconfigured_verify_token_refuses_every_handshake(
    publisher: FakePublisher, registry: CollectorRegistry
) -> None:
    app = build_app(IntakeSettings(), fake_kafka_context(publisher), registry)
    app.router.add_routes(MetaConnector(MetaConfig()).routes())
    async with TestClient(TestServer(app)) as c:
        query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
        assert (await c.get("/v1/social/meta", params=query)).status == 403
        body = fixture("whatsapp_text.json")
        resp = await c.post("/v1/social/meta", data=body, headers=meta_headers(body, ""))
        assert resp.status == 401  # no app secret: nothing can be proven, nothing accepted


async def test_signed_body_is_published_then_acknowledged(
    client: Client, publisher: FakePublisher, registry: CollectorRegistry
) -> None:
    body = fixture("whatsapp_batch.json")
    resp = await client.post("/v1/social/meta", data=body, headers=meta_headers(body))
    assert resp.status == 200, await resp.text()
    assert [m.channel_message_id for m in publisher.messages] == [
        "whatsapp:wamid.BATCH0001",
        "whatsapp:wamid.BATCH0002",
    ]
    assert {m.source for m in publisher.messages} == {"meta"}
    ignored = {"platform": "whatsapp", "kind": "status"}
    assert registry.get_sample_value("omniroute_social_ignored_events_total", ignored) == 1


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda b, h: (b, {}), "missing"),
        (lambda b, h: (one_byte_changed(b), h), "bad_signature"),
        (lambda b, h: (b, meta_headers(b, "wrong-secret")), "bad_signature"),
        (lambda b, h: (b, {"X-Hub-Signature-256": "sha256=" + "0" * 64}), "bad_signature"),
    ],
    ids=["unsigned", "one-byte-changed", "wrong-secret", "forged"],
)
async def test_forged_meta_bodies_produce_nothing(
    client: Client,
    publisher: FakePublisher,
    registry: CollectorRegistry,
    mangle: Callable[[bytes, dict[str, str]], tuple[bytes, dict[str, str]]],
    reason: str,
) -> None:
    good = fixture("messenger_text.json")
    body, headers = mangle(good, meta_headers(good))
    resp = await client.post("/v1/social/meta", data=body, headers=headers)
    assert resp.status == 401
    assert resp.content_type == "application/problem+json"
    assert publisher.messages == [] and publisher.deadletters == []
    assert failures(registry, reason) == 1


async def test_unparseable_signed_body_is_kept_and_acknowledged(
    client: Client, publisher: FakePublisher
) -> None:
    body = fixture("malformed.json")
    resp = await client.post("/v1/social/meta", data=body, headers=meta_headers(body))
    assert resp.status == 200
    assert publisher.messages == []
    (record,) = publisher.deadletters
    assert record.raw == body and record.source == "meta"


async def test_kafka_down_is_503_and_the_retry_gets_the_same_ids(
    client: Client, publisher: FakePublisher
) -> None:
    body = fixture("instagram_dm.json")
    publisher.down = True
    resp = await client.post("/v1/social/meta", data=body, headers=meta_headers(body))
    assert resp.status == 503 and resp.headers["Retry-After"]
    assert publisher.messages == []
    publisher.down = False
    for _ in range(2):  # Meta's retry, then a duplicate delivery
        resp = await client.post("/v1/social/meta", data=body, headers=meta_headers(body))
        assert resp.status == 200
    first, second = publisher.messages[:3], publisher.messages[3:]
    assert [m.id for m in first] == [m.id for m in second]


def _fresh_whatsapp(ts: int) -> bytes:
    data = orjson.loads(fixture("whatsapp_text.json"))
    data["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(ts)
    return orjson.dumps(data)


async def test_stale_bodies_are_refused_fresh_ones_accepted(
    strict: Client, publisher: FakePublisher, registry: CollectorRegistry
) -> None:
    old = _fresh_whatsapp(int(time.time()) - 7200)
    resp = await strict.post("/v1/social/meta", data=old, headers=meta_headers(old))
    assert resp.status == 401 and publisher.messages == []
    assert failures(registry, "stale") == 1
    fresh = _fresh_whatsapp(int(time.time()) - 5)
    resp = await strict.post("/v1/social/meta", data=fresh, headers=meta_headers(fresh))
    assert resp.status == 200 and len(publisher.messages) == 1
    tweets = fixture("x_tweets.json")  # 2025 timestamps: older than an hour
    resp = await strict.post("/v1/social/x", data=tweets, headers=x_headers(tweets))
    assert resp.status == 401 and failures(registry, "stale") == 2


async def test_x_crc(client: Client, registry: CollectorRegistry) -> None:
    resp = await client.get("/v1/social/x", params={"crc_token": "challenge-123"})
    assert resp.status == 200
    expected = x_headers(b"challenge-123")["x-twitter-webhooks-signature"]
    assert (await resp.json()) == {"response_token": expected}
    assert (await client.get("/v1/social/x")).status == 403
    assert failures(registry, "missing") == 1


async def test_x_signed_events(client: Client, publisher: FakePublisher) -> None:
    body = fixture("x_direct_messages.json")
    resp = await client.post("/v1/social/x", data=body, headers=x_headers(body))
    assert resp.status == 200
    assert [m.channel_message_id for m in publisher.messages] == [
        "x:dm:1810000000000000001",
        "x:dm:1810000000000000002",
    ]
    resp = await client.post("/v1/social/x", data=body, headers=x_headers(body))
    assert resp.status == 200
    assert publisher.messages[0].id == publisher.messages[2].id  # redelivery, same id


async def test_x_forged_events_produce_nothing(
    client: Client, publisher: FakePublisher, registry: CollectorRegistry
) -> None:
    body = fixture("x_tweets.json")
    for headers, payload in [
        ({}, body),
        (x_headers(body), one_byte_changed(body)),
        (x_headers(body, "wrong-secret"), body),
    ]:
        resp = await client.post("/v1/social/x", data=payload, headers=headers)
        assert resp.status == 401
    assert publisher.messages == []
    assert failures(registry, "missing") == 1 and failures(registry, "bad_signature") == 2
