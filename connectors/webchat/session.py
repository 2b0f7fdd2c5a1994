"""A chat session (one conversation) and the draft a chat message becomes."""

import re
import secrets
from dataclasses import dataclass, field

from connectors.webchat.frames import Identity, MessageFrame
from intake.message import Channel, Customer, MessageDraft, Thread

_ID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


def valid_id(value: str | None) -> str | None:
    return value if value is not None and _ID.match(value) else None


def new_id() -> str:
    return secrets.token_urlsafe(16)


@dataclass
class ChatSession:
    session_id: str | None
    visitor_id: str | None
    email: str | None = None
    name: str | None = None
    order_numbers: list[str] = field(default_factory=list)

    def identify(self, identity: Identity) -> None:
        """What a visitor tells us applies to their later messages too; order numbers add up
        (a customer may ask about two orders in one chat), bounded to the contract's 50."""
        self.email = identity.email or self.email
        self.name = identity.name or self.name
        if identity.order_number and identity.order_number not in self.order_numbers:
            self.order_numbers = [*self.order_numbers, identity.order_number][-50:]


def draft(
    frame: MessageFrame, session: ChatSession, tenant: str, brand: str | None
) -> MessageDraft:
    session.identify(frame)
    metadata: dict[str, str | int | float | bool | None] = {"client_id": frame.client_id}
    if frame.page_url:
        metadata["page_url"] = frame.page_url
    return MessageDraft(
        channel=Channel.WEBCHAT,
        # session + the widget's own line id: a resend after a reconnect, or the REST fallback
        # retrying, repeats both, so it maps to the same omniroute message id.
        channel_message_id=f"webchat:{session.session_id or 'no-session'}:{frame.client_id}",
        tenant=tenant,
        brand=brand,
        customer=Customer(
            visitor_id=session.visitor_id,
            email=session.email,
            name=session.name,
            order_numbers=tuple(session.order_numbers),
        ),
        thread=Thread(conversation_id=session.session_id),
        text=frame.text,
        metadata=metadata,
    )
