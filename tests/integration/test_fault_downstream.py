"""A stuck downstream, on real Kafka: the department tool (a consumer group on the department
topics that answers each case) stops. The router keeps dispatching, the tool's lag grows, the
SLA tracker's open-case gauge shows the unanswered cases, and breach alerts fire for exactly
those cases (none for the ones the tool answered while it was up)."""

import asyncio
from pathlib import Path
from typing import Any

import orjson
from aiohttp.test_utils import TestClient
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.service import build_runner
from router.settings import RouterSettings
from router.sla.service import build_tracker
from router.sla.settings import SlaSettings
from tests.integration.app_harness import AUTH, intake_client
from tests.integration.conftest import DEPARTMENTS
from tests.integration.fault_helpers import until
from tests.integration.kafka_helpers import read_records
from tests.integration.test_prometheus_sla import WEBCHAT_TARGET_S, chat, routing_file


def total(registry: CollectorRegistry, name: str) -> float:
    return sum(s.value for m in registry.collect() for s in m.samples if s.name == name)


async def post(client: TestClient[object, object], path: str, body: Any) -> Any:
    resp = await client.post(path, json=body, headers=AUTH)
    assert resp.status == 202, await resp.text()
    return await resp.json()


async def messages(client: TestClient[object, object], numbers: range) -> list[str]:
    accepted = (await post(client, "/v1/messages", [chat(n) for n in numbers]))["accepted"]
    return [a["id"] for a in accepted]


async def desk(
    kafka: KafkaSettings, client: TestClient[object, object], answered: list[str]
) -> None:
    """The department tool: answers and resolves every dispatched case, committing as it goes."""
    topics = [Topics(kafka.topic_prefix).dept(d) for d in DEPARTMENTS]
    consumer = AIOKafkaConsumer(
        *topics,
        **client_kwargs(kafka),
        group_id=f"{kafka.topic_prefix}-desk",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        while True:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    dispatch = orjson.loads(record.value)
                    case = dispatch["decision"].get("case_id") or dispatch["message"]["id"]
                    dept, at = (
                        dispatch["decision"]["department"],
                        dispatch["message"]["received_at"],
                    )
                    events = [
                        {"id": f"{case}-{kind}", "type": kind, "case_id": case,
                         "department": dept, "occurred_at": at}
                        for kind in ("first_response", "resolved")
                    ]  # fmt: skip
                    await post(client, "/v1/events", events)
                    answered.append(case)
            await consumer.commit()
    finally:
        await consumer.stop()


async def desk_lag(kafka: KafkaSettings) -> int:
    consumer = AIOKafkaConsumer(**client_kwargs(kafka), group_id=f"{kafka.topic_prefix}-desk")
    await consumer.start()
    try:
        tps = [tp for d in DEPARTMENTS for tp in _partitions(Topics(kafka.topic_prefix).dept(d))]
        ends = await consumer.end_offsets(tps)
        committed = {tp: await consumer.committed(tp) or 0 for tp in tps}
        return sum(ends[tp] - committed[tp] for tp in tps)
    finally:
        await consumer.stop()


def _partitions(topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in range(3)]  # kafka_settings creates 3


async def test_stuck_department_consumer(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    prefix = kafka_settings.topic_prefix
    router_settings = RouterSettings(
        config_path=routing_file(tmp_path), group_id=f"{prefix}-router", poll_timeout_ms=50
    )
    sla = SlaSettings(group_id=f"{prefix}-sla", tick_interval_s=0.25, lag_interval_s=1)
    router_metrics, sla_metrics = CollectorRegistry(), CollectorRegistry()
    runner = build_runner(router_settings, kafka_settings, router_metrics)
    tracker = build_tracker(sla, router_settings, kafka_settings, sla_metrics)
    stop = asyncio.Event()
    answered: list[str] = []
    async with intake_client(kafka_settings) as client:
        tasks = [asyncio.create_task(runner.run(stop)), asyncio.create_task(tracker.run(stop))]
        try:
            await asyncio.wait_for(tracker.ready.wait(), 60)
            tool = asyncio.create_task(desk(kafka_settings, client, answered))
            healthy = await messages(client, range(3))
            await until(lambda: len(answered) >= 3, 60, "the desk answered the first cases")
            tool.cancel()  # the department tool stops
            await asyncio.gather(tool, return_exceptions=True)
            stuck = await messages(client, range(10, 16))
            await until(
                lambda: total(router_metrics, "omniroute_router_dispatched_total") >= 9,
                60,
                "router dispatches on",
            )
            assert await desk_lag(kafka_settings) >= 6
            await until(
                lambda: total(sla_metrics, "omniroute_sla_breaches_total") >= 6,
                WEBCHAT_TARGET_S + 60,
                "breaches",
            )
            assert total(sla_metrics, "omniroute_open_cases") >= 6
        finally:
            stop.set()
            await asyncio.gather(*tasks)
    topics = Topics(prefix)
    dispatched = await read_records(kafka_settings, [topics.dept(d) for d in DEPARTMENTS], 9)
    case_of = {
        (d := orjson.loads(r.value))["message"]["id"]: d["decision"].get("case_id")
        or d["message"]["id"]
        for r in dispatched
    }
    assert {case_of[m] for m in healthy} == set(answered)
    alerts = await read_records(kafka_settings, [topics.alerts], 6, 30.0, settle_s=1.0)
    breached = {
        orjson.loads(r.value)["case_id"]
        for r in alerts
        if orjson.loads(r.value)["kind"] == "breached"
    }
    assert breached == {case_of[m] for m in stuck}  # and none of the answered cases
