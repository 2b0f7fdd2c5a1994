"""Case lifecycle events: what department tools report about a dispatched case.

They travel on `omniroute.events`, keyed by case id, and feed the router's SLA tracker; the
router writes its own `dispatched` record for each case there too (`router.sla.dispatched`,
told apart by its `ce_type`), which starts the case's SLA clock. The
contract is versioned like `intake.message`: bump `EVENT_SCHEMA_VERSION` on any change a
consumer could notice, and keep old versions readable. The actor is the reporting *tool*, never
an agent or a customer, so no personal data enters the event stream through it.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

EVENT_SCHEMA_VERSION: Literal["1"] = "1"
TYPE_LIFECYCLE = "io.omniroute.lifecycle.v1"

CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
DepartmentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
ToolName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")]


class EventType(StrEnum):
    """A bounded set: it is a metric label."""

    ASSIGNED = "assigned"  # an agent or team took the case; no SLA effect
    FIRST_RESPONSE = "first_response"  # stops the first-response clock
    RESPONDED = "responded"  # any later reply (counts as first response if none came yet)
    WAITING_ON_CUSTOMER = "waiting_on_customer"  # pauses the SLA clocks
    CUSTOMER_REPLIED = "customer_replied"  # resumes paused clocks
    RESOLVED = "resolved"  # stops the resolution clock (and the first-response one)
    REOPENED = "reopened"  # resumes a resolved case
    TRANSFERRED = "transferred"  # moved to `to_department`; the SLA clock keeps running


class LifecycleEventDraft(BaseModel):
    """What a department tool posts to `POST /v1/events` (the server fills in the actor)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(
        description="The tool's own event id; a retry must carry the same id"
    )
    type: EventType = Field(description="What happened to the case")
    case_id: CaseId = Field(description="Case id from the dispatched record (decision.case_id)")
    department: DepartmentName = Field(description="Department that handles the case now")
    occurred_at: AwareDatetime = Field(description="When it happened, with a UTC offset")
    to_department: DepartmentName | None = Field(
        None, description="Target department; required for (and only for) `transferred`"
    )

    @model_validator(mode="after")
    def _transfer_target(self) -> "LifecycleEventDraft":
        if (self.type is EventType.TRANSFERRED) != (self.to_department is not None):
            raise ValueError("to_department is required for 'transferred' and only allowed there")
        return self


class LifecycleEvent(LifecycleEventDraft):
    """A lifecycle event as it travels on `omniroute.events` (schema version 1)."""

    schema_version: Literal["1"] = Field(EVENT_SCHEMA_VERSION, description="Contract version")
    actor: ToolName = Field(description="Reporting tool (token name at HTTP), never a person")

    @property
    def key(self) -> bytes:
        return self.case_id.encode()
