from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from intake.http.app import build_app
from intake.http.auth import TokenEntry, hash_token
from intake.http.ratelimit import LIMITER, RateLimiter, RateLimitSettings
from intake.http.settings import IntakeSettings
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context

Client = TestClient[web.Request, web.Application]
SHOP = "omr_rate-limit-shop-token-00000000000000"
BIG = "omr_rate-limit-big-token-000000000000000"
MSG = {"channel": "api", "channel_message_id": "r-1", "text": "where is my parcel"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_refills_at_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimitSettings(per_second=2, burst=3), clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(0.5)
    assert limiter.take("b") == 0.0  # buckets are per token
    clock.now += 0.5
    assert limiter.take("a") == 0.0
    clock.now += 100  # refill is capped at the burst
    assert [limiter.take("a") for _ in range(4)][-1] > 0


def test_overrides_and_unlimited() -> None:
    limiter = RateLimiter(RateLimitSettings(per_second=0, burst=1, per_token={"slow": 0.1}))
    assert all(limiter.take("free") == 0.0 for _ in range(1000))
    assert limiter.take("slow") == 0.0
    assert limiter.take("slow") == pytest.approx(10.0, rel=0.01)


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIROUTE_INTAKE_RATE_LIMIT_PER_SECOND", "5")
    monkeypatch.setenv("OMNIROUTE_INTAKE_RATE_LIMIT_PER_TOKEN", '{"big": 500}')
    settings = RateLimitSettings()
    assert settings.per_second == 5 and settings.per_token == {"big": 500}


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    settings = IntakeSettings(
        tokens=(
            TokenEntry(name="shop", sha256=hash_token(SHOP)),
            TokenEntry(name="big", sha256=hash_token(BIG)),
        ),
    )
    app = build_app(settings, fake_kafka_context(FakePublisher()))
    app[LIMITER] = RateLimiter(RateLimitSettings(per_second=0.01, burst=2, per_token={"big": 0}))
    async with TestClient(TestServer(app)) as c:
        yield c


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_over_budget_gets_429_problem_with_retry_after(
    client: Client,
) -> None:
    for i in range(2):
        ok = await client.post("/v1/messages", json=MSG | {"channel_message_id": f"r-{i}"},
                               headers=_auth(SHOP))  # fmt: skip
        assert ok.status == 202
    limited = await client.post("/v1/messages", json=MSG, headers=_auth(SHOP))
    assert limited.status == 429
    assert limited.content_type == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1
    body = await limited.json()
    assert body["type"].endswith("/rate-limited") and body["status"] == 429
    assert "shop" in body["detail"] and SHOP not in body["detail"]
    # Another token has its own budget (here: unlimited by override).
    for i in range(5):
        resp = await client.post("/v1/messages", json=MSG | {"channel_message_id": f"b-{i}"},
                                 headers=_auth(BIG))  # fmt: skip
        assert resp.status == 202
    metrics = await (await client.get("/metrics")).text()
    assert "omniroute_intake_rate_limited_total 1.0" in metrics


async def test_unknown_tokens_are_not_limited_but_refused(
    client: Client,
) -> None:
    for _ in range(5):
        resp = await client.post("/v1/messages", json=MSG, headers=_auth("omr_nope-nope-nope"))
        assert resp.status == 401


async def test_the_limit_covers_the_events_route_too(client: Client) -> None:
    for _ in range(2):
        await client.post("/v1/messages", json=MSG, headers=_auth(SHOP))
    resp = await client.post("/v1/events", json={}, headers=_auth(SHOP))
    assert resp.status == 429
