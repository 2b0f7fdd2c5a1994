"""The SLA tracker as a pure state machine: the router's `dispatched` records and lifecycle
events in, observations and alerts out. No Kafka, no clock, no metrics: the transactional runner
(one tracker per partition) and unit tests drive the same code; `dirty` names the cases to write
to the changelog.

Every metric-worthy effect comes from a state *transition* (first response unset -> set, flag
false -> true), so replaying an event or restoring a record never counts anything twice.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from intake.events import EventType, LifecycleEvent
from router.sla import calendar
from router.sla.alerts import Alert, AlertKind
from router.sla.config import BusinessCalendar, SlaTrackerConfig
from router.sla.dispatched import CaseDispatched
from router.sla.escalate import make_alert
from router.sla.record import CaseRecord
from router.sla.transitions import TRANSITIONS, Observation

__all__ = ["EventStatus", "Observation", "SlaTracker", "Update"]


class EventStatus(StrEnum):
    """How an input was taken; a bounded metric label."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"  # changed nothing (a replay, or a dispatch of a known case)
    # The router writes a case's `dispatched` record to the case's events partition in the
    # dispatch's own transaction, before any tool can know the case id: an event for a case the
    # tracker does not hold is a bad reference (or a case evicted long ago), not an early one.
    # Both of these go to the deadletter topic.
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_DEPARTMENT = "unknown_department"  # a transfer to a department not configured


@dataclass(slots=True)
class Update:
    status: EventStatus
    observations: list[Observation] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


class SlaTracker:
    """`calendars`: the routing config's. A case runs on the one its decision named."""

    def __init__(
        self,
        config: SlaTrackerConfig,
        departments: Iterable[str],
        calendars: Mapping[str, BusinessCalendar] | None = None,
    ) -> None:
        self.config = config
        self.departments = frozenset(departments)
        self.calendars = dict(calendars or {})
        self.cases: dict[str, CaseRecord] = {}
        self.dirty: set[str] = set()
        self.evicted: set[str] = set()
        self._zoned: dict[tuple[str, str], BusinessCalendar] = {}

    def on_dispatched(self, d: CaseDispatched) -> Update:
        record = self.cases.get(d.case_id)
        if record is not None:
            # A follow-up (or a redelivery) of a known case: one more contact, same clock.
            if d.contact_count <= record.contact_count:
                return Update(EventStatus.DUPLICATE)
            record.contact_count = d.contact_count
            self.dirty.add(record.case_id)
            return Update(EventStatus.APPLIED)
        record = CaseRecord(
            case_id=d.case_id,
            channel=d.channel.value,
            department=d.department,
            priority=d.priority.value,
            started_at=d.started_at.timestamp(),
            dispatched_at=d.dispatched_at.timestamp(),
            target_s=float(d.sla_target_seconds),
            calendar=d.sla_calendar,
            zone=d.calendar_timezone,
            contact_count=d.contact_count,
        )
        self.cases[d.case_id] = record
        self.reschedule(record)
        return Update(EventStatus.APPLIED)

    def calendar_of(self, r: CaseRecord) -> BusinessCalendar | None:
        cal = self.calendars.get(r.calendar) if r.calendar else None
        if cal is None or r.zone is None or r.zone == cal.timezone:
            return cal
        # Same hours on the customer's clock, as the router counted them (router.policy).
        key = (r.calendar or "", r.zone)
        if key not in self._zoned:
            data = cal.model_dump() | {"timezone": r.zone}
            self._zoned[key] = BusinessCalendar.model_validate(data)
        return self._zoned[key]

    def on_event(self, event: LifecycleEvent) -> Update:
        record = self.cases.get(event.case_id)
        if record is None:
            return Update(EventStatus.UNKNOWN_CASE)
        if event.type is EventType.TRANSFERRED and event.to_department not in self.departments:
            return Update(EventStatus.UNKNOWN_DEPARTMENT)
        at = max(event.occurred_at.timestamp(), record.started_at)
        update = Update(EventStatus.APPLIED)
        if not TRANSITIONS[event.type](self, record, event, at, update):
            update.status = EventStatus.DUPLICATE
            return update
        self.reschedule(record)
        self.dirty.add(record.case_id)
        return update

    def reschedule(self, r: CaseRecord) -> None:
        """Recompute the wall-clock instants of at-risk and breach from the calendar and the
        pauses, so `tick` only compares numbers."""
        self.dirty.add(r.case_id)
        if not r.awaiting_response or r.paused_since is not None:
            r.due_at = r.at_risk_at = None
            return
        cal = self.calendar_of(r)
        share = r.target_s * self.config.at_risk_share
        r.due_at = calendar.reach(cal, r.started_at, r.target_s, r.paused)
        r.at_risk_at = calendar.reach(cal, r.started_at, share, r.paused)

    def elapsed(self, r: CaseRecord, until: float) -> float:
        pauses = [*r.paused, *([(r.paused_since, until)] if r.paused_since is not None else [])]
        return calendar.elapsed(self.calendar_of(r), r.started_at, until, pauses)

    def tick(self, now: datetime) -> list[Alert]:
        t = now.timestamp()
        alerts: list[Alert] = []
        for r in self.cases.values():
            if r.due_at is not None and t >= r.due_at and not r.breached_emitted:
                alerts.append(self.raise_alert(r, AlertKind.BREACHED, t))
            elif r.at_risk_at is not None and t >= r.at_risk_at and not r.at_risk_emitted:
                alerts.append(self.raise_alert(r, AlertKind.AT_RISK, t))
        self._evict(t)
        return alerts

    def raise_alert(self, r: CaseRecord, kind: AlertKind, t: float) -> Alert:
        # A breach implies the at-risk point passed too: never send an at-risk after a breach.
        r.at_risk_emitted = True
        r.breached_emitted = r.breached_emitted or kind is AlertKind.BREACHED
        self.dirty.add(r.case_id)
        rule = self.config.escalation(kind, r.department, r.priority, r.channel)
        if rule is not None and rule.redispatch_to is not None:
            r.escalated_to = rule.redispatch_to
        return make_alert(r, kind, t, self.elapsed(r, t), rule)

    def restore(self, records: Iterable[CaseRecord]) -> None:
        for r in records:
            self.cases[r.case_id] = r
            self.reschedule(r)
        self.dirty.clear()

    def drain_dirty(self) -> tuple[list[CaseRecord], list[str]]:
        """Changed records and evicted case ids since the last call: what the changelog write
        (records, and tombstones for the evicted) must contain."""
        out = [self.cases[c] for c in sorted(self.dirty) if c in self.cases]
        gone = sorted(self.evicted)
        self.dirty.clear()
        self.evicted.clear()
        return out, gone

    def _evict(self, t: float) -> None:
        keep_resolved = self.config.retain_resolved_seconds
        abandon = self.config.abandon_after_seconds
        gone = [
            c
            for c, r in self.cases.items()
            if (r.resolved_at is not None and t - r.resolved_at > keep_resolved)
            or (r.resolved_at is None and t - r.started_at > abandon)
        ]
        for c in gone:
            del self.cases[c]
        self.evicted.update(gone)
