"""The decision record: everything needed to explain a routing decision (DESIGN principle 4).
It travels with the dispatched message and is also written to `omniroute.decisions`."""

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from intake.message import Message
from router.classifier import Classification, Layer
from router.config.model import Priority
from router.dedup.verdict import DedupLayer
from router.policy import SlaDecision

ROUTER_VERSION = "0.1.0"


class RuleMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    # Defaults matter: serde drops None values on the wire, so a None-able field without a
    # default would make every recorded decision unreadable (tests/unit/test_wire_models.py).
    department: str | None = None
    priority: Priority | None = None
    score: float
    matches: tuple[str, ...]
    intent: str | None = None


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str
    department: str
    intent: str | None = None
    layer: Layer
    confidence: float
    priority: Priority
    sla_due_at: AwareDatetime
    sla_policy: str
    rules: tuple[RuleMatch, ...] = ()
    scores: dict[str, float] = Field(default_factory=dict)
    language: str | None = Field(None, description="Detected language (BCP 47 primary tag)")
    threshold: float | None = Field(None, description="Model confidence threshold in force")
    model_version: str | None = Field(None, description="Statistical model that scored it")
    model_scores: dict[str, float] = Field(
        default_factory=dict, description="The model's department scores, also when rules decided"
    )
    priority_reason: str = Field("default", description="Signal that set the priority")
    sla_target_seconds: int | None = Field(
        None, description="First-response target in business seconds (see sla_calendar)"
    )
    sla_calendar: str | None = Field(None, description="Business-hours calendar; none = 24/7")
    case_id: str | None = None
    contact_count: int = Field(1, ge=1, description="Customer contacts on the case so far")
    classified_department: str | None = Field(
        None,
        description="A follow-up goes to the department that owns its case; this is where the "
        "classifier alone would have sent it (set only when the two differ)",
    )
    config_version: str
    router_version: str = ROUTER_VERSION
    decided_at: AwareDatetime


class Dispatch(BaseModel):
    """The value on `omniroute.dept.<department>`: the message and why it is here."""

    model_config = ConfigDict(frozen=True)

    message: Message
    decision: Decision


class DuplicateRecord(BaseModel):
    """The value on `omniroute.duplicates`: a repeat is never dropped silently."""

    model_config = ConfigDict(frozen=True)

    message: Message
    duplicate_of: str = Field(description="Id of the message this one repeats")
    layer: DedupLayer = Field(description="exact (same message id) or near (same content)")
    case_id: str = Field(description="Case of the original")
    department: str | None = Field(None, description="Department that owns the case")
    contact_count: int = Field(ge=1, description="Customer contacts on the case so far")
    detected_at: AwareDatetime


def make_decision(
    message: Message,
    c: Classification,
    *,
    sla: SlaDecision,
    config_version: str,
    now: datetime,
    case_id: str | None = None,
    contact_count: int = 1,
    classified_department: str | None = None,
) -> Decision:
    return Decision(
        message_id=message.id,
        department=c.department,
        intent=c.intent,
        layer=c.layer,
        confidence=round(c.confidence, 4),
        priority=sla.priority,
        sla_due_at=sla.due_at,
        sla_policy=sla.policy,
        rules=tuple(
            RuleMatch(
                rule_id=h.rule_id,
                department=h.department,
                priority=h.priority,
                score=h.score,
                matches=h.matches,
                intent=h.intent,
            )
            for h in c.hits
        ),
        scores=dict(c.scores),
        language=c.language,
        threshold=c.threshold,
        model_version=c.model_version,
        model_scores={k: round(v, 4) for k, v in c.model_scores},
        priority_reason=sla.priority_reason,
        sla_target_seconds=sla.target_seconds or None,
        sla_calendar=sla.calendar,
        case_id=case_id,
        contact_count=contact_count,
        classified_department=classified_department,
        config_version=config_version,
        decided_at=now,
    )
