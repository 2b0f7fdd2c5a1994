"""POST -> Kafka -> router -> department topic, read back by a plain aiokafka consumer."""

import asyncio
from pathlib import Path

import orjson

from intake.admin import ensure_topics
from intake.headers import header
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.localkafka import LocalKafka
from tests.integration.app_harness import AUTH, intake_client, running_router
from tests.integration.conftest import DEPARTMENTS
from tests.integration.kafka_helpers import read_records

MESSAGES = [
    {
        "channel": "email",
        "channel_message_id": "<e2e-1@x>",
        "subject": "refund",
        "text": "I want my money back for order 991",
        "customer": {"email": "a@example.com"},
    },
    {
        "channel": "webchat",
        "channel_message_id": "c-2",
        "text": "快递还没到，物流不更新",
        "customer": {"visitor_id": "v1"},
    },
    {
        "channel": "social",
        "channel_message_id": "s-3",
        "text": "charged twice on my card!",
        "customer": {"platform": "x", "handle": "@z"},
    },
]
EXPECTED = {"<e2e-1@x>": "returns", "c-2": "logistics", "s-3": "billing"}


async def test_posted_messages_reach_the_right_department(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    async with intake_client(kafka_settings) as client:
        ids = {}
        for body in MESSAGES:
            resp = await client.post("/v1/messages", json=body, headers=AUTH)
            assert resp.status == 202, await resp.text()
            ids[(await resp.json())["id"]] = body["channel_message_id"]
    async with running_router(kafka_settings, f"{topics.prefix}-router"):
        dept_topics = [topics.dept(d) for d in DEPARTMENTS]
        records = await read_records(kafka_settings, dept_topics, expect=3, settle_s=1.0)
    assert len(records) == 3
    for record in records:
        dispatch = orjson.loads(record.value)
        cmid = ids[dispatch["message"]["id"]]
        assert record.topic == topics.dept(EXPECTED[cmid])
        assert dispatch["decision"]["department"] == EXPECTED[cmid]
        assert dispatch["decision"]["config_version"]
        assert header(record.headers, "ce_specversion") == "1.0"
        assert header(record.headers, "ce_id") == dispatch["message"]["id"]
        assert record.key == dispatch["message"]["routing_key"].encode()
    decisions = await read_records(kafka_settings, [topics.decisions], expect=3)
    assert len(decisions) == 3


async def test_router_lag_reaches_zero_behind_the_transactional_intake(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    # The intake's transactions end in commit markers that read_committed never returns; a lag
    # counted from "last record + 1" would stay at one per written partition for ever.
    async with intake_client(kafka_settings) as client:
        for body in MESSAGES:
            resp = await client.post("/v1/messages", json=body, headers=AUTH)
            assert resp.status == 202, await resp.text()
    async with running_router(kafka_settings, f"{topics.prefix}-router") as router:
        dept_topics = [topics.dept(d) for d in DEPARTMENTS]
        assert len(await read_records(kafka_settings, dept_topics, expect=3, settle_s=0)) == 3
        lag = router.runner.metrics.lag
        for _ in range(150):  # bounded: the gauge is refreshed every second
            samples = [s.value for m in lag.collect() for s in m.samples]
            if samples and sum(samples) == 0:
                break
            await asyncio.sleep(0.2)
        assert sum(samples) == 0, samples


async def test_intake_records_carry_cloudevents_headers(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    async with intake_client(kafka_settings) as client:
        resp = await client.post("/v1/messages", json=MESSAGES[0], headers=AUTH)
        ack = await resp.json()
    [record] = await read_records(kafka_settings, [topics.intake("email")], expect=1)
    assert (record.partition, record.offset) == (ack["partition"], ack["offset"])
    for name in ("ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time"):
        assert header(record.headers, name), name
    assert header(record.headers, "ce_type") == "io.omniroute.message.v1"


async def test_rejected_requests_produce_nothing(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    bad_requests = [
        ({"Authorization": "Bearer nope"}, MESSAGES[0]),
        (AUTH, {"channel": "email"}),
        (AUTH, [MESSAGES[1], {"channel": "webchat", "text": 1}]),
        (AUTH, MESSAGES[0] | {"text": "x" * 70_000}),
    ]
    async with intake_client(kafka_settings, max_body_bytes=65_536) as client:
        for headers, body in bad_requests:
            resp = await client.post("/v1/messages", json=body, headers=headers)
            assert 400 <= resp.status < 500
        malformed = await client.post(
            "/v1/messages", data=b"{oops", headers=AUTH | {"Content-Type": "application/json"}
        )
        assert malformed.status == 400
    records = await read_records(kafka_settings, topics.all_intake(), expect=1, timeout_s=3)
    assert records == []


async def test_topics_ensure_is_idempotent(kafka_settings: KafkaSettings, topics: Topics) -> None:
    specs = topics.specs(DEPARTMENTS, partitions=3)
    assert await ensure_topics(kafka_settings, specs) == []


async def test_broker_down_means_503_never_2xx_and_recovery(tmp_path: Path) -> None:
    broker = LocalKafka(tmp_path / "kafka")
    bootstrap = await asyncio.to_thread(broker.start)
    try:
        kafka = KafkaSettings(bootstrap=bootstrap, topic_prefix="outage", partitions=1)
        await ensure_topics(kafka, Topics("outage").specs(DEPARTMENTS, 1))
        async with intake_client(kafka, ack_timeout_s=3.0, probe_interval_s=0.5) as client:
            assert (await client.post("/v1/messages", json=MESSAGES[0], headers=AUTH)).status == 202
            await asyncio.to_thread(broker.stop)
            for i in range(3):
                body = MESSAGES[2] | {"channel_message_id": f"down-{i}"}
                resp = await client.post("/v1/messages", json=body, headers=AUTH)
                assert resp.status == 503, resp.status
                assert resp.headers["Retry-After"]
            assert (await client.get("/readyz")).status == 503
            await asyncio.to_thread(broker.start)
            status = 0
            for _ in range(30):  # bounded: the producer reconnects within seconds
                body = MESSAGES[2] | {"channel_message_id": "after"}
                status = (await client.post("/v1/messages", json=body, headers=AUTH)).status
                if status == 202:
                    break
                await asyncio.sleep(1)
            assert status == 202
    finally:
        await asyncio.to_thread(broker.stop)
