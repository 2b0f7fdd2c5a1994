"""Per-department figures for gauges and the /status page, computed from the tracker's records
(one pass; done per scrape and per status request, not per event)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from router.sla.config import SlaTrackerConfig
from router.sla.record import CaseRecord


class TrackedCases(Protocol):
    """One tracker, or the union of an instance's per-partition trackers."""

    @property
    def config(self) -> SlaTrackerConfig: ...

    @property
    def departments(self) -> frozenset[str]: ...

    @property
    def cases(self) -> Mapping[str, CaseRecord]: ...


@dataclass(slots=True)
class DepartmentStatus:
    department: str
    open_cases: int = 0
    awaiting_response: int = 0
    oldest_waiting_seconds: float = 0.0  # wall-clock age of the oldest unanswered case
    at_risk: int = 0  # unanswered, past the at-risk point, not yet breached
    breached_open: int = 0  # unanswered and already breached
    met_in_window: int = 0
    breached_in_window: int = 0

    @property
    def attainment(self) -> float | None:
        decided = self.met_in_window + self.breached_in_window
        return None if decided == 0 else self.met_in_window / decided


@dataclass(frozen=True, slots=True)
class RiskCase:
    case_id: str
    department: str
    channel: str
    priority: str
    breached: bool
    waiting_seconds: float
    due_in_seconds: float | None  # negative once overdue


@dataclass(slots=True)
class Summary:
    departments: dict[str, DepartmentStatus]
    at_risk: list[RiskCase] = field(default_factory=list)


def summarize(tracker: TrackedCases, now: datetime, max_cases: int = 50) -> Summary:
    t = now.timestamp()
    since = t - tracker.config.status_window_seconds
    out = {d: DepartmentStatus(d) for d in sorted(tracker.departments)}
    risky: list[RiskCase] = []
    for r in tracker.cases.values():
        s = out.setdefault(r.department, DepartmentStatus(r.department))
        _count_window(s, r, since)
        if not r.open:
            continue
        s.open_cases += 1
        if not r.awaiting_response:
            continue
        s.awaiting_response += 1
        s.oldest_waiting_seconds = max(s.oldest_waiting_seconds, t - r.started_at)
        if r.breached_emitted:
            s.breached_open += 1
        elif r.at_risk_emitted:
            s.at_risk += 1
        if r.at_risk_emitted:
            due = None if r.due_at is None else r.due_at - t
            risky.append(
                RiskCase(
                    r.case_id,
                    r.department,
                    r.channel,
                    r.priority,
                    r.breached_emitted,
                    t - r.started_at,
                    due,
                )
            )
    risky.sort(key=lambda c: c.waiting_seconds, reverse=True)
    return Summary(out, risky[:max_cases])


def _count_window(s: DepartmentStatus, r: CaseRecord, since: float) -> None:
    if r.started_at < since:
        return
    if r.breached_emitted:
        s.breached_in_window += 1
    elif r.first_response_at is not None:
        s.met_in_window += 1
