"""Builders for SLA tracker tests: a dispatched message with a chosen target, and events."""

from datetime import UTC, datetime, timedelta

from intake.events import EventType, LifecycleEvent
from intake.message import Channel, Message
from router.classifier import Layer
from router.config.model import Priority
from router.decision import Decision

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
) -> tuple[Decision, Message]:
    message = Message(
        channel=channel,
        channel_message_id=case,
        id=case,
        source="test",
        received_at=at,
        routing_key="k-" + case,
        text="hello",
    )
    decision = Decision(
        message_id=case,
        department=department,
        layer=Layer.RULES,
        confidence=1.0,
        priority=priority,
        sla_due_at=at + timedelta(seconds=target_s),
        sla_policy="test",
        config_version="test",
        decided_at=at + timedelta(milliseconds=200),
    )
    return decision, message


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
