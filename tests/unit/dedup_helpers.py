"""Shared helpers for the dedup/state unit tests: messages as intake completes them."""

from datetime import UTC, datetime, timedelta
from typing import Any

from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft
from router.state.partition import DedupSettings, PartitionState

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
COMPLETER = Completer(IdentityKeyer(b"dedup-test-secret"))
COMPLAINT = (
    "My parcel for order 12345 never arrived. The tracking page has not changed for a week "
    "and nobody answers the phone."
)


def message(
    cmid: str,
    text: str = COMPLAINT,
    *,
    channel: str = "email",
    at: datetime = T0,
    email: str | None = "ann@example.com",
    **fields: Any,
) -> Message:
    customer = {"email": email} if email else {}
    customer |= fields.pop("customer", {})
    draft = MessageDraft.model_validate(
        {"channel": channel, "channel_message_id": cmid, "text": text, "customer": customer}
        | fields
    )
    return COMPLETER.complete(draft, "test", at)


def state(**settings: Any) -> PartitionState:
    return PartitionState(3, DedupSettings(**settings))


def restart(old: PartitionState) -> PartitionState:
    """A new instance restored from everything the old one wrote to its changelog."""
    new = PartitionState(old.partition, old.settings)
    for key, value in old.drain_changes():
        new.restore(key, value)
    return new
