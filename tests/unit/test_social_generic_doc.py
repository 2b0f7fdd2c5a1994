"""The generic social adapter guide's curl example is a valid request: its exact body goes
through the real ingest app (with an in-memory publisher here; against Kafka in the
integration tier)."""

import orjson
from aiohttp.test_utils import TestClient, TestServer

from intake.http.app import build_app
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from intake.message import Channel
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context
from tests.unit.social_helpers import generic_doc_curl_headers, generic_doc_example

TOKEN = "omr_weibo-adapter-test-token-000000000000"


async def test_the_documented_weibo_example_is_accepted() -> None:
    publisher = FakePublisher()
    entry = TokenEntry(name="weibo-adapter", sha256=hash_token(TOKEN), channels=(Channel.SOCIAL,))
    app = build_app(IntakeSettings(tokens=(entry,)), fake_kafka_context(publisher))
    headers = generic_doc_curl_headers()
    assert headers["Authorization"] == "Bearer $OMNIROUTE_TOKEN"
    headers["Authorization"] = f"Bearer {TOKEN}"
    body = generic_doc_example()
    async with TestClient(TestServer(app)) as client:
        resp = await client.post("/v1/messages", data=body, headers=headers)
        assert resp.status == 202, await resp.text()
        again = await client.post("/v1/messages", data=body, headers=headers)
        assert again.headers.get("Idempotent-Replayed") == "true"
    (message,) = publisher.messages
    assert message.channel is Channel.SOCIAL
    assert message.customer.platform == "weibo" and message.customer.handle == "5566778899"
    assert message.thread.conversation_id == "weibo:comment:4998877665544000"
    assert message.text == orjson.loads(body)["text"] and "还没发货" in message.text
