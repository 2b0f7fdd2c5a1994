"""Completing a `MessageDraft` into a `Message`: the single path every connector and the HTTP
API use, so ids and routing keys are computed identically everywhere."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft

# Fixed namespace: message ids must be reproducible across processes and releases, because a
# webhook redelivery or adapter retry is recognised by getting the same id again.
MESSAGE_ID_NAMESPACE = uuid.UUID("5b0c7c8e-7f0e-4a4f-9a43-6f6d6e69726f")

Resolver = Callable[[list[str]], str | None]
"""Maps a customer's identity keys to the directory's canonical key, when the directory knows
the customer (so all their channels share one key and one partition)."""


def message_id(tenant: str, channel: str, channel_message_id: str) -> str:
    return str(uuid.uuid5(MESSAGE_ID_NAMESPACE, f"{tenant}\x1f{channel}\x1f{channel_message_id}"))


class Completer:
    def __init__(self, keyer: IdentityKeyer, resolver: Resolver | None = None) -> None:
        self._keyer = keyer
        self._resolver = resolver

    def routing_key(self, draft: MessageDraft) -> str:
        keys = self._keyer.identity_keys(draft.tenant, draft.customer)
        if not keys:
            anon = f"{draft.tenant}:{draft.channel}:{draft.channel_message_id}"
            return self._keyer.anonymous(anon)
        if self._resolver is not None:
            canonical = self._resolver(keys)
            if canonical is not None:
                return canonical
        return keys[0]

    def complete(self, draft: MessageDraft, source: str, now: datetime | None = None) -> Message:
        return Message(
            **draft.model_dump(exclude_unset=False),
            id=message_id(draft.tenant, draft.channel.value, draft.channel_message_id),
            source=source,
            received_at=now or datetime.now(UTC),
            routing_key=self.routing_key(draft),
        )
