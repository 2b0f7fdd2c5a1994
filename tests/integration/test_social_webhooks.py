"""Signed Meta and X webhooks, and the generic social adapter example, through the real intake
app into a real Kafka: records on omniroute.intake.social, redeliveries under the same ids,
forged bodies producing nothing."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.social.config import MetaConfig, XConfig
from connectors.social.meta import MetaConnector
from connectors.social.x import XConnector
from intake.headers import header
from intake.http.app import build_app, kafka_context
from intake.settings import KafkaSettings
from intake.topics import Topics
from tests.integration.app_harness import AUTH, intake_client, intake_settings
from tests.integration.kafka_helpers import read_records
from tests.unit.social_helpers import (
    APP_SECRET,
    CONSUMER_SECRET,
    fixture,
    generic_doc_curl_headers,
    generic_doc_example,
    meta_headers,
    one_byte_changed,
    x_headers,
)


@asynccontextmanager
async def social_client(kafka: KafkaSettings) -> AsyncIterator[TestClient[object, object]]:
    app = build_app(intake_settings(), kafka_context(kafka), CollectorRegistry())
    # max_age_s=0: the fixtures are dated 2025; staleness has its own unit test
    app.router.add_routes(MetaConnector(MetaConfig(app_secret=APP_SECRET, max_age_s=0)).routes())
    x = XConfig(consumer_secret=CONSUMER_SECRET, for_user_id="900000000000000001", max_age_s=0)
    app.router.add_routes(XConnector(x).routes())
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_signed_webhooks_reach_the_social_topic_once_per_id(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    whatsapp, tweets = fixture("whatsapp_batch.json"), fixture("x_tweets.json")
    async with social_client(kafka_settings) as client:
        for _ in range(2):  # the platform redelivers
            signed = meta_headers(whatsapp)
            resp = await client.post("/v1/social/meta", data=whatsapp, headers=signed)
            assert resp.status == 200, await resp.text()
        resp = await client.post("/v1/social/x", data=tweets, headers=x_headers(tweets))
        assert resp.status == 200
        forged = one_byte_changed(whatsapp)
        resp = await client.post("/v1/social/meta", data=forged, headers=meta_headers(whatsapp))
        assert resp.status == 401
    records = await read_records(kafka_settings, [topics.intake("social")], expect=8, settle_s=1.0)
    assert len(records) == 2 * 2 + 4  # nothing from the forged body
    values = [orjson.loads(r.value) for r in records]
    by_cmid: dict[str, set[str]] = {}
    for value in values:
        by_cmid.setdefault(value["channel_message_id"], set()).add(value["id"])
    assert all(len(ids) == 1 for ids in by_cmid.values())  # redelivery = same message id
    assert {"whatsapp:wamid.BATCH0001", "x:tweet:1810000000000001001"} <= set(by_cmid)
    for record, value in zip(records, values, strict=True):
        assert record.key == value["routing_key"].encode()
        assert header(record.headers, "ce_id") == value["id"]
    deadletters = await read_records(kafka_settings, [topics.deadletter], expect=0, settle_s=0.5)
    assert deadletters == []


async def test_generic_adapter_example_reaches_the_social_topic(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    headers = generic_doc_curl_headers() | AUTH
    async with intake_client(kafka_settings) as client:
        resp = await client.post("/v1/messages", data=generic_doc_example(), headers=headers)
        assert resp.status == 202, await resp.text()
        ack = await resp.json()
    assert ack["topic"] == topics.intake("social")
    (record,) = await read_records(kafka_settings, [topics.intake("social")], expect=1)
    value = orjson.loads(record.value)
    assert value["id"] == ack["id"] and (record.partition, record.offset) == (
        ack["partition"],
        ack["offset"],
    )
    assert value["customer"]["platform"] == "weibo"
    assert value["text"] == orjson.loads(generic_doc_example())["text"]
