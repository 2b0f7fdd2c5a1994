"""Building blocks of the routing configuration: names, priorities and the `Rule` model.

This module imports nothing else from `router`, because `router.sla` builds on its names and
priorities while the full `RoutingConfig` (router/config/routing.py) builds on `router.sla`'s
business calendar; keeping the leaves here keeps that import graph acyclic.
"""

import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from intake.message import Channel, MessageKind

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
TRIAGE = "triage"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Strict(BaseModel):
    """Frozen and closed: a misspelt key in YAML is an error, not a silently ignored setting."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
    return pattern


def _scalar_text(value: object) -> str:
    """How metadata values compare: YAML `true` and JSON `true` both become 'true'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).casefold()


def _values(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: tuple(_scalar_text(x) for x in v)
            if isinstance(v, list | tuple)
            else (_scalar_text(v),)
            for k, v in value.items()
        }
    return value


Regex = Annotated[str, AfterValidator(_compiles)]
MetadataMatch = Annotated[dict[str, tuple[str, ...]], BeforeValidator(_values)]


class Rule(Strict):
    """An explicit rule. Conditions (channels, kinds, languages, tiers, metadata, senders) must
    all hold; then keywords/regex score per distinct match, or a rule without text matchers
    scores its weight once. Keywords match case-insensitively on whole words for Latin script
    and as substrings for CJK (which has no spaces between words)."""

    id: Name = Field(description="Stable rule id, recorded in every decision it takes part in")
    department: Name | None = Field(
        None, description="Department the rule routes to (none: a priority-only rule)"
    )
    intent: Name | None = Field(None, description="Finer intent recorded when this rule decides")
    keywords: tuple[str, ...] = Field((), description="Words or phrases, any language")
    regex: tuple[Regex, ...] = Field((), description="Python regexes (case-insensitive)")
    channels: tuple[Channel, ...] = Field((), description="Only these channels (empty = all)")
    kinds: tuple[MessageKind, ...] = Field((), description="Only these message kinds (empty = all)")
    languages: tuple[LanguageTag, ...] = Field(
        (), description="Only messages detected in these languages, e.g. [zh] (empty = all)"
    )
    tiers: tuple[Name, ...] = Field(
        (), description="Only customers of these directory tiers, e.g. [vip] (empty = all)"
    )
    metadata: MetadataMatch = Field(
        default_factory=dict,
        description="Channel metadata that must be present, key -> value or list of values "
        "(case-insensitive), e.g. {queue: orders} for a phone queue hint",
    )
    senders: tuple[str, ...] = Field(
        (),
        description="Glob patterns on the sender's email, phone or 'platform:handle', e.g. "
        "'*@supplier.example' or '+8610*' (any one matches)",
    )
    weight: float = Field(1.0, gt=0, description="Score per distinct match")
    priority: Priority | None = Field(None, description="Raise priority to at least this")

    @model_validator(mode="after")
    def _has_matchers(self) -> "Rule":
        conditions = (self.channels, self.kinds, self.languages, self.tiers, self.senders)
        if not (self.keywords or self.regex or self.metadata or any(conditions)):
            raise ValueError("a rule needs keywords, regex, metadata, senders or a condition")
        if self.department is None and self.priority is None:
            raise ValueError("a rule needs a department or a priority")
        return self

    @property
    def has_text(self) -> bool:
        return bool(self.keywords or self.regex)
