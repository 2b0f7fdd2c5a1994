"""The REST fallback, the served widget files and `omniroute normalize --channel webchat`."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.webchat.config import WebChatConfig
from connectors.webchat.connector import WebChatConnector
from intake.http.app import build_app
from intake.http.settings import IntakeSettings
from omniroute.cli import main
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context

Client = TestClient[web.Request, web.Application]
SHOP = "https://shop.example.com"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "webchat"
PATH = "/v1/chat/messages"
HEADERS = {"Origin": SHOP, "Content-Type": "application/json"}


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
async def client(publisher: FakePublisher) -> AsyncIterator[Client]:
    app = build_app(IntakeSettings(), fake_kafka_context(publisher), CollectorRegistry())
    config = WebChatConfig(allowed_origins=(SHOP,), message_burst=3, message_rate_per_s=0.01)
    app.router.add_routes(WebChatConnector(config).routes())
    async with TestClient(TestServer(app)) as c:
        yield c


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def test_message_is_acked_after_publish(client: Client, publisher: FakePublisher) -> None:
    resp = await client.post(PATH, data=body("message.json"), headers=HEADERS)
    assert resp.status == 202
    (stored,) = publisher.messages
    assert await resp.json() == {"type": "ack", "client_id": "c-lz3k9a-7f2e", "id": stored.id}
    assert resp.headers["Access-Control-Allow-Origin"] == SHOP
    assert stored.customer.email == "maria@example.com"
    again = await client.post(PATH, data=body("message.json"), headers=HEADERS)
    assert (await again.json())["id"] == stored.id  # a retried POST maps to the same message


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("not_json.txt", 400),
        ("unknown_type.json", 422),
        ("invalid_message.json", 422),
        ("message_no_session.json", 422),
        ("identify.json", 422),
    ],
)
async def test_bad_bodies_get_problem_details(
    client: Client, publisher: FakePublisher, name: str, status: int
) -> None:
    resp = await client.post(PATH, data=body(name), headers=HEADERS)
    assert resp.status == status
    assert resp.content_type == "application/problem+json"
    assert publisher.messages == []


async def test_ping_typing_and_size_limit(client: Client) -> None:
    pong = await client.post(PATH, data=body("ping.json"), headers=HEADERS)
    assert await pong.json() == {"type": "pong"}
    assert (await client.post(PATH, data=body("typing.json"), headers=HEADERS)).status == 204
    huge = json.dumps({"type": "message", "client_id": "c", "text": "x" * 9000})
    assert (await client.post(PATH, data=huge, headers=HEADERS)).status == 413


async def test_rate_limit_per_session(client: Client) -> None:
    statuses = []
    for i in range(4):
        frame = json.loads(body("message.json")) | {"client_id": f"c{i}"}
        statuses.append((await client.post(PATH, json=frame, headers={"Origin": SHOP})).status)
    assert statuses == [202, 202, 202, 429]


async def test_origins_and_preflight(client: Client) -> None:
    evil = {"Origin": "https://evil.example.net"}
    assert (await client.post(PATH, data=body("message.json"), headers=evil)).status == 403
    assert (await client.options(PATH, headers=evil)).status == 403
    pre = await client.options(PATH, headers={"Origin": SHOP})
    assert pre.status == 204 and pre.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]


async def test_kafka_down_is_503(client: Client, publisher: FakePublisher) -> None:
    publisher.down = True
    resp = await client.post(PATH, data=body("message.json"), headers=HEADERS)
    assert resp.status == 503 and resp.headers["Retry-After"]


async def test_widget_and_demo_page_are_served(client: Client) -> None:
    js = await client.get("/chat/widget.js")
    assert js.status == 200 and js.content_type == "text/javascript"
    assert "OmnirouteChat" in await js.text()
    page = await client.get("/chat/")
    assert page.status == 200 and page.content_type == "text/html"
    assert '<script src="/chat/widget.js"' in await page.text()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    moved = await client.get("/chat", allow_redirects=False)
    assert moved.status == 308 and moved.headers["Location"] == "/chat/"


def test_normalize_webchat_frames(capsys: pytest.CaptureFixture[str]) -> None:
    names = ["message.json", "message_chinese.json", "typing.json", "not_json.txt"]
    code = main(["normalize", "--channel", "webchat", *(str(FIXTURES / n) for n in names)])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = [next(k for k in ("message", "ignored", "deadletter") if k in line) for line in lines]
    assert kinds == ["message", "message", "ignored", "deadletter"]
    assert lines[1]["message"]["thread"]["conversation_id"] == "zhSession000001"
    assert lines[1]["message"]["channel"] == "webchat"
