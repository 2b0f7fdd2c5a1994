"""The SLA tracker's per-partition step without Kafka: what goes into a partition's transaction
(alerts, escalations, deadletters, changelog on partition p) and that metric effects are
counted only once that transaction committed."""

import asyncio
from collections.abc import Mapping, Sequence

from aiokafka import TopicPartition

from intake import serde
from intake.deadletter import DeadLetter, Stage
from intake.events import EventType
from intake.headers import header
from intake.topics import Topics
from router.eos.record import Record
from router.eos.transactions import TransactionFailed
from router.sla.config import EscalationRule, SlaTrackerConfig
from router.sla.dispatched import TYPE_DISPATCHED
from router.sla.process import Effects, Input, Processor
from router.sla.record import decode
from router.sla.task import SlaTask
from router.sla.tracker import EventStatus, SlaTracker
from tests.unit.test_sla_helpers import DEPARTMENTS, T0, dispatch, event, secs

TOPICS = Topics("p")
DISPATCHED = [("ce_type", TYPE_DISPATCHED.encode())]


def tracker() -> SlaTracker:
    rule = EscalationRule(id="up", trigger="breached", redispatch_to="supervisors")
    return SlaTracker(SlaTrackerConfig(escalations=(rule,)), DEPARTMENTS)


def test_dispatched_then_event_write_changelog_on_the_input_partition() -> None:
    tr, proc = tracker(), Processor(TOPICS)
    out, fx = proc.record(tr, Input(5, 0, serde.dumps(dispatch("c1", 30)), DISPATCHED))
    assert [(r.topic, r.key, r.partition) for r in out] == [("p.sla.state", b"c1", 5)]
    assert decode(out[0].value or b"").target_s == 30 and not fx
    e = event("c1", EventType.FIRST_RESPONSE, T0 + secs(10))
    out, fx = proc.record(tr, Input(5, 1, serde.dumps(e), []))
    assert [r.topic for r in out] == ["p.sla.state"]
    assert fx.events == [(EventType.FIRST_RESPONSE, EventStatus.APPLIED)]
    assert [(o.seconds, o.met) for o in fx.observations] == [(10.0, True)]
    again, fx = proc.record(tr, Input(5, 2, serde.dumps(e), []))
    assert again == [] and fx.events == [(EventType.FIRST_RESPONSE, EventStatus.DUPLICATE)]


def test_tick_breach_writes_alert_escalation_and_changelog() -> None:
    tr, proc = tracker(), Processor(TOPICS)
    proc.record(tr, Input(2, 0, serde.dumps(dispatch("c1", 30)), DISPATCHED))
    out, fx = proc.tick(tr, T0 + secs(31), 2)
    topics = [r.topic for r in out]
    assert topics == ["p.alerts", "p.dept.supervisors", "p.sla.state"]
    assert header(out[0].headers, "ce_id") == "c1:breached" and out[0].key == b"c1"
    assert [a.kind.value for a in fx.alerts] == ["breached"]
    assert proc.tick(tr, T0 + secs(60), 2) == ([], Effects())


def test_bad_records_are_deadlettered_with_their_coordinates() -> None:
    tr, proc = tracker(), Processor(TOPICS)
    out, fx = proc.record(tr, Input(1, 7, b"{not json", []))
    assert [r.topic for r in out] == ["p.deadletter"] and out[0].partition == 1
    assert fx.deadletters[0][1] == "invalid_event"
    out, fx = proc.record(tr, Input(1, 8, b"{}", DISPATCHED))
    assert fx.deadletters[0][1] == "invalid_dispatched"


def test_events_the_tracker_cannot_apply_are_deadlettered_with_the_reason() -> None:
    tr, proc = tracker(), Processor(TOPICS)
    stray = serde.dumps(event("nope", EventType.FIRST_RESPONSE, T0))
    out, fx = proc.record(tr, Input(3, 9, stray, []))
    assert [(r.topic, r.partition) for r in out] == [("p.deadletter", 3)]
    assert fx.deadletters == [(Stage.EVENTS, "unknown_case")] and not fx.observations
    assert serde.loads(DeadLetter, out[0].value or b"").raw == stray
    proc.record(tr, Input(3, 10, serde.dumps(dispatch("c1", 30)), DISPATCHED))
    away = event("c1", EventType.TRANSFERRED, T0 + secs(1), to="nowhere")
    out, fx = proc.record(tr, Input(3, 11, serde.dumps(away), []))
    assert [r.topic for r in out] == ["p.deadletter"]
    assert fx.deadletters == [(Stage.EVENTS, "unknown_department")]
    assert tr.cases["c1"].department != "nowhere"


class _Producer:
    """Stands in for the transactional producer: a commit succeeds or fails on demand."""

    transactional_id = "test-p0"

    def __init__(self) -> None:
        self.fail = False

    async def commit(
        self, records: Sequence[Record], offsets: Mapping[TopicPartition, int]
    ) -> None:
        if self.fail:
            raise TransactionFailed("aborted")

    async def close(self) -> None:
        return None


def test_effects_are_counted_only_after_their_transaction_committed() -> None:
    counted: list[Effects] = []
    producer = _Producer()
    task = SlaTask(0, producer, tracker(), counted.append)  # type: ignore[arg-type]
    tp = TopicPartition("p.events", 0)

    async def round_trip(fail: bool) -> BaseException | None:
        producer.fail = fail
        task.add(tp, len(counted), [])
        task.effects.extend(Effects(events=[(EventType.ASSIGNED, EventStatus.APPLIED)]))
        task.start_commit(0.0)
        return await task.settle()

    assert isinstance(asyncio.run(round_trip(fail=True)), TransactionFailed)
    assert counted == []  # the failed attempt counted nothing; the retry will
    assert asyncio.run(round_trip(fail=False)) is None
    assert [e.events for e in counted] == [[(EventType.ASSIGNED, EventStatus.APPLIED)]]
