"""The standalone SLA tracker restarted in the middle of cases, on a real Kafka: the second
incarnation rebuilds its state by replay, counts only what the first had not, and raises no
alert twice (read back from omniroute.alerts)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from intake import serde
from intake.events import EventType
from intake.headers import TYPE_DISPATCH, cloudevent_headers
from intake.kafka import durable_producer
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.decision import Dispatch
from router.settings import RouterSettings
from router.sla.consumer import SlaConsumer
from router.sla.service import build_tracker
from router.sla.settings import SlaSettings
from tests.integration.kafka_helpers import read_records
from tests.unit.test_sla_helpers import dispatch, event, secs


@asynccontextmanager
async def running(kafka: KafkaSettings, registry: CollectorRegistry) -> AsyncIterator[SlaConsumer]:
    settings = SlaSettings(group_id=f"{kafka.topic_prefix}-sla", tick_interval_s=0.2)
    tracker = build_tracker(settings, RouterSettings(), kafka, registry)
    stop = asyncio.Event()
    task = asyncio.create_task(tracker.run(stop))
    await asyncio.wait_for(tracker.ready.wait(), 60)
    try:
        yield tracker
    finally:
        stop.set()
        await task


async def until(registry: CollectorRegistry, name: str, labels: dict[str, str], n: float) -> None:
    for _ in range(150):
        if total(registry, name, labels) == n:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name}{labels} = {total(registry, name, labels)}, expected {n}")


def total(registry: CollectorRegistry, name: str, labels: dict[str, str]) -> float:
    return sum(
        s.value
        for f in registry.collect()
        for s in f.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


async def test_restart_mid_case_counts_nothing_twice(kafka_settings: KafkaSettings) -> None:
    topics = Topics(kafka_settings.topic_prefix)
    producer = durable_producer(kafka_settings, "test")
    await producer.start()

    async def send_dispatch(case: str, target_s: float, now: datetime) -> None:
        decision, message = dispatch(case, target_s, at=now, department="billing")
        headers = cloudevent_headers(
            event_id=case, source="/test", event_type=TYPE_DISPATCH, time=now
        )
        value = serde.dumps(Dispatch(message=message, decision=decision))
        await producer.send_and_wait(topics.dept("billing"), value, key=b"k", headers=headers)

    async def send_event(case: str, kind: EventType, at: datetime) -> None:
        e = event(case, kind, at, department="billing")
        await producer.send_and_wait(topics.events, serde.dumps(e), key=e.key)

    met = {"outcome": "met"}
    try:
        first = CollectorRegistry()
        async with running(kafka_settings, first):
            now = datetime.now(UTC)
            for case, target in (("c1", 4), ("c2", 60), ("c3", 60)):
                await send_dispatch(case, target, now)
            await send_event("c2", EventType.FIRST_RESPONSE, now + secs(1))
            await until(first, "omniroute_sla_first_response_total", met, 1)
            await until(first, "omniroute_sla_breaches_total", {}, 1)  # c1, after 4 s
            assert total(first, "omniroute_sla_at_risk_total", {}) == 1
        # While the tracker is down: c3 answered in time, c1 answered late.
        await send_event("c3", EventType.FIRST_RESPONSE, now + secs(2))
        await send_event("c1", EventType.RESPONDED, datetime.now(UTC))

        second = CollectorRegistry()
        async with running(kafka_settings, second) as tracker:
            await until(second, "omniroute_first_response_seconds_count", {}, 2)  # c3 and c1
            await asyncio.sleep(1.0)  # several ticks: nothing may be raised again
            assert total(second, "omniroute_sla_first_response_total", met) == 1  # c3 only
            assert total(second, "omniroute_sla_first_response_total", {}) == 1
            assert total(second, "omniroute_sla_breaches_total", {}) == 0
            assert total(second, "omniroute_sla_at_risk_total", {}) == 0
            cases = tracker.tracker.cases
            assert all(cases[c].first_response_at is not None for c in ("c1", "c2", "c3"))
            assert cases["c1"].breached_emitted
    finally:
        await producer.stop()
    alerts = await read_records(kafka_settings, [topics.alerts], expect=3, timeout_s=5)
    assert sorted(serde.loads_obj(r.value)["id"] for r in alerts) == ["c1:at_risk", "c1:breached"]
