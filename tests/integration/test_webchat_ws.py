"""The chat WebSocket against a real Kafka: the ack names the record's message id, bad frames
land on the deadletter topic with their raw bytes."""

import base64

import orjson
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.webchat.config import WebChatConfig
from connectors.webchat.connector import WebChatConnector
from intake.http.app import build_app, kafka_context
from intake.settings import KafkaSettings
from intake.topics import Topics
from tests.integration.app_harness import intake_settings
from tests.integration.kafka_helpers import read_records

SHOP = "https://shop.example.com"


async def test_chat_messages_are_acked_with_their_kafka_message_id(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    app = build_app(intake_settings(), kafka_context(kafka_settings), CollectorRegistry())
    app.router.add_routes(WebChatConnector(WebChatConfig(allowed_origins=(SHOP,))).routes())
    async with TestClient(TestServer(app)) as client:
        sock = await client.ws_connect(
            "/v1/chat/ws?session=itSession0001&visitor=itVisitor0001", headers={"Origin": SHOP}
        )
        assert (await sock.receive_json(timeout=10))["type"] == "welcome"
        await sock.send_json({"type": "identify", "order_number": "88001"})
        assert (await sock.receive_json(timeout=10))["type"] == "identified"
        acks = []
        for i, text in enumerate(["Hello?", "我的包裹还没到"]):
            await sock.send_json({"type": "message", "client_id": f"c{i}", "text": text})
        await sock.send_str("{not json")
        for _ in range(3):
            frame = await sock.receive_json(timeout=30)
            if frame["type"] == "ack":
                acks.append(frame)
            else:
                assert frame["code"] == "not_json"
        await sock.close()
    records = await read_records(kafka_settings, [topics.intake("webchat")], expect=2)
    values = [orjson.loads(r.value) for r in records]
    assert sorted(v["id"] for v in values) == sorted(a["id"] for a in acks)
    assert {v["thread"]["conversation_id"] for v in values} == {"itSession0001"}
    assert all(v["customer"]["order_numbers"] == ["88001"] for v in values)
    assert len({r.partition for r in records}) == 1  # one visitor, one key, one partition
    (dead,) = await read_records(kafka_settings, [topics.deadletter], expect=1)
    record = orjson.loads(dead.value)
    assert base64.b64decode(record["raw_b64"]) == b"{not json"
    assert record["source"] == "webchat" and record["stage"] == "connector"
