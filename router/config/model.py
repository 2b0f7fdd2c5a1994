"""The routing configuration model. Everything the DESIGN.md calls "defaults from the service
standards" is a default here, so a platform team changes behaviour by editing YAML only."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from intake.message import Channel

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
TRIAGE = "triage"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Model):
    """Keyword/regex rule. Keywords match case-insensitively on whole words for Latin script
    and as substrings for CJK (which has no spaces between words)."""

    id: Name = Field(description="Stable rule id, recorded in every decision it takes part in")
    department: Name | None = Field(
        None, description="Department the rule routes to (none: a priority-only rule)"
    )
    keywords: tuple[str, ...] = Field((), description="Words or phrases, any language")
    regex: tuple[str, ...] = Field((), description="Python regular expressions (case-insensitive)")
    channels: tuple[Channel, ...] = Field((), description="Only these channels (empty = all)")
    weight: float = Field(1.0, gt=0, description="Score per distinct match")
    priority: Priority | None = Field(None, description="Raise priority to at least this")

    @model_validator(mode="after")
    def _has_matchers(self) -> "Rule":
        if not self.keywords and not self.regex:
            raise ValueError("a rule needs keywords or regex")
        if self.department is None and self.priority is None:
            raise ValueError("a rule needs a department or a priority")
        return self


class SlaPolicy(_Model):
    first_response_seconds: dict[Channel, int] = Field(
        default_factory=lambda: {
            Channel.WEBCHAT: 30,
            Channel.PHONE: 15,
            Channel.SOCIAL: 3600,
            Channel.EMAIL: 86400,
            Channel.API: 86400,
        },
        description="First-response target per channel (seconds)",
    )
    department_max_seconds: dict[Name, int] = Field(
        default_factory=lambda: {"complaints": 86400, "returns": 86400},
        description="Upper bound per department: the deadline is the earlier of the two",
    )
    priority_factor: dict[Priority, float] = Field(
        default_factory=lambda: {
            Priority.URGENT: 0.25,
            Priority.HIGH: 0.5,
            Priority.NORMAL: 1.0,
            Priority.LOW: 1.0,
        },
        description="Multiplier on the target by priority",
    )
    repeat_contacts: int = Field(
        3,
        ge=2,
        description="Customer contacts on one case (follow-ups and repeats included) from which "
        "its priority is raised to at least `repeat_priority`",
    )
    repeat_priority: Priority = Field(
        Priority.HIGH, description="Lowest priority of a case the customer keeps chasing"
    )


class RoutingConfig(_Model):
    departments: tuple[Name, ...] = Field(description="Department queues (one topic each)")
    fallback_department: Name = Field(TRIAGE, description="Where unclassifiable messages go")
    rules: tuple[Rule, ...] = Field((), description="Keyword/regex rules, in order")
    sla: SlaPolicy = Field(default_factory=SlaPolicy, description="SLA targets")
    version: str = Field("", description="Content hash; set by the loader, never by hand")

    @model_validator(mode="after")
    def _known_departments(self) -> "RoutingConfig":
        known = {*self.departments, self.fallback_department}
        for rule in self.rules:
            if rule.department is not None and rule.department not in known:
                raise ValueError(f"rule {rule.id}: unknown department '{rule.department}'")
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate rule ids: {', '.join(dupes)}")
        return self

    def all_departments(self) -> list[str]:
        return [*self.departments, self.fallback_department]
