"""Priority and SLA deadline for a classified message."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from intake.message import Message
from router.classifier import Classification
from router.config.model import Priority, RoutingConfig

_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


@dataclass(frozen=True, slots=True)
class SlaDecision:
    priority: Priority
    due_at: datetime
    policy: str  # how the deadline was derived, for the decision record


def _priority(classification: Classification) -> Priority:
    best = Priority.NORMAL
    for hit in classification.hits:
        if hit.priority is not None and _RANK[hit.priority] > _RANK[best]:
            best = hit.priority
    return best


def decide_sla(
    config: RoutingConfig,
    message: Message,
    classification: Classification,
    contact_count: int = 1,
) -> SlaDecision:
    sla = config.sla
    priority = _priority(classification)
    # A customer who has to write a third time is waiting too long already (DESIGN: repeated
    # contacts get higher priority), whatever the words of this contact say.
    repeated = contact_count >= sla.repeat_contacts
    if repeated and _RANK[sla.repeat_priority] > _RANK[priority]:
        priority = sla.repeat_priority
    seconds = sla.first_response_seconds.get(message.channel, 86400)
    policy = f"channel:{message.channel.value}={seconds}s"
    cap = sla.department_max_seconds.get(classification.department)
    if cap is not None and cap < seconds:
        seconds, policy = cap, f"department:{classification.department}={cap}s"
    factor = sla.priority_factor.get(priority, 1.0)
    if factor != 1.0:
        seconds = int(seconds * factor)
        policy += f" x{factor}({priority.value})"
    if repeated:
        policy += f" contacts:{contact_count}"
    # The clock starts when the customer acted, if the channel told us, but never later than
    # our own receipt: a sender's clock running fast must not buy extra time.
    start = min(message.occurred_at or message.received_at, message.received_at)
    return SlaDecision(priority, start + timedelta(seconds=seconds), policy)
