"""Shared pieces of the social parsers: the per-body accumulator, ignore reasons, timestamps,
attachment metadata and defensive access to untrusted JSON."""

import base64
import binascii
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from connectors.base import ParseResult
from intake.message import Attachment, MessageDraft

Json = dict[str, Any]


class Platform(StrEnum):
    META = "meta"  # envelope-level events, before the product is known
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    X = "x"


class IgnoreKind(StrEnum):
    """Why an event is not a customer request. Bounded: it is a metric label."""

    STATUS = "status"  # sent/delivered/read/failed of our own outbound message
    DELIVERY = "delivery"
    READ = "read"
    ECHO = "echo"  # a message sent by the page/business itself
    OWN = "own"  # the brand's own tweet or comment
    NOT_ADDRESSED = "not_addressed"  # a tweet that neither mentions nor answers the brand
    UNREACTION = "unreaction"
    DELETED = "deleted"
    TYPING = "typing"
    SYSTEM = "system"  # number changes, identity changes, account and template updates
    CALL = "call"
    ACTIVITY = "activity"  # likes, follows, blocks, mutes: no text to answer
    STANDBY = "standby"  # handover protocol: another app owns the thread
    UNSUPPORTED = "unsupported"  # an object or field this connector does not handle


def reason(platform: Platform, kind: IgnoreKind, detail: str) -> str:
    """`<platform> <kind>: <detail>`; the first two words are read back for metric labels."""
    return f"{platform.value} {kind.value}: {detail}"


def reason_labels(text: str) -> tuple[str, str]:
    platform, _, rest = text.partition(" ")
    kind = rest.partition(":")[0]
    platforms = {p.value for p in Platform}
    kinds = {k.value for k in IgnoreKind}
    return (
        platform if platform in platforms else "other",
        kind if kind in kinds else IgnoreKind.UNSUPPORTED.value,
    )


@dataclass
class Batch:
    """Everything one webhook body yields. Events are read one by one so that one unreadable
    event costs a deadletter entry while its neighbours in the same batch are still routed."""

    drafts: list[MessageDraft] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    newest: datetime | None = None

    def ignore(self, platform: Platform, kind: IgnoreKind, detail: str) -> None:
        self.ignored.append(reason(platform, kind, detail))

    def seen(self, when: datetime | None) -> None:
        if when is not None and (self.newest is None or when > self.newest):
            self.newest = when

    @contextmanager
    def event(self, where: str) -> Iterator[None]:
        try:
            yield
        except (LookupError, TypeError, ValueError, AttributeError) as exc:
            self.problems.append(f"{where}: {type(exc).__name__}: {exc}"[:500])

    def result(self, raw: bytes, source: str) -> ParseResult:
        if not self.problems:
            return ParseResult(drafts=self.drafts, ignored=self.ignored)
        failed = ParseResult.failed(raw, source, "bad_event", "; ".join(self.problems))
        return ParseResult(drafts=self.drafts, ignored=self.ignored, deadletters=failed.deadletters)


def obj(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def string(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def required(value: Any, what: str) -> str:
    found = string(value)
    if found is None:
        raise ValueError(f"{what} missing")
    return found


def epoch(value: Any) -> datetime | None:
    """Platform timestamps are epoch seconds or milliseconds, as numbers or strings; anything
    above 1e11 is milliseconds (1e11 seconds is the year 5138)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e11:
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def hex_sha256(b64: Any) -> str | None:
    """WhatsApp sends the media SHA-256 in base64; the contract wants hex (or nothing)."""
    if not isinstance(b64, str):
        return None
    try:
        digest = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest.hex() if len(digest) == 32 else None


_GENERIC_TYPES = {
    "image": "image/*",
    "video": "video/*",
    "audio": "audio/*",
    "sticker": "image/*",
    "photo": "image/*",
    "animated_gif": "video/*",
}


def media_type(kind: str, url: str | None) -> str:
    """Messenger and X do not send a MIME type; the URL's extension is the best evidence, the
    attachment kind the fallback (a wildcard type rather than a guessed concrete one)."""
    if url:
        guessed, _ = mimetypes.guess_type(urlsplit(url).path)
        if guessed:
            return guessed
    return _GENERIC_TYPES.get(kind, "application/octet-stream")


def attachment(
    content_type: str,
    reference: str | None,
    filename: str | None = None,
    sha256: str | None = None,
) -> Attachment:
    return Attachment(
        filename=filename,
        content_type=content_type[:255],
        size_bytes=0,  # webhooks carry references only; the size is unknown until fetched
        sha256=sha256,
        reference=reference[:2048] if reference else None,
    )


def clip(text: str | None, limit: int = 200_000) -> str:
    return (text or "")[:limit]


@dataclass(frozen=True, slots=True)
class Scope:
    """Who the webhook is for: whose messages are echoes, and the tenant/brand to stamp."""

    tenant: str
    brand: str | None = None
    own_ids: frozenset[str] = frozenset()
