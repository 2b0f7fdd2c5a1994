"""Priority and SLA deadline for a classified message.

Priority: the highest of the configured signals (rules such as legal threats or safety,
customer tier, channel, department, intent, message kind), raised further for a customer who
keeps contacting us about the same matter. Deadline: an explicit target for the channel x
department x priority cell, else the channel's target capped per department and scaled by
priority; counted in business hours when a calendar applies (`router.sla.calendar`, the same
arithmetic the SLA tracker uses).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from intake.message import Message
from router.classifier import Classification
from router.config.model import RANK, Priority
from router.config.policy import SlaPolicy, SlaTarget
from router.config.routing import RoutingConfig
from router.rules import primary_language
from router.sla import calendar as business
from router.sla.config import BusinessCalendar


@dataclass(frozen=True, slots=True)
class SlaDecision:
    priority: Priority
    due_at: datetime
    policy: str  # how priority and deadline were derived, for the decision record
    priority_reason: str = "default"  # the signal that set the priority
    target_seconds: int = 0  # first-response target in business seconds
    calendar: str | None = None  # None: around the clock


def decide_priority(
    config: RoutingConfig, message: Message, c: Classification
) -> tuple[Priority, str]:
    p = config.priority
    signals: list[tuple[Priority | None, str]] = [(p.default, "default")]
    signals += [(h.priority, f"rule:{h.rule_id}") for h in c.hits]
    signals += [
        (p.tiers.get(c.tier) if c.tier else None, f"tier:{c.tier}"),
        (p.channels.get(message.channel), f"channel:{message.channel.value}"),
        (p.departments.get(c.department), f"department:{c.department}"),
        (p.intents.get(c.intent) if c.intent else None, f"intent:{c.intent}"),
        (p.kinds.get(message.kind), f"kind:{message.kind.value}"),
    ]
    best, reason = p.default, "default"
    for priority, why in signals:
        if priority is not None and RANK[priority] > RANK[best]:
            best, reason = priority, why
    return best, reason


def _target(
    sla: SlaPolicy, message: Message, c: Classification, priority: Priority
) -> SlaTarget | None:
    language = primary_language(c.language)
    for t in sla.targets:
        if (
            (not t.channels or message.channel in t.channels)
            and (not t.departments or c.department in t.departments)
            and (not t.priorities or priority in t.priorities)
            and (not t.languages or language in t.languages)
            and (not t.tiers or c.tier in t.tiers)
        ):
            return t
    return None


def _default_seconds(
    sla: SlaPolicy, message: Message, c: Classification, priority: Priority
) -> tuple[int, str]:
    seconds = sla.first_response_seconds.get(message.channel, 86400)
    policy = f"channel:{message.channel.value}={seconds}s"
    cap = sla.department_max_seconds.get(c.department)
    if cap is not None and cap < seconds:
        seconds, policy = cap, f"department:{c.department}={cap}s"
    factor = sla.priority_factor.get(priority, 1.0)
    if factor != 1.0:
        seconds = max(int(seconds * factor), 1)
        policy += f" x{factor}({priority.value})"
    return seconds, policy


_ZONED: dict[tuple[int, str], tuple[BusinessCalendar, BusinessCalendar]] = {}


def _in_zone(calendar: BusinessCalendar, zone: str) -> BusinessCalendar:
    """Same opening hours, counted on the customer's wall clock (cached: calendars are
    immutable and zones few; the identity check guards against a reused id())."""
    cached = _ZONED.get((id(calendar), zone))
    if cached is not None and cached[0] is calendar:
        return cached[1]
    zoned = BusinessCalendar.model_validate(calendar.model_dump() | {"timezone": zone})
    if len(_ZONED) > 1024:
        _ZONED.clear()
    _ZONED[(id(calendar), zone)] = (calendar, zoned)
    return zoned


def decide_sla(
    config: RoutingConfig,
    message: Message,
    classification: Classification,
    contact_count: int = 1,
) -> SlaDecision:
    sla = config.sla
    priority, reason = decide_priority(config, message, classification)
    # A customer who has to write a third time is waiting too long already (DESIGN: repeated
    # contacts get higher priority), whatever the words of this contact say.
    repeated = contact_count >= sla.repeat_contacts
    if repeated and RANK[sla.repeat_priority] > RANK[priority]:
        priority, reason = sla.repeat_priority, f"contacts:{contact_count}"
    target = _target(sla, message, classification, priority)
    if target is not None and target.seconds is not None:
        seconds, policy = target.seconds, f"target:{target.id}={target.seconds}s"
    else:
        seconds, policy = _default_seconds(sla, message, classification, priority)
    if repeated:
        policy += f" contacts:{contact_count}"
    name = (target.calendar if target else None) or sla.default_calendar
    cal = sla.calendars.get(name) if name else None
    if cal is not None and target is not None and target.customer_time_zone:
        zone = classification.time_zone
        if zone and zone != cal.timezone:
            cal = _in_zone(cal, zone)
    # The clock starts when the customer acted, if the channel told us, but never later than
    # our own receipt: a sender's clock running fast must not buy extra time.
    start = min(message.occurred_at or message.received_at, message.received_at)
    if cal is None:
        due = start + timedelta(seconds=seconds)
    else:
        policy += f" calendar:{name}@{cal.timezone}"
        at = business.reach(cal, start.timestamp(), seconds)
        # A calendar closed for ten years is a config mistake; wall time beats no deadline.
        due = (
            start + timedelta(seconds=seconds)
            if at >= business.FOREVER
            else (datetime.fromtimestamp(at, UTC))
        )
    policy = f"priority:{priority.value}({reason}) {policy}"
    return SlaDecision(priority, due, policy, reason, seconds, name if cal else None)
