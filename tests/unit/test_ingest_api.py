from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from intake.http.app import build_app
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from intake.message import Channel
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context

TOKEN = "omr_test-token-for-unit-tests-0000000000"
CHAT_ONLY = "omr_chat-only-token-000000000000000000000"
GOOD = {"channel": "api", "channel_message_id": "a-1", "text": "refund please"}


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
async def client(publisher: FakePublisher) -> AsyncIterator[TestClient[object, object]]:
    settings = IntakeSettings(
        max_body_bytes=4096,
        max_batch=3,
        tokens=(
            TokenEntry(name="shop", sha256=hash_token(TOKEN)),
            TokenEntry(name="chat", sha256=hash_token(CHAT_ONLY), channels=(Channel.WEBCHAT,)),
        ),
    )
    app = build_app(settings, fake_kafka_context(publisher))
    async with TestClient(TestServer(app)) as c:
        yield c


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_single_message_is_accepted_after_publish(
    client: TestClient[object, object], publisher: FakePublisher
) -> None:
    resp = await client.post("/v1/messages", json=GOOD, headers=auth())
    assert resp.status == 202
    body = await resp.json()
    assert body["id"] == publisher.messages[0].id
    assert publisher.messages[0].source == "shop"


async def test_batch_is_all_or_nothing(
    client: TestClient[object, object], publisher: FakePublisher
) -> None:
    bad = [GOOD, {"channel": "api", "text": "no id"}]
    resp = await client.post("/v1/messages", json=bad, headers=auth())
    assert resp.status == 422
    body = await resp.json()
    assert resp.content_type == "application/problem+json"
    assert body["errors"][0]["pointer"] == "/1/channel_message_id"
    assert publisher.messages == []
    ok = await client.post(
        "/v1/messages", json=[GOOD, GOOD | {"channel_message_id": "a-2"}], headers=auth()
    )
    assert ok.status == 202 and len((await ok.json())["accepted"]) == 2


@pytest.mark.parametrize(
    ("body", "ctype", "status", "slug"),
    [
        (b"{not json", "application/json", 400, "malformed-json"),
        (b'{"channel": "api"}', "application/json", 422, "invalid-message"),
        (
            b'{"channel": "fax", "channel_message_id": "x"}',
            "application/json",
            422,
            "invalid-message",
        ),
        (b"[]", "application/json", 422, "invalid-message"),
        (b"text", "text/plain", 415, "unsupported-media-type"),
    ],
)
async def test_bad_input_gets_problem_details_and_nothing_is_produced(
    client: TestClient[object, object],
    publisher: FakePublisher,
    body: bytes,
    ctype: str,
    status: int,
    slug: str,
) -> None:
    resp = await client.post("/v1/messages", data=body, headers=auth() | {"Content-Type": ctype})
    assert resp.status == status
    problem = await resp.json(content_type="application/problem+json")
    assert problem["type"].endswith(slug) and problem["status"] == status
    assert publisher.messages == []


async def test_field_errors_name_the_field(client: TestClient[object, object]) -> None:
    resp = await client.post("/v1/messages", json=GOOD | {"text": 5}, headers=auth())
    problem = await resp.json(content_type="application/problem+json")
    assert [e["pointer"] for e in problem["errors"]] == ["/text"]


async def test_oversized_body_is_413_problem(
    client: TestClient[object, object], publisher: FakePublisher
) -> None:
    big = GOOD | {"text": "x" * 5000}
    resp = await client.post("/v1/messages", json=big, headers=auth())
    assert resp.status == 413
    assert (await resp.json(content_type="application/problem+json"))["status"] == 413
    assert publisher.messages == []


async def test_batch_limit(client: TestClient[object, object]) -> None:
    batch = [GOOD | {"channel_message_id": str(i)} for i in range(4)]
    resp = await client.post("/v1/messages", json=batch, headers=auth())
    assert resp.status == 422


async def test_auth_failures(client: TestClient[object, object], publisher: FakePublisher) -> None:
    assert (await client.post("/v1/messages", json=GOOD)).status == 401
    wrong = await client.post("/v1/messages", json=GOOD, headers=auth("omr_nope"))
    assert wrong.status == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    scoped = await client.post("/v1/messages", json=GOOD, headers=auth(CHAT_ONLY))
    assert scoped.status == 403
    assert publisher.messages == []


async def test_kafka_down_is_503_with_retry_after_never_2xx(
    client: TestClient[object, object],
    publisher: FakePublisher,
) -> None:
    publisher.down = True
    resp = await client.post("/v1/messages", json=GOOD, headers=auth())
    assert resp.status == 503 and resp.headers["Retry-After"] == "5"
    assert (await client.get("/readyz")).status == 503
    publisher.down = False
    assert (await client.post("/v1/messages", json=GOOD, headers=auth())).status == 202


async def test_idempotency_key_replays_instead_of_producing_again(
    client: TestClient[object, object],
    publisher: FakePublisher,
) -> None:
    headers = auth() | {"Idempotency-Key": "k-1"}
    first = await client.post("/v1/messages", json=GOOD, headers=headers)
    second = await client.post("/v1/messages", json=GOOD, headers=headers)
    assert first.status == second.status == 202
    assert await first.read() == await second.read()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(publisher.messages) == 1
    reused = await client.post("/v1/messages", json=GOOD | {"text": "other"}, headers=headers)
    assert reused.status == 422


async def test_idempotency_key_after_503_is_processed_on_retry(
    client: TestClient[object, object],
    publisher: FakePublisher,
) -> None:
    headers = auth() | {"Idempotency-Key": "k-2"}
    publisher.down = True
    assert (await client.post("/v1/messages", json=GOOD, headers=headers)).status == 503
    publisher.down = False
    assert (await client.post("/v1/messages", json=GOOD, headers=headers)).status == 202
    assert len(publisher.messages) == 1


async def test_health_metrics_and_openapi(client: TestClient[object, object]) -> None:
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200
    await client.post("/v1/messages", json=GOOD, headers=auth())
    metrics = await (await client.get("/metrics")).text()
    assert 'omniroute_intake_messages_total{channel="api",outcome="accepted"} 1.0' in metrics
    doc = await (await client.get("/v1/openapi.json")).json()
    assert "MessageDraft" in doc["components"]["schemas"]
    assert set(doc["paths"]["/v1/messages"]["post"]["responses"]) >= {"202", "413", "503"}


async def test_unknown_route_is_a_problem(client: TestClient[object, object]) -> None:
    resp = await client.get("/nope")
    assert resp.status == 404 and resp.content_type == "application/problem+json"
