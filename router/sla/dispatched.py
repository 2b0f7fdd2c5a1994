"""The router's `dispatched` lifecycle record: the start of a case's SLA clock.

The router writes it to `omniroute.events`, keyed by case id, in the same Kafka transaction as
the dispatch itself, so a case is either dispatched with its clock started or neither; and it
lands on the partition of the department tools' events for that case (same key), which is what
lets the SLA tracker keep a case's state local to one partition. The record carries everything
the tracker needs (target, calendar, deadline), so the decision is the single source of how the
clock runs. It is told apart from the tools' events by its `ce_type` header; department tools
reading `omniroute.events` may ignore it.
"""

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from intake import serde
from intake.headers import Headers, cloudevent_headers
from intake.message import Channel, Message
from router.config.model import Priority
from router.decision import Decision

DISPATCHED_SCHEMA_VERSION: Literal["1"] = "1"
TYPE_DISPATCHED = "io.omniroute.case_dispatched.v1"
_ZONE_MARK = "@"


class CaseDispatched(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: Literal["1"] = Field(DISPATCHED_SCHEMA_VERSION, description="Contract version")
    type: Literal["dispatched"] = "dispatched"
    case_id: str
    message_id: str
    kind: Literal["new", "follow_up"] = Field(description="A new case, or a further contact")
    channel: Channel
    department: str
    priority: Priority
    received_at: AwareDatetime = Field(description="Intake receipt")
    started_at: AwareDatetime = Field(description="SLA clock start: when the customer acted")
    dispatched_at: AwareDatetime
    sla_target_seconds: int = Field(ge=0, description="First-response target, SLA seconds")
    sla_calendar: str | None = Field(None, description="Routing-config calendar; none = 24/7")
    calendar_timezone: str | None = Field(
        None, description="Zone the calendar's hours were counted in (the customer's, if set)"
    )
    due_at: AwareDatetime = Field(description="First-response deadline the router stamped")
    contact_count: int = Field(1, ge=1, description="Customer contacts on the case so far")

    @property
    def key(self) -> bytes:
        return self.case_id.encode()


def calendar_zone(decision: Decision) -> str | None:
    """The zone `router.policy.decide_sla` counted the calendar in. It records it only in the
    policy text (`... calendar:<name>@<zone>`, always last); a target with
    `customer_time_zone` makes it differ from the calendar's own zone."""
    if decision.sla_calendar is None:
        return None
    mark = f"calendar:{decision.sla_calendar}{_ZONE_MARK}"
    _, found, rest = decision.sla_policy.rpartition(mark)
    zone = rest.split(" ", 1)[0]
    return zone if found and zone else None


def _fields(
    message: Message, decision: Decision, kind: Literal["new", "follow_up"]
) -> dict[str, Any]:
    received = message.received_at
    target = decision.sla_target_seconds
    start = min(message.occurred_at or received, received)
    if target is None:  # a decision recorded before targets were stamped: wall-clock seconds
        target = max(round((decision.sla_due_at - start).total_seconds()), 0)
    fields: dict[str, Any] = {
        "schema_version": DISPATCHED_SCHEMA_VERSION,
        "type": "dispatched",
        "case_id": decision.case_id or decision.message_id,
        "message_id": decision.message_id,
        "kind": kind,
        "channel": message.channel.value,
        "department": decision.department,
        "priority": decision.priority.value,
        "received_at": received,
        "started_at": start,
        "dispatched_at": decision.decided_at,
        "sla_target_seconds": target,
        "due_at": decision.sla_due_at,
        "contact_count": decision.contact_count,
    }
    zone = calendar_zone(decision)
    if decision.sla_calendar is not None:  # absent rather than null, like serde.dumps
        fields["sla_calendar"] = decision.sla_calendar
    if zone is not None:
        fields["calendar_timezone"] = zone
    return fields


def case_dispatched(
    message: Message, decision: Decision, kind: Literal["new", "follow_up"]
) -> CaseDispatched:
    return CaseDispatched.model_validate(_fields(message, decision, kind))


def dispatched_record(
    message: Message, decision: Decision, follow_up: bool
) -> tuple[bytes, bytes, Headers]:
    """(key, value, headers) of the record for `omniroute.events`. On the router's hot path:
    the fields come from already validated models and are serialised as they are (validating
    them into a `CaseDispatched` first would cost more than the rest of the record;
    tests/unit/test_sla_dispatched.py checks that the bytes read back as one)."""
    fields = _fields(message, decision, "follow_up" if follow_up else "new")
    case_id: str = fields["case_id"]
    headers = cloudevent_headers(
        event_id=f"{decision.message_id}:dispatched",
        source="/omniroute/router",
        event_type=TYPE_DISPATCHED,
        time=decision.decided_at,
        subject=case_id,
    )
    return case_id.encode(), serde.dumps_obj(fields), headers
