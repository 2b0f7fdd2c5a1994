"""POST /v1/events against the real ingest app with an in-memory producer."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiokafka.errors import KafkaTimeoutError
from prometheus_client import CollectorRegistry

from intake import serde
from intake.events import LifecycleEvent
from intake.http import state
from intake.http.app import build_app
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from intake.publisher import Publisher
from intake.readiness import KafkaProbe
from intake.topics import Topics

TOKEN = "omr_test-token-for-events-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Meta:
    def __init__(self, topic: str, offset: int) -> None:
        self.topic, self.partition, self.offset = topic, 0, offset


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = []
        self.fail = False

    async def send(self, topic: str, value: bytes, key: bytes, headers: Any) -> Any:
        if self.fail:
            raise KafkaTimeoutError()
        self.sent.append((topic, key, value, headers))
        fut: asyncio.Future[Meta] = asyncio.get_running_loop().create_future()
        fut.set_result(Meta(topic, len(self.sent) - 1))
        return fut


def event(**over: Any) -> dict[str, Any]:
    body = {
        "id": "evt-1",
        "type": "first_response",
        "case_id": "case-42",
        "department": "billing",
        "occurred_at": "2025-03-03T09:00:10Z",
    }
    return {**body, **over}


@pytest.fixture
async def client() -> AsyncIterator[tuple[TestClient[Any, Any], FakeProducer, CollectorRegistry]]:
    producer = FakeProducer()
    registry = CollectorRegistry()

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        app[state.PUBLISHER] = Publisher(producer, Topics("t"), 1.0)  # type: ignore[arg-type]

        async def ok() -> None:
            return None

        app[state.PROBE] = KafkaProbe(ok, 60)
        yield

    entry = TokenEntry(name="helpdesk", sha256=hash_token(TOKEN))
    app = build_app(IntakeSettings(tokens=(entry,), max_batch=3), ctx, registry)
    async with TestClient(TestServer(app)) as c:
        yield c, producer, registry


async def test_event_is_produced_keyed_by_case_after_ack(client: Any) -> None:
    c, producer, registry = client
    resp = await c.post("/v1/events", json=event(actor="someone@example.com"), headers=AUTH)
    assert resp.status == 202
    body = await resp.json()
    assert body == {"id": "evt-1", "topic": "t.events", "partition": 0, "offset": 0}
    [(topic, key, value, headers)] = producer.sent
    assert (topic, key) == ("t.events", b"case-42")
    stored = serde.loads(LifecycleEvent, value)
    assert stored.actor == "helpdesk"  # the token's tool name, whatever the body said
    assert ("ce_type", b"io.omniroute.lifecycle.v1") in headers
    accepted = registry.get_sample_value(
        "omniroute_intake_events_total", {"type": "first_response", "outcome": "accepted"}
    )
    assert accepted == 1


async def test_batch_is_all_or_nothing_with_pointers(client: Any) -> None:
    c, producer, _ = client
    bad = [event(), event(id="e2", type="transferred"), event(id="e3", occurred_at="yesterday")]
    resp = await c.post("/v1/events", json=bad, headers=AUTH)
    assert resp.status == 422
    assert resp.content_type == "application/problem+json"
    problem = await resp.json()
    assert problem["type"].endswith("/invalid-event")
    pointers = {e["pointer"] for e in problem["errors"]}
    assert pointers == {"/1", "/2/occurred_at"}
    assert producer.sent == []
    ok = [event(), event(id="e2", type="transferred", to_department="logistics")]
    resp = await c.post("/v1/events", json=ok, headers=AUTH)
    assert resp.status == 202 and len((await resp.json())["accepted"]) == 2


@pytest.mark.parametrize(
    ("headers", "body", "status", "slug"),
    [
        ({}, b"{}", 401, "unauthorized"),
        ({"Authorization": "Bearer nope"}, b"{}", 401, "unauthorized"),
        ({**AUTH, "Content-Type": "text/plain"}, b"{}", 415, "unsupported-media-type"),
        ({**AUTH, "Content-Type": "application/json"}, b"{oops", 400, "malformed-json"),
        ({**AUTH, "Content-Type": "application/json"}, b"[]", 422, "invalid-event"),
        ({**AUTH, "Content-Type": "application/json"}, b"[1,2,3,4]", 422, "invalid-event"),
    ],
)
async def test_errors_are_problem_details(
    client: Any, headers: dict[str, str], body: bytes, status: int, slug: str
) -> None:
    c, producer, _ = client
    resp = await c.post("/v1/events", data=body, headers=headers)
    assert resp.status == status
    assert (await resp.json())["type"].endswith("/" + slug)
    assert producer.sent == []


async def test_kafka_unavailable_is_503_with_retry_after(client: Any) -> None:
    c, producer, registry = client
    producer.fail = True
    resp = await c.post("/v1/events", json=event(), headers=AUTH)
    assert resp.status == 503 and resp.headers["Retry-After"] == "5"
    labels = {"type": "first_response", "outcome": "unavailable"}
    assert registry.get_sample_value("omniroute_intake_events_total", labels) == 1
