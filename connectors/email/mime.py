"""Walking a MIME tree into body text, attachment metadata and report facts, within bounds.

Every limit exists because mail is attacker-controlled: nesting depth and part count bound
the walk, text is capped, and an embedded message/rfc822 shares the same budget as its parent.
"""

import hashlib
from dataclasses import dataclass, field
from email.message import Message

from connectors.email import headers, leaf
from connectors.email.html_text import html_to_text
from connectors.email.structure import as_bytes, parse_content, recover_boundary, subparts
from intake.message import Attachment

_BODY_TYPES = ("text/plain", "text/html")
_EMBEDDED = ("message/rfc822", "message/global", "message/news")


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 20
    max_parts: int = 500
    max_text_chars: int = 100_000


@dataclass(slots=True)
class Text:
    body: str
    html: bool


@dataclass(slots=True)
class Walk:
    limits: Limits
    parts: int = 0
    truncated: bool = False
    chars: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    embedded: list[str] = field(default_factory=list)
    report_type: str | None = None
    dsn_action: str | None = None
    dsn_status: str | None = None
    original_message_id: str | None = None

    def body(self, part: Message, depth: int = 0) -> Text | None:
        """Text of this part as the reader sees it; attachments are collected on the way."""
        self.parts += 1
        if depth > self.limits.max_depth or self.parts > self.limits.max_parts:
            self.truncated = True
            return None
        ctype = leaf.mime_type(part)
        payload = subparts(part)
        if payload is None:
            return self._single(part, ctype, depth)
        if ctype in _EMBEDDED:
            self._embedded(part, payload, depth)
            return None
        if ctype == "message/delivery-status":
            self._dsn(payload)
            return None
        return self._multipart(part, ctype, payload, depth)

    def _single(self, part: Message, ctype: str, depth: int) -> Text | None:
        if ctype.startswith("multipart/"):
            recovered = recover_boundary(part)
            if recovered is not None:
                return self.body(recovered, depth + 1)
            return self._leaf(part, "text/plain")
        if ctype in _EMBEDDED:
            # e.g. a base64-encoded message/rfc822, which the stdlib leaves unparsed.
            inner = parse_content(part)
            if inner is not None:
                self._embedded(part, [inner], depth)
                return None
        return self._leaf(part, ctype)

    def _multipart(
        self, part: Message, ctype: str, payload: list[Message], depth: int
    ) -> Text | None:
        if ctype == "multipart/report":
            self.report_type = (leaf.param(part, "report-type") or "").lower() or "unknown"
        texts = [t for sub in payload if (t := self.body(sub, depth + 1)) is not None]
        filled = [t for t in texts if t.body.strip()]
        if ctype == "multipart/alternative" and texts:
            # Prefer the plain alternative (the sender's own text); else the richest one.
            plain = [t for t in filled if not t.html]
            return plain[0] if plain else (filled[-1] if filled else texts[-1])
        if not texts:
            return None
        return Text("\n\n".join(t.body for t in filled), any(t.html for t in texts))

    def _leaf(self, part: Message, ctype: str) -> Text | None:
        if ctype == "text/rfc822-headers":
            self._embedded(part, [], 0)
            return None
        name = leaf.filename(part)
        shown = leaf.disposition(part)
        if ctype in _BODY_TYPES and (shown == "inline" or (name is None and shown is None)):
            if name is not None:  # an inline text file: readers see it as body, keep both
                self._attach(name, ctype, leaf.content(part))
            budget = max(0, self.limits.max_text_chars - self.chars)
            if budget == 0:
                self.truncated = True
                return None
            html = ctype == "text/html"
            body = leaf.text(part, budget * 4 if html else budget, html)
            if ctype == "text/html":
                body = html_to_text(body)
            body = body[:budget]
            self.chars += len(body)
            return Text(body, ctype == "text/html")
        data = leaf.content(part)
        self._attach(name, ctype, data)
        return None

    def _attach(self, name: str | None, ctype: str, data: bytes) -> None:
        if len(self.attachments) >= 500:
            self.truncated = True
            return
        self.attachments.append(
            Attachment(
                filename=name,
                content_type=ctype[:255],
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )

    def _embedded(self, part: Message, payload: list[Message], depth: int) -> None:
        inner = payload[0] if payload else parse_content(part)
        if inner is None:
            return
        data = as_bytes(inner)
        name = leaf.filename(part)
        if name is None:
            subject = headers.text(inner, "Subject")
            name = f"{subject[:200]}.eml" if subject else None
        self._attach(name, leaf.mime_type(part), data)
        if self.report_type is not None and self.original_message_id is None:
            ids = headers.message_ids(headers.raw(inner, "Message-ID"))
            self.original_message_id = ids[0] if ids else None
        text = self.body(inner, depth + 1) if payload else None
        lines = ["---------- Attached message ----------"]
        for label in ("From", "Date", "Subject", "To"):
            value = headers.text(inner, label)
            if value:
                lines.append(f"{label}: {value}")
        if text is not None and text.body.strip():
            lines += ["", text.body]
        self.embedded.append("\n".join(lines))

    def _dsn(self, blocks: list[Message]) -> None:
        self.report_type = self.report_type or "delivery-status"
        for block in blocks:
            action = headers.text(block, "Action")
            status = headers.text(block, "Status")
            if action or status:
                self.dsn_action = (action or "")[:64] or None
                self.dsn_status = (status or "")[:64] or None
                return
