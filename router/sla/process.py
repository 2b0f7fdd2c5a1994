"""One partition's tracker, driven by its input records and by time: what to write in the
partition's next transaction (alerts, escalations, deadletters, changelog) and what to count
once that transaction commits (`Effects`). No Kafka here, so unit tests drive it directly.

Counting only after the commit is what makes the metrics exactly-once: a transaction that fails
is retried from the changelog and the committed offsets, and the retry counts what it does; the
failed attempt counted nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime

from intake import serde
from intake.deadletter import DeadLetter, Stage
from intake.errors import InvalidInput
from intake.events import EventType, LifecycleEvent
from intake.headers import Headers, cloudevent_headers, header
from intake.topics import Topics
from router.eos.record import SOURCE_HEADER, Record
from router.sla.alerts import TYPE_ALERT, TYPE_ESCALATION, Alert
from router.sla.dispatched import TYPE_DISPATCHED, CaseDispatched
from router.sla.record import encode
from router.sla.tracker import EventStatus, Observation, SlaTracker, Update


@dataclass(slots=True)
class Effects:
    observations: list[Observation] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    events: list[tuple[EventType, EventStatus]] = field(default_factory=list)
    deadletters: list[tuple[Stage, str]] = field(default_factory=list)

    def add(self, update: Update) -> None:
        self.observations += update.observations
        self.alerts += update.alerts

    def extend(self, other: "Effects") -> None:
        self.observations += other.observations
        self.alerts += other.alerts
        self.events += other.events
        self.deadletters += other.deadletters

    def __bool__(self) -> bool:
        return bool(self.observations or self.alerts or self.events or self.deadletters)


@dataclass(frozen=True, slots=True)
class Input:
    """One record of `omniroute.events` partition `partition`."""

    partition: int
    offset: int
    value: bytes
    headers: Headers


_REJECTED = frozenset({EventStatus.UNKNOWN_CASE, EventStatus.UNKNOWN_DEPARTMENT})


class Processor:
    def __init__(self, topics: Topics) -> None:
        self.topics = topics

    def record(self, tracker: SlaTracker, rec: Input) -> tuple[list[Record], Effects]:
        effects = Effects()
        source = f"{self.topics.events}/{rec.partition}/{rec.offset}".encode()
        if header(rec.headers, "ce_type") == TYPE_DISPATCHED:
            try:
                update = tracker.on_dispatched(serde.loads(CaseDispatched, rec.value))
            except InvalidInput as exc:
                return [self._deadletter(rec, "invalid_dispatched", str(exc), effects)], effects
        else:
            try:
                event = serde.loads(LifecycleEvent, rec.value)
            except InvalidInput as exc:
                return [self._deadletter(rec, "invalid_event", str(exc), effects)], effects
            update = tracker.on_event(event)
            effects.events.append((event.type, update.status))
            if update.status in _REJECTED:
                # Nothing was applied: the event and why, for the tool's owners to see.
                reason = f"{update.status.value}: {event.case_id!r} ({event.type.value})"
                return [self._deadletter(rec, update.status.value, reason, effects)], effects
        effects.add(update)
        out = self.alert_records(effects.alerts, source)
        return out + self.changelog(tracker, rec.partition), effects

    def tick(
        self, tracker: SlaTracker, now: datetime, partition: int
    ) -> tuple[list[Record], Effects]:
        """Time-driven transitions (at-risk, breach) and evictions, for the next transaction."""
        alerts = tracker.tick(now)
        out = self.alert_records(alerts, None) + self.changelog(tracker, partition)
        return out, Effects(alerts=alerts)

    def alert_records(self, alerts: list[Alert], source: bytes | None) -> list[Record]:
        out = []
        for alert in alerts:
            value = serde.dumps(alert)
            out.append(Record(self.topics.alerts, alert.key, value, _headers(alert, source)))
            target = alert.escalation.redispatch_to if alert.escalation else None
            if target is not None:
                headers = _headers(alert, source, TYPE_ESCALATION)
                out.append(Record(self.topics.dept(target), alert.key, value, headers))
        return out

    def changelog(self, tracker: SlaTracker, partition: int) -> list[Record]:
        """Changed cases and tombstones for evicted ones, on changelog partition `partition`
        whatever their key hashes to: a restore of p reads partition p only."""
        records, gone = tracker.drain_dirty()
        topic = self.topics.sla_state
        out = [Record(topic, r.case_id.encode(), encode(r), [], partition) for r in records]
        return out + [Record(topic, c.encode(), None, [], partition) for c in gone]

    def _deadletter(self, rec: Input, code: str, reason: str, effects: Effects) -> Record:
        dl = DeadLetter.of(
            rec.value, stage=Stage.EVENTS, reason_code=code, reason=reason, source="sla-tracker",
            topic=self.topics.events, partition=rec.partition, offset=rec.offset,
        )  # fmt: skip
        effects.deadletters.append((Stage.EVENTS, code))
        return Record(self.topics.deadletter, None, dl.to_bytes(), dl.headers(), rec.partition)


def _headers(alert: Alert, source: bytes | None, kind: str = TYPE_ALERT) -> Headers:
    headers = cloudevent_headers(
        event_id=alert.id,
        source="/omniroute/sla-tracker",
        event_type=kind,
        time=alert.at,
        subject=alert.case_id,
    )
    return headers if source is None else [*headers, (SOURCE_HEADER, source)]
