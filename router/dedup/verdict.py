"""What the dedup/threading state says about one message."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

VerdictKind = Literal["new", "duplicate", "follow_up"]


class DedupLayer(StrEnum):
    """Which layer recognised the message. A bounded set: it is a metric label."""

    EXACT = "exact"  # the same channel message again (redelivery, retry, re-read)
    NEAR = "near"  # the same content from the same customer, on any channel
    THREAD = "thread"  # a follow-up: email thread, chat session or order number of an open case


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    layer: DedupLayer | None  # None for "new"
    original_id: str | None  # duplicates: the message id this one repeats
    case_id: str  # new: a fresh id derived from the message id; otherwise the existing case
    department: str | None  # owner of the case (None until its first dispatch)
    contact_count: int  # customer contacts on the case, this one included

    @property
    def dispatch(self) -> bool:
        return self.kind != "duplicate"
