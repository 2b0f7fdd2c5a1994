"""Builders for SLA tracker tests: the router's `dispatched` record with a chosen target, and
events."""

from datetime import UTC, datetime, timedelta

from intake.events import EventType, LifecycleEvent
from intake.message import Channel
from router.config.model import Priority
from router.sla.dispatched import CaseDispatched

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC
DEPARTMENTS = ("customer_service", "complaints", "logistics", "supervisors", "triage")


def dispatch(
    case: str,
    target_s: float,
    *,
    at: datetime = T0,
    channel: Channel = Channel.WEBCHAT,
    department: str = "customer_service",
    priority: Priority = Priority.NORMAL,
    calendar: str | None = None,
    zone: str | None = None,
    contacts: int = 1,
) -> CaseDispatched:
    """`due_at` is the wall-clock deadline only without a calendar; the tracker never reads it
    (it counts `sla_target_seconds` on the calendar)."""
    return CaseDispatched(
        case_id=case,
        message_id=f"{case}-m{contacts}",
        kind="new" if contacts == 1 else "follow_up",
        channel=channel,
        department=department,
        priority=priority,
        received_at=at,
        started_at=at,
        dispatched_at=at + timedelta(milliseconds=200),
        sla_target_seconds=round(target_s),
        sla_calendar=calendar,
        calendar_timezone=zone,
        due_at=at + timedelta(seconds=target_s),
        contact_count=contacts,
    )


def event(
    case: str,
    kind: EventType,
    at: datetime,
    *,
    eid: str | None = None,
    department: str = "customer_service",
    to: str | None = None,
) -> LifecycleEvent:
    return LifecycleEvent(
        id=eid or f"{case}-{kind.value}-{at.timestamp()}",
        type=kind,
        case_id=case,
        department=department,
        occurred_at=at,
        to_department=to,
        actor="helpdesk",
    )


def secs(n: float) -> timedelta:
    return timedelta(seconds=n)
