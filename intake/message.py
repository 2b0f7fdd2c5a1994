"""The normalised inbound message: the one contract between connectors, intake and the router.

`MessageDraft` is what a connector or an HTTP adapter supplies; intake completes it into a
`Message` (id, source, receive time, routing key). Bump `SCHEMA_VERSION` on any change that a
consumer could notice, and keep old versions readable.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_VERSION: Literal["1"] = "1"

Short = Annotated[str, StringConstraints(min_length=1, max_length=512)]
MetadataValue = str | int | float | bool | None


class Channel(StrEnum):
    """Where a contact came from; one intake topic per channel."""

    EMAIL = "email"
    PHONE = "phone"
    SOCIAL = "social"
    WEBCHAT = "webchat"
    API = "api"


class MessageKind(StrEnum):
    """What the contact is. Only customer requests are classified and dispatched as new work;
    the other kinds are recorded (auto-replies and bounces must never open a case)."""

    MESSAGE = "message"
    CALLBACK_REQUEST = "callback_request"  # missed or abandoned call
    CALL_RECORD = "call_record"  # answered call, a contact record
    AUTO_REPLY = "auto_reply"  # out-of-office, auto-responders
    BOUNCE = "bounce"  # delivery status notifications


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Attachment(_Frozen):
    """Attachment metadata only; bytes never travel on Kafka."""

    filename: str | None = Field(None, max_length=1024, description="File name as sent")
    content_type: str = Field("application/octet-stream", max_length=255, description="MIME type")
    # Bounded so the published schema says what is accepted (a signed 64-bit integer, which
    # every consumer language can hold); schemathesis found the unbounded one lying.
    size_bytes: int = Field(ge=0, le=2**63 - 1, description="Decoded size in bytes")
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$", description="Hex SHA-256")
    reference: str | None = Field(
        None, max_length=2048, description="Where the content can be fetched (URL, media id)"
    )


class Customer(_Frozen):
    """Identifiers as the channel gave them. Intake turns them into keyed HMACs for routing;
    the raw values stay in the message body only, never in keys, logs or labels."""

    email: str | None = Field(None, max_length=320, description="Email address")
    phone: str | None = Field(None, max_length=64, description="Phone number, E.164 if known")
    platform: str | None = Field(None, max_length=64, description="Social platform, e.g. whatsapp")
    handle: str | None = Field(None, max_length=256, description="Account or handle on platform")
    visitor_id: str | None = Field(None, max_length=256, description="Web chat visitor id")
    customer_id: str | None = Field(None, max_length=256, description="Shop's customer id")
    name: str | None = Field(None, max_length=256, description="Display name")
    order_numbers: tuple[Short, ...] = Field((), max_length=50, description="Order numbers given")


class Thread(_Frozen):
    """Hints the router uses to join a follow-up to an existing case."""

    conversation_id: str | None = Field(
        None, max_length=512, description="Channel conversation/session/thread id"
    )
    message_id_header: str | None = Field(None, max_length=998, description="Email Message-ID")
    in_reply_to: str | None = Field(None, max_length=998, description="Email In-Reply-To")
    references: tuple[str, ...] = Field((), max_length=100, description="Email References")
    normalized_subject: str | None = Field(
        None, max_length=998, description="Subject without Re:/Fwd:/回复: prefixes"
    )


class MessageDraft(_Frozen):
    """A normalised contact as supplied by a connector or adapter (before intake completes it)."""

    channel: Channel = Field(description="Channel the contact arrived on")
    channel_message_id: Short = Field(
        description="The channel's own id for this contact; a redelivery carries the same id"
    )
    kind: MessageKind = Field(MessageKind.MESSAGE, description="What the contact is")
    tenant: Short = Field("default", description="Tenant (shop) the contact belongs to")
    brand: str | None = Field(None, max_length=256, description="Brand or storefront")
    occurred_at: AwareDatetime | None = Field(None, description="When the customer acted")
    customer: Customer = Field(default_factory=Customer, description="Customer identifiers")
    thread: Thread = Field(default_factory=Thread, description="Threading hints")
    subject: str | None = Field(None, max_length=2048, description="Subject line, if any")
    text: str = Field("", max_length=200_000, description="New text written by the customer")
    quoted_text: str | None = Field(
        None, max_length=200_000, description="Quoted earlier messages and signatures, separated"
    )
    language: str | None = Field(None, max_length=35, description="BCP 47 tag if known")
    attachments: tuple[Attachment, ...] = Field((), max_length=500, description="Attachments")
    metadata: dict[str, MetadataValue] = Field(
        default_factory=dict, max_length=200, description="Channel-specific scalar metadata"
    )


class Message(MessageDraft):
    """A contact as it travels on `omniroute.intake.<channel>` (schema version 1)."""

    schema_version: Literal["1"] = Field(SCHEMA_VERSION, description="Contract version")
    id: Short = Field(description="omniroute message id, deterministic from the channel id")
    source: Short = Field(description="Connector or adapter that produced it")
    received_at: AwareDatetime = Field(description="When omniroute received it")
    routing_key: Short = Field(description="Keyed HMAC of the customer; the Kafka key")
