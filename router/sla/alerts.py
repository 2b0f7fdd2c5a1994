"""SLA alerts as they travel on `omniroute.alerts` (keyed by case id). The alert id is the case
id plus the kind, so a consumer (and the tracker itself after a restart) can tell a repeat."""

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from router.config.model import Priority

ALERT_SCHEMA_VERSION: Literal["1"] = "1"
TYPE_ALERT = "io.omniroute.sla_alert.v1"
TYPE_ESCALATION = "io.omniroute.escalation.v1"


class AlertKind(StrEnum):
    AT_RISK = "at_risk"  # a configured share of the target passed without a first response
    BREACHED = "breached"  # the first-response target passed without a first response


class Escalation(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str = Field(description="Escalation rule that fired")
    redispatch_to: str | None = Field(None, description="Department queue it was re-sent to")
    raise_priority: Priority | None = Field(None, description="Priority raised to")


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: Literal["1"] = Field(ALERT_SCHEMA_VERSION, description="Contract version")
    id: str = Field(description="<case_id>:<kind>; at most one of each per case")
    kind: AlertKind
    case_id: str
    department: str
    channel: str
    priority: Priority
    due_at: AwareDatetime | None = Field(description="Current first-response deadline")
    target_seconds: float = Field(description="First-response target in business seconds")
    elapsed_seconds: float = Field(description="Business seconds elapsed, pauses excluded")
    at: AwareDatetime = Field(description="When the tracker raised it")
    escalation: Escalation | None = None

    @property
    def key(self) -> bytes:
        return self.case_id.encode()


def alert_id(case_id: str, kind: AlertKind) -> str:
    return f"{case_id}:{kind.value}"
