"""What each lifecycle event does to a case record. Each transition returns whether it changed
anything; a transition that changes nothing is a replay or an out-of-order repeat and must not
produce observations (that is what keeps counts exact across redeliveries and restarts)."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from intake.events import EventType, LifecycleEvent
from router.sla.alerts import AlertKind
from router.sla.record import CaseRecord

if TYPE_CHECKING:
    from router.sla.tracker import SlaTracker, Update


class Measure(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


@dataclass(frozen=True, slots=True)
class Observation:
    """A measured duration in SLA seconds (business hours, pauses excluded). `met` is set for
    a first response that decided the SLA outcome; None when a breach alert already counted it."""

    measure: Measure
    channel: str
    department: str
    priority: str
    seconds: float
    met: bool | None = None


Transition = Callable[["SlaTracker", CaseRecord, LifecycleEvent, float, "Update"], bool]


def _observe(r: CaseRecord, measure: Measure, seconds: float, met: bool | None) -> Observation:
    return Observation(measure, r.channel, r.department, r.priority, seconds, met)


def _respond(tr: "SlaTracker", r: CaseRecord, at: float, update: "Update") -> bool:
    if r.first_response_at is not None:
        return False
    if r.paused_since is not None:  # a reply ends the wait
        _resume(r, at)
    r.first_response_at = at
    seconds = tr.elapsed(r, at)
    met: bool | None = None
    if not r.breached_emitted:
        met = seconds <= r.target_s
        if not met:  # the tick has not caught it yet: the late answer itself is the breach,
            # and the breach alert is what counts the outcome.
            update.alerts.append(tr.raise_alert(r, AlertKind.BREACHED, at))
            met = None
    update.observations.append(_observe(r, Measure.FIRST_RESPONSE, seconds, met))
    return True


def _resume(r: CaseRecord, at: float) -> None:
    assert r.paused_since is not None
    r.paused.append((r.paused_since, max(at, r.paused_since)))
    r.paused_since = None


def responded(tr: "SlaTracker", r: CaseRecord, e: LifecycleEvent, at: float, u: "Update") -> bool:
    return _respond(tr, r, at, u)


def resolved(tr: "SlaTracker", r: CaseRecord, e: LifecycleEvent, at: float, u: "Update") -> bool:
    if r.resolved_at is not None:
        return False
    _respond(tr, r, at, u)  # resolving answers the customer, if nobody had yet
    if r.paused_since is not None:
        _resume(r, at)
    r.resolved_at = at
    if not r.resolution_seen:
        r.resolution_seen = True
        u.observations.append(_observe(r, Measure.RESOLUTION, tr.elapsed(r, at), None))
    return True


def paused(tr: "SlaTracker", r: CaseRecord, e: LifecycleEvent, at: float, u: "Update") -> bool:
    if r.paused_since is not None or r.resolved_at is not None:
        return False
    if r.paused and at < r.paused[-1][1]:  # an old pause replayed after a later resume
        return False
    r.paused_since = at
    return True


def resumed(tr: "SlaTracker", r: CaseRecord, e: LifecycleEvent, at: float, u: "Update") -> bool:
    if r.paused_since is None:
        return False
    _resume(r, at)
    return True


def reopened(tr: "SlaTracker", r: CaseRecord, e: LifecycleEvent, at: float, u: "Update") -> bool:
    if r.resolved_at is None or at < r.resolved_at:
        return False
    r.resolved_at = None
    r.reopens += 1
    return True


def transferred(tr: "SlaTracker", r: CaseRecord, e: LifecycleEvent, at: float, u: "Update") -> bool:
    if e.to_department is None or e.to_department == r.department:
        return False
    # Metrics and escalations follow the case; its clock (target, calendar) stays the one the
    # router's decision set.
    r.department = e.to_department
    return True


def assigned(tr: "SlaTracker", r: CaseRecord, e: LifecycleEvent, at: float, u: "Update") -> bool:
    return False  # informational: no SLA effect, nothing to store


TRANSITIONS: dict[EventType, Transition] = {
    EventType.ASSIGNED: assigned,
    EventType.FIRST_RESPONSE: responded,
    EventType.RESPONDED: responded,
    EventType.WAITING_ON_CUSTOMER: paused,
    EventType.CUSTOMER_REPLIED: resumed,
    EventType.RESOLVED: resolved,
    EventType.REOPENED: reopened,
    EventType.TRANSFERRED: transferred,
}
