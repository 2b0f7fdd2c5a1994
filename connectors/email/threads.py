"""Threading hints and order numbers from headers and text.

Named `threads` rather than `threading` so nothing can ever shadow the stdlib module.
"""

import hashlib
import re
from email.message import Message

from connectors.email import headers
from intake.message import Thread

# One prefix: Re/Fwd and their localised forms, with an optional counter ("Re[2]:", "RE(3):"),
# ASCII or full-width colon. Applied repeatedly: "Re: FW: 回复: x" -> "x".
_PREFIX = re.compile(
    r"^\s*(?:re|fwd?|aw|sv|vs|wg|antw|tr|rv|enc|回复|答复|回覆|答覆|转发|轉發|转寄|轉寄)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_MAX_REFS = 100
_SHORT = 512


def normalize_subject(subject: str | None) -> str | None:
    if subject is None:
        return None
    value = " ".join(subject.split())
    for _ in range(50):  # bounded: each round strips one prefix
        stripped = _PREFIX.sub("", value, count=1)
        if stripped == value:
            break
        value = stripped
    return value.strip()[:998] or None


def _short(value: str) -> str:
    """Ids are stored in 512-char fields; an absurdly long one is replaced by its digest."""
    if len(value) <= _SHORT:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def thread_hints(msg: Message, subject: str | None) -> Thread:
    message_id = next(iter(headers.message_ids(headers.raw(msg, "Message-ID"))), None)
    in_reply_to = next(iter(headers.message_ids(headers.raw(msg, "In-Reply-To"))), None)
    refs = headers.message_ids(headers.raw(msg, "References"))
    if len(refs) > _MAX_REFS:
        # Keep the root (it names the conversation) and the most recent ancestors.
        refs = [refs[0], *refs[-(_MAX_REFS - 1) :]]
    # The References root is the conversation; a client that sends only In-Reply-To still
    # points at its parent, which is a better guess than starting a new conversation.
    root = refs[0] if refs else in_reply_to or message_id
    return Thread(
        conversation_id=_short(root) if root else None,
        message_id_header=message_id[:998] if message_id else None,
        in_reply_to=in_reply_to[:998] if in_reply_to else None,
        references=tuple(r[:998] for r in refs),
        normalized_subject=normalize_subject(subject),
    )


def channel_message_id(msg: Message, raw: bytes) -> str:
    """The Message-ID, or a digest of the raw bytes so that a re-read yields the same id."""
    ids = headers.message_ids(headers.raw(msg, "Message-ID"))
    if ids:
        return _short(ids[0])
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def order_numbers(pattern: re.Pattern[str], *texts: str | None, limit: int = 50) -> list[str]:
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for match in pattern.finditer(text[:200_000]):
            value = (match.group(1) if pattern.groups else match.group(0)) or ""
            value = value.strip()[:_SHORT]
            if value and value not in found:
                found.append(value)
                if len(found) >= limit:
                    return found
    return found
