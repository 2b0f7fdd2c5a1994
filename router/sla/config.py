"""SLA tracker configuration: business-hours calendars, the at-risk share, escalation rules.

Targets and calendars come from the routing config (`sla` policy, stamped on every decision as
`sla_target_seconds` and `sla_calendar`, and on the router's `dispatched` record): the tracker
counts each case on the calendar that set its deadline. This model says what happens when the
clock runs out. `BusinessCalendar` lives here because the routing config's `sla.calendars` and
the tracker's arithmetic share it.
"""

from datetime import date
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from intake.message import Channel
from router.config.model import Name, Priority
from router.sla.alerts import AlertKind

HoursRange = Annotated[str, StringConstraints(pattern=r"^\d\d:\d\d-\d\d:\d\d$")]


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


_WEEKDAYS = list(Weekday)


def _minutes(hhmm: str) -> int:
    hours, minutes = int(hhmm[:2]), int(hhmm[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"invalid time of day '{hhmm}'")
    return hours * 60 + minutes


def _office_hours() -> dict[Weekday, tuple[str, ...]]:
    return {d: ("09:00-17:00",) for d in _WEEKDAYS[:5]}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BusinessCalendar(_Model):
    """When the SLA clock runs. Local wall-clock hours in `timezone`, so DST shifts move the
    hours with the office, not with UTC."""

    timezone: str = Field("UTC", description="IANA time zone name (zoneinfo), e.g. Europe/Berlin")
    hours: dict[Weekday, tuple[HoursRange, ...]] = Field(
        default_factory=_office_hours,
        description="Opening hours per weekday as 'HH:MM-HH:MM' (24:00 allowed as an end)",
    )
    holidays: tuple[date, ...] = Field((), description="Closed dates (local), e.g. 2025-12-25")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @model_validator(mode="after")
    def _ranges_valid(self) -> "BusinessCalendar":
        if not any(self.ranges.values()):
            raise ValueError("a calendar needs at least one opening range")
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def ranges(self) -> dict[int, tuple[tuple[int, int], ...]]:
        """Python weekday (Monday = 0) -> sorted (start, end) minutes of the day."""
        out: dict[int, tuple[tuple[int, int], ...]] = {}
        for index, day in enumerate(_WEEKDAYS):
            spans = sorted((_minutes(r[:5]), _minutes(r[6:])) for r in self.hours.get(day, ()))
            for (_, end), (start, _) in pairwise(spans):
                if start < end:
                    raise ValueError(f"{day.value}: overlapping opening ranges")
            if any(start >= end for start, end in spans):
                raise ValueError(f"{day.value}: a range must end after it starts")
            out[index] = tuple(spans)
        return out

    @cached_property
    def closed(self) -> frozenset[date]:
        return frozenset(self.holidays)


class EscalationRule(_Model):
    """What to do when an alert fires. The first matching rule wins."""

    id: Name = Field(description="Stable rule id, recorded on the alert")
    # Not `on`: YAML 1.1 (PyYAML) reads a bare `on` key as the boolean true.
    trigger: AlertKind = Field(AlertKind.BREACHED, description="Alert kind that fires it")
    departments: tuple[Name, ...] = Field((), description="Only these departments (empty = all)")
    priorities: tuple[Priority, ...] = Field((), description="Only these priorities (empty = all)")
    channels: tuple[Channel, ...] = Field((), description="Only these channels (empty = all)")
    redispatch_to: Name | None = Field(None, description="Re-send the case to this queue")
    raise_priority: Priority | None = Field(None, description="Raise the case to this priority")

    @model_validator(mode="after")
    def _has_action(self) -> "EscalationRule":
        if self.redispatch_to is None and self.raise_priority is None:
            raise ValueError("an escalation rule needs redispatch_to or raise_priority")
        return self

    def matches(self, kind: AlertKind, department: str, priority: str, channel: str) -> bool:
        return (
            kind is self.trigger
            and (not self.departments or department in self.departments)
            and (not self.priorities or priority in self.priorities)
            and (not self.channels or channel in self.channels)
        )


class SlaTrackerConfig(_Model):
    at_risk_share: float = Field(
        0.8, gt=0, lt=1, description="Share of the target after which an at-risk alert fires"
    )
    escalations: tuple[EscalationRule, ...] = Field((), description="Escalation rules, in order")
    retain_resolved_seconds: int = Field(
        7 * 86400, ge=0, description="How long resolved cases stay in memory (status, reopen)"
    )
    abandon_after_seconds: int = Field(
        30 * 86400, ge=3600, description="Open cases older than this are dropped from tracking"
    )
    status_window_seconds: int = Field(
        86400, ge=60, description="Window of the attainment figure on /status"
    )

    def escalation(
        self, kind: AlertKind, department: str, priority: str, channel: str
    ) -> EscalationRule | None:
        for rule in self.escalations:
            if rule.matches(kind, department, priority, channel):
                return rule
        return None
