"""The chat WebSocket on the real intake app with an in-memory publisher."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.webchat.config import WebChatConfig
from connectors.webchat.connector import WebChatConnector
from intake.http.app import build_app
from intake.http.settings import IntakeSettings
from intake.message import Message
from intake.publisher import Ack
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context

Client = TestClient[web.Request, web.Application]
SHOP = "https://shop.example.com"
PATH = "/v1/chat/ws?session=sessionAAA111&visitor=visitorBBB222"


class GatedPublisher(FakePublisher):
    """Holds every publish until the gate opens: Kafka being slow."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def publish(self, messages: list[Message]) -> list[Ack]:
        await self.gate.wait()
        return await super().publish(messages)


async def make_client(
    publisher: FakePublisher, registry: CollectorRegistry, **config: Any
) -> AsyncIterator[Client]:
    app = build_app(IntakeSettings(), fake_kafka_context(publisher), registry)
    settings = WebChatConfig(allowed_origins=(SHOP,), **config)
    app.router.add_routes(WebChatConnector(settings).routes())
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def client(publisher: FakePublisher, registry: CollectorRegistry) -> AsyncIterator[Client]:
    async for c in make_client(publisher, registry):
        yield c


async def connect(client: Client, path: str = PATH, origin: str = SHOP) -> Any:
    sock = await client.ws_connect(path, headers={"Origin": origin})
    welcome = await sock.receive_json(timeout=5)
    assert welcome["type"] == "welcome"
    return sock


def message(client_id: str, text: str = "Where is my parcel?") -> dict[str, str]:
    return {"type": "message", "client_id": client_id, "text": text}


async def test_message_is_acked_after_publish(client: Client, publisher: FakePublisher) -> None:
    sock = await connect(client)
    await sock.send_json(message("c1"))
    ack = await sock.receive_json(timeout=5)
    (stored,) = publisher.messages
    assert ack == {"type": "ack", "client_id": "c1", "id": stored.id}
    assert stored.channel.value == "webchat" and stored.source == "webchat"
    assert stored.thread.conversation_id == "sessionAAA111"
    assert stored.customer.visitor_id == "visitorBBB222"
    await sock.close()


async def test_new_visitor_gets_a_session(client: Client) -> None:
    sock = await client.ws_connect("/v1/chat/ws?session=bad:id", headers={"Origin": SHOP})
    welcome = await sock.receive_json(timeout=5)
    assert len(welcome["session_id"]) >= 16 and welcome["session_id"] != "bad:id"
    assert welcome["visitor_id"]
    await sock.close()


async def test_identify_then_message(client: Client, publisher: FakePublisher) -> None:
    sock = await connect(client)
    await sock.send_json({"type": "identify", "email": "Li@Example.com", "order_number": "A-77"})
    assert (await sock.receive_json(timeout=5))["type"] == "identified"
    await sock.send_json(message("c2", "退款什么时候到账？"))
    assert (await sock.receive_json(timeout=5))["type"] == "ack"
    customer = publisher.messages[0].customer
    assert customer.email == "Li@Example.com" and customer.order_numbers == ("A-77",)
    await sock.close()


async def test_typing_presence_ping_are_not_routed(
    client: Client, publisher: FakePublisher
) -> None:
    sock = await connect(client)
    await sock.send_json({"type": "typing", "state": True})
    await sock.send_json({"type": "presence", "state": "hidden"})
    await sock.send_json({"type": "ping"})
    assert await sock.receive_json(timeout=5) == {"type": "pong"}  # frames are handled in order
    assert publisher.messages == []
    await sock.close()


async def test_bad_frames_get_error_frames_and_deadletters(
    client: Client, publisher: FakePublisher
) -> None:
    sock = await connect(client)
    await sock.send_str('{"type": "message", "text": ')
    assert (await sock.receive_json(timeout=5))["code"] == "not_json"
    await sock.send_json({"type": "launch_rockets"})
    assert (await sock.receive_json(timeout=5))["code"] == "bad_frame"
    await sock.send_bytes(b"\x00\x01binary")
    assert (await sock.receive_json(timeout=5))["code"] == "binary"
    await sock.send_str("x" * 9000)  # above max_frame_bytes (8192): no deadletter of big junk
    assert (await sock.receive_json(timeout=5))["code"] == "too_large"
    await sock.send_json(message("c3"))  # the connection survived all of it
    assert (await sock.receive_json(timeout=5))["type"] == "ack"
    raws = [d.raw for d in publisher.deadletters]
    expected = [b'{"type": "message", "text": ', b'{"type": "launch_rockets"}', b"\x00\x01binary"]
    assert raws == expected
    assert {d.source for d in publisher.deadletters} == {"webchat"}
    await sock.close()


async def test_origin_is_checked(
    client: Client, publisher: FakePublisher, registry: CollectorRegistry
) -> None:
    for headers in ({"Origin": "https://evil.example.net"}, {}):
        resp = await client.get(PATH, headers=headers | {"Upgrade": "websocket"})
        assert resp.status == 403
    labels = {"channel": "webchat", "reason": "forbidden"}
    assert registry.get_sample_value("omniroute_intake_auth_failures_total", labels) == 2
    own = f"http://{client.host}:{client.port}"
    sock = await connect(client, origin=own)  # omniroute's own demo page
    await sock.close()


async def test_rate_limit_then_close_on_abuse(
    publisher: FakePublisher, registry: CollectorRegistry
) -> None:
    async for client in make_client(
        publisher, registry, message_burst=2, message_rate_per_s=0.01, abuse_limit=3
    ):
        sock = await connect(client)
        for i in range(5):
            await sock.send_json(message(f"c{i}"))
        codes = []
        for _ in range(10):  # bounded: 5 replies at most, then the close
            reply = await sock.receive(timeout=5)
            if reply.type is not WSMsgType.TEXT:
                break
            codes.append(reply.json().get("code"))
        assert reply.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
        assert sock.close_code == 1008
        assert codes.count("rate_limited") == 3
        assert len(publisher.messages) == 2  # what was accepted before the abuse is kept


async def test_back_pressure_stops_reading_while_kafka_is_slow(registry: CollectorRegistry) -> None:
    publisher = GatedPublisher()
    async for client in make_client(publisher, registry, max_in_flight=2):
        sock = await connect(client)
        for i in range(3):  # two fill the slots; the third is read and waits for a slot
            await sock.send_json(message(f"c{i}"))
        await sock.send_json({"type": "ping"})
        with pytest.raises(TimeoutError):
            await sock.receive_json(timeout=0.5)  # not read: no pong while full
        publisher.gate.set()
        replies = [await sock.receive_json(timeout=5) for _ in range(4)]
        assert [r["client_id"] for r in replies[:2]] == ["c0", "c1"]  # acks free the slots
        assert sorted(r["type"] for r in replies[2:]) == ["ack", "pong"]
        await sock.close()


async def test_kafka_down_means_no_ack_and_the_resend_gets_the_same_id(
    client: Client, publisher: FakePublisher
) -> None:
    sock = await connect(client)
    publisher.down = True
    await sock.send_json(message("c9"))
    error = await sock.receive_json(timeout=5)
    assert error["type"] == "error" and error["code"] == "unavailable"
    assert error["client_id"] == "c9" and publisher.messages == []
    publisher.down = False
    await sock.send_json(message("c9"))
    first = await sock.receive_json(timeout=5)
    await sock.close()
    sock = await connect(client)  # reconnect, same session: the widget resends unacked lines
    await sock.send_json(message("c9"))
    second = await sock.receive_json(timeout=5)
    assert first["type"] == second["type"] == "ack" and first["id"] == second["id"]
    await sock.close()
