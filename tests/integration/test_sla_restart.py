"""The SLA tracker killed (SIGKILL) in the middle of cases, on a real Kafka, as the real
`omniroute sla-tracker` process: the next incarnation restores the cases from the changelog
`omniroute.sla.state`, counts only what the first had not committed, and no alert is written
twice. Also: pause/resume, at-risk and breach, and a follow-up raising the contact count."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from intake import serde
from intake.events import EventType
from intake.kafka import admin, client_kwargs, durable_producer
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.sla.dispatched import TYPE_DISPATCHED
from router.sla.record import decode
from tests.integration.kafka_helpers import read_records
from tests.integration.test_prometheus_support import free_port
from tests.unit.test_sla_helpers import dispatch, event, secs

GROUP = "sla-restart"
MET = {"outcome": "met"}


def spawn(kafka: KafkaSettings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OMNIROUTE_KAFKA_BOOTSTRAP": str(kafka.bootstrap),
        "OMNIROUTE_KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "OMNIROUTE_SLA_GROUP_ID": f"{kafka.topic_prefix}-{GROUP}",
        "OMNIROUTE_SLA_HTTP_PORT": str(port),
        "OMNIROUTE_SLA_TICK_INTERVAL_S": "0.2",
        "OMNIROUTE_SLA_LAG_INTERVAL_S": "0.2",
        "OMNIROUTE_SLA_COMMIT_INTERVAL_MS": "100",
        # The killed member leaves no LeaveGroup: its partitions move after the session timeout.
        "OMNIROUTE_SLA_SESSION_TIMEOUT_MS": "6000",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "omniroute.cli", "sla-tracker"],
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


@contextmanager
def tracker(kafka: KafkaSettings, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = spawn(kafka, port, log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


def metric(port: int, name: str, labels: dict[str, str] | None = None) -> float | None:
    """Sum of the matching samples; None while the process does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return None
    want = labels or {}
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in want.items())
    )


async def until(
    proc: subprocess.Popen[bytes],
    log: Path,
    port: int,
    name: str,
    value: float,
    labels: dict[str, str] | None = None,
    timeout_s: float = 60,
) -> None:
    deadline = time.monotonic() + timeout_s
    seen = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, tail(log)
        seen = metric(port, name, labels)
        if seen == value:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{name}{labels or ''} = {seen}, expected {value}\n{tail(log)}")


async def committed_everything(kafka: KafkaSettings, topic: str, timeout_s: float = 30) -> None:
    """The tracker's group committed (transactionally) up to the end of every partition."""
    client = admin(kafka)
    await client.start()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            offsets = await client.list_consumer_group_offsets(f"{kafka.topic_prefix}-{GROUP}")
            done = {tp.partition: m.offset for tp, m in offsets.items() if tp.topic == topic}
            ends = await _ends(kafka, topic)
            if all(done.get(p, 0) >= end for p, end in ends.items()):
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"committed {done}, ends {ends}")
    finally:
        await client.close()


async def _ends(kafka: KafkaSettings, topic: str) -> dict[int, int]:
    cons = AIOKafkaConsumer(**client_kwargs(kafka), isolation_level="read_committed")
    await cons.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(kafka.partitions)]
        return {tp.partition: o for tp, o in (await cons.end_offsets(tps)).items()}
    finally:
        await cons.stop()


async def test_sigkill_mid_case_counts_nothing_twice(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    topics = Topics(kafka_settings.topic_prefix)
    producer = durable_producer(kafka_settings, "test")
    await producer.start()

    async def send_dispatch(case: str, target_s: float, at: datetime, contacts: int = 1) -> None:
        d = dispatch(case, target_s, at=at, department="billing", contacts=contacts)
        headers = [("ce_type", TYPE_DISPATCHED.encode())]
        await producer.send_and_wait(topics.events, serde.dumps(d), key=d.key, headers=headers)

    async def send_event(case: str, kind: EventType, at: datetime) -> None:
        e = event(case, kind, at, department="billing")
        await producer.send_and_wait(topics.events, serde.dumps(e), key=e.key)

    port, log = free_port(), tmp_path / "sla.log"
    try:
        with tracker(kafka_settings, port, log) as first:
            await until(first, log, port, "omniroute_sla_partitions_owned", 3)
            now = datetime.now(UTC)
            for case, target in (("c1", 4), ("c2", 60), ("c3", 60), ("c4", 60)):
                await send_dispatch(case, target, now)
            await send_event("c2", EventType.FIRST_RESPONSE, now + secs(1))
            await send_event("c4", EventType.WAITING_ON_CUSTOMER, now + secs(1))
            await until(first, log, port, "omniroute_sla_first_response_total", 1, MET)
            await until(first, log, port, "omniroute_sla_breaches_total", 1)  # c1 after 4 s
            assert metric(port, "omniroute_sla_at_risk_total") == 1
            await committed_everything(kafka_settings, topics.events)
            first.send_signal(signal.SIGKILL)  # no shutdown commit, no LeaveGroup
            first.wait(10)
        # While no tracker runs: c3 answered in time (after a follow-up), c1 answered late,
        # c4's customer replied and was answered 2 s of waiting-on-customer later.
        await send_dispatch("c3", 60, now + secs(1), contacts=2)
        await send_event("c3", EventType.FIRST_RESPONSE, now + secs(2))
        await send_event("c1", EventType.RESPONDED, datetime.now(UTC))
        await send_event("c4", EventType.CUSTOMER_REPLIED, now + secs(3))
        await send_event("c4", EventType.FIRST_RESPONSE, now + secs(5))
        await send_event("c4", EventType.FIRST_RESPONSE, now + secs(5))  # a tool's retry

        log2 = tmp_path / "sla2.log"
        with tracker(kafka_settings, port, log2) as second:
            await until(second, log2, port, "omniroute_sla_partitions_owned", 3)
            await until(second, log2, port, "omniroute_first_response_seconds_count", 3)
            await committed_everything(kafka_settings, topics.events)
            await asyncio.sleep(1.0)  # several ticks: nothing may be raised again
            assert metric(port, "omniroute_sla_first_response_total", MET) == 2  # c3, c4
            assert metric(port, "omniroute_sla_first_response_total") == 2
            assert metric(port, "omniroute_sla_breaches_total") == 0
            assert metric(port, "omniroute_sla_at_risk_total") == 0
            assert metric(port, "omniroute_sla_events_total", {"status": "duplicate"}) == 1
    finally:
        await producer.stop()
    assert "Traceback" not in log.read_text() + log2.read_text()
    alerts = await read_records(kafka_settings, [topics.alerts], expect=3, timeout_s=5)
    assert sorted(serde.loads_obj(r.value)["id"] for r in alerts) == ["c1:at_risk", "c1:breached"]
    changelog = await read_records(kafka_settings, [topics.sla_state], expect=1000, timeout_s=5)
    cases = {r.key: decode(r.value) for r in changelog if r.value is not None}
    assert cases[b"c3"].contact_count == 2 and cases[b"c1"].breached_emitted
    assert all(cases[c].first_response_at is not None for c in (b"c1", b"c2", b"c3", b"c4"))
    c4 = cases[b"c4"]  # 1 s before the pause + 2 s after it; the 2 s paused do not count
    assert c4.first_response_at is not None and [b - a for a, b in c4.paused] == [2.0]
    assert c4.first_response_at - c4.started_at - 2.0 == 3.0


async def test_sigkill_mid_stream_alerts_and_counts_exactly_once(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    """Killed while cases breach one after another, with transactions in flight: every alert
    exists once, and the second incarnation counts exactly the alerts it wrote (those written
    after the kill), none of those the first had committed."""
    topics = Topics(kafka_settings.topic_prefix)
    producer = durable_producer(kafka_settings, "test")
    await producer.start()
    cases = [f"s{n:02d}" for n in range(40)]
    port, log, log2 = free_port(), tmp_path / "sla.log", tmp_path / "sla2.log"
    try:
        with tracker(kafka_settings, port, log) as first:
            await until(first, log, port, "omniroute_sla_partitions_owned", 3)
            for case in cases:  # one every 100 ms, 2 s each: breaches keep coming
                d = dispatch(case, 2, at=datetime.now(UTC), department="billing")
                headers = [("ce_type", TYPE_DISPATCHED.encode())]
                await producer.send_and_wait(topics.events, serde.dumps(d), d.key, headers=headers)
                await asyncio.sleep(0.1)
            breached_before = metric(port, "omniroute_sla_breaches_total")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        killed_at = time.time()
        assert breached_before is not None and 0 < breached_before < len(cases)
        with tracker(kafka_settings, port, log2) as second:
            await until(second, log2, port, "omniroute_sla_partitions_owned", 3)
            alerts = await read_records(kafka_settings, [topics.alerts], expect=2 * len(cases))
            await asyncio.sleep(1.0)  # its counters follow its commits
            # Raised after the kill = written by the second incarnation (it ticks on the wall
            # clock: its backlog is the few inputs the first had not committed).
            raised = [serde.loads_obj(r.value) for r in alerts]
            after = [a for a in raised if datetime.fromisoformat(a["at"]).timestamp() > killed_at]
            kinds = [a["kind"] for a in after]
            assert metric(port, "omniroute_sla_breaches_total") == kinds.count("breached")
            assert metric(port, "omniroute_sla_at_risk_total") == kinds.count("at_risk")
    finally:
        await producer.stop()
    ids = [serde.loads_obj(r.value)["id"] for r in alerts]
    assert len(ids) == len(set(ids)), "an alert was written twice"
    assert {i for i in ids if i.endswith(":breached")} == {f"{c}:breached" for c in cases}
    # A case breached during the downtime gets its breach alone (no at-risk after a breach).
    assert len(after) < len(alerts) and "Traceback" not in tail(log) + tail(log2)
