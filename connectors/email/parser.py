"""Raw RFC 5322 bytes -> one MessageDraft (or a deadletter). Total: never raises.

Only input that is not mail at all becomes a deadletter (empty, binary, an Outlook .msg file,
no header fields, over the size limit). Everything else, however broken, yields a draft with
whatever could be recovered, because a half-readable customer mail is still a customer mail.
"""

import email
import re
from collections.abc import Mapping
from email import policy
from email.message import Message

from connectors.base import ParseResult
from connectors.email import headers
from connectors.email.autoreply import classify
from connectors.email.bounds import bound
from connectors.email.config import EmailConfig
from connectors.email.mime import Limits, Walk
from connectors.email.quoting import split_reply
from connectors.email.threads import channel_message_id, order_numbers, thread_hints
from intake.message import Channel, Customer, MessageDraft, MetadataValue

SOURCE = "email"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIL_HEADERS = (
    "from", "sender", "to", "subject", "date", "message-id", "mime-version",
    "content-type", "received", "return-path", "reply-to", "delivered-to",
)  # fmt: skip
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$")


def _not_mail(raw: bytes, max_bytes: int) -> tuple[str, str] | None:
    if len(raw) > max_bytes:
        return "too_large", f"message of {len(raw)} bytes exceeds the {max_bytes} byte limit"
    if not raw.strip():
        return "empty", "empty message"
    if raw.startswith(_OLE_MAGIC):
        return "not_mime", "an Outlook .msg (OLE compound file), not RFC 5322 mail"
    head = raw[:65_536].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    if b"\x00" in head:
        return "not_mime", "binary data in the header section"
    return None


def _has_mail_headers(msg: Message) -> bool:
    try:
        return any(k.lower() in _MAIL_HEADERS for k, _ in msg.raw_items())
    except Exception:
        return False


def _cap(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def parse_email(
    raw: bytes, config: EmailConfig, context: Mapping[str, str] | None = None
) -> ParseResult:
    problem = _not_mail(raw, config.max_message_bytes)
    if problem is not None:
        return ParseResult.failed(raw, SOURCE, *problem)
    # The stdlib parses everything it is given, however little the walk reads: bound it.
    parsed, cut = bound(raw, config.max_parts, config.max_depth)
    try:
        msg = email.message_from_bytes(parsed, policy=policy.default)
    except Exception as exc:  # the feed parser is lenient; this is recursion or a bug
        return ParseResult.failed(raw, SOURCE, "unparseable", f"{type(exc).__name__}: {exc}")
    if not _has_mail_headers(msg):
        return ParseResult.failed(raw, SOURCE, "not_mime", "no RFC 5322 header fields found")
    draft = build_draft(msg, raw, config, context or {})
    if cut:
        draft = draft.model_copy(update={"metadata": {**draft.metadata, "truncated": True}})
    return ParseResult.of(draft)


def build_draft(
    msg: Message, raw: bytes, config: EmailConfig, context: Mapping[str, str]
) -> MessageDraft:
    limits = Limits(config.max_depth, config.max_parts, config.max_text_chars)
    walk = Walk(limits)
    top = walk.body(msg)
    body = top.body if top is not None else ""
    embedded = list(walk.embedded)
    if not body.strip() and embedded:
        body = embedded.pop(0)  # a bare forward: the forwarded mail is what was sent
    split = split_reply(body)
    quoted = "\n\n".join(x for x in [split.quoted, *embedded] if x) or None
    subject = headers.text(msg, "Subject")
    name, address = headers.address(msg, "From", "Sender", "Reply-To", "Return-Path")
    verdict = classify(msg, address, subject, walk.report_type)
    pattern = re.compile(config.order_regex, re.IGNORECASE)
    orders = order_numbers(pattern, subject, split.text, quoted)
    limit = config.max_text_chars
    return MessageDraft(
        channel=Channel.EMAIL,
        channel_message_id=channel_message_id(msg, raw),
        kind=verdict.kind,
        tenant=config.tenant,
        occurred_at=headers.date(headers.text(msg, "Date")),
        customer=Customer(
            email=address if address and len(address) <= 320 else None,
            name=_cap(name, 256),
            order_numbers=tuple(orders),
        ),
        thread=thread_hints(msg, subject),
        subject=_cap(subject, 2048),
        text=split.text[:limit],
        quoted_text=_cap(quoted, limit),
        language=_language(msg),
        attachments=tuple(walk.attachments),
        metadata=_metadata(msg, walk, verdict.reason, split.forwarded, context),
    )


def _language(msg: Message) -> str | None:
    value = (headers.text(msg, "Content-Language") or "").split(",")[0].strip()
    return value if _LANGUAGE.match(value) and len(value) <= 35 else None


def _metadata(
    msg: Message, walk: Walk, reason: str | None, forwarded: bool, context: Mapping[str, str]
) -> dict[str, MetadataValue]:
    meta: dict[str, MetadataValue] = {"mime_parts": walk.parts}
    try:
        meta["mime_defects"] = len(msg.defects)
    except Exception:
        meta["mime_defects"] = 0
    _, to = headers.address(msg, "Delivered-To", "To")
    extra: dict[str, MetadataValue] = {
        "to": to[:320] if to else None,
        "truncated": walk.truncated or None,
        "forwarded": forwarded or None,
        "auto_reason": reason,
        "report_type": walk.report_type,
        "dsn_action": walk.dsn_action,
        "dsn_status": walk.dsn_status,
        "original_message_id": walk.original_message_id,
    }
    meta.update({k: v for k, v in extra.items() if v is not None})
    for key, value in list(context.items())[:100]:
        meta[f"ctx_{key}"[:64]] = str(value)[:1024]
    return meta
