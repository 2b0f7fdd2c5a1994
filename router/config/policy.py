"""Classifier, priority and SLA sections of the routing configuration. Defaults are the service
standards of DESIGN.md, so a platform team changes behaviour by editing YAML only."""

from typing import Annotated

from pydantic import Field, PositiveInt

from intake.message import Channel, MessageKind
from router.config.model import LanguageTag, Name, Priority, Strict
from router.sla.config import BusinessCalendar


class ClassifierPolicy(Strict):
    threshold: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Model confidence below which a message without a deciding rule goes to "
        "the fallback department",
    )
    language_thresholds: dict[LanguageTag, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description="Threshold per detected language, e.g. {zh: 0.4}: a model's confidence is "
        "calibrated differently where it saw less training text",
    )
    model: str = Field(
        "builtin",
        description="Statistical layer: 'builtin' (the model shipped with omniroute), 'none' "
        "(rules only) or the path of a trained model (relative to the config file)",
    )


class PriorityPolicy(Strict):
    """Each signal raises the priority to at least its value; the highest one wins and the
    decision records which signal that was."""

    default: Priority = Field(Priority.NORMAL, description="Priority without any signal")
    tiers: dict[Name, Priority] = Field(
        default_factory=lambda: {"vip": Priority.HIGH},
        description="Lowest priority per customer tier (from the customer directory)",
    )
    channels: dict[Channel, Priority] = Field(
        default_factory=dict, description="Lowest priority per channel"
    )
    departments: dict[Name, Priority] = Field(
        default_factory=dict, description="Lowest priority per department (category)"
    )
    intents: dict[Name, Priority] = Field(
        default_factory=dict, description="Lowest priority per classified intent"
    )
    kinds: dict[MessageKind, Priority] = Field(
        default_factory=lambda: {MessageKind.CALLBACK_REQUEST: Priority.HIGH},
        description="Lowest priority per message kind (a missed call is called back first)",
    )


class SlaTarget(Strict):
    """An explicit target for a channel x department x priority (x language x tier) cell. The
    first target whose selectors all match wins; empty selectors match everything."""

    id: Name = Field(description="Stable id, recorded in the decision's sla_policy")
    channels: tuple[Channel, ...] = Field((), description="Only these channels (empty = all)")
    departments: tuple[Name, ...] = Field((), description="Only these departments (empty = all)")
    priorities: tuple[Priority, ...] = Field((), description="Only these priorities (empty = all)")
    languages: tuple[LanguageTag, ...] = Field((), description="Only these languages (empty = all)")
    tiers: tuple[Name, ...] = Field((), description="Only these customer tiers (empty = all)")
    seconds: int | None = Field(
        None, gt=0, description="First-response target in business seconds (none: the default)"
    )
    calendar: Name | None = Field(
        None, description="Business-hours calendar (none: `default_calendar`)"
    )
    customer_time_zone: bool = Field(
        False,
        description="Count the calendar's opening hours in the customer's time zone (from the "
        "directory) instead of the calendar's own: cross-border shops serve other zones",
    )


class SlaPolicy(Strict):
    first_response_seconds: dict[Channel, PositiveInt] = Field(
        default_factory=lambda: {
            Channel.WEBCHAT: 30,
            Channel.PHONE: 15,
            Channel.SOCIAL: 3600,
            Channel.EMAIL: 86400,
            Channel.API: 86400,
        },
        description="First-response target per channel (seconds)",
    )
    department_max_seconds: dict[Name, PositiveInt] = Field(
        default_factory=lambda: {"complaints": 86400, "returns": 86400},
        description="Upper bound per department: the deadline is the earlier of the two",
    )
    priority_factor: dict[Priority, Annotated[float, Field(gt=0)]] = Field(
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
    targets: tuple[SlaTarget, ...] = Field(
        (), description="Explicit targets, first match wins, before the per-channel defaults"
    )
    calendars: dict[Name, BusinessCalendar] = Field(
        default_factory=dict, description="Named business-hours calendars (hours, holidays, zone)"
    )
    default_calendar: Name | None = Field(
        None, description="Calendar for targets without their own; none = around the clock"
    )
