"""Message-level helpers for the MIME walk: sub-parts, boundary recovery, re-serialising."""

import email
import re
from email import policy
from email.message import Message

from connectors.email import leaf

_HEADER_LINE = re.compile(r"^[A-Za-z0-9-]{1,76}:")
_BOUNDARY_LINE = re.compile(r"^--(\S(?:[^\r\n]{0,68}\S)?)[ \t]*\r?$", re.MULTILINE)


def subparts(part: Message) -> list[Message] | None:
    try:
        if not part.is_multipart():
            return None
        payload = part.get_payload()
    except Exception:
        return None
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else None


def recover_boundary(part: Message) -> Message | None:
    """A multipart whose boundary parameter is missing or wrong: if the body has lines that
    look like a boundary (it occurs at least twice), re-parse it with that boundary."""
    raw = leaf.content(part).decode("ascii", errors="surrogateescape")
    candidates = _BOUNDARY_LINE.findall(raw[:200_000])
    for boundary in candidates:
        name = boundary[:-2] if boundary.endswith("--") else boundary
        after = raw.split(f"--{name}", 1)[1].lstrip("\r\n")[:200]
        # RFC 2046 boundaries are ASCII; undecodable bytes here are no boundary (and would
        # not survive re-encoding the header below).
        if name.isascii() and '"' not in name and _HEADER_LINE.match(after):
            head = f'Content-Type: {leaf.mime_type(part)}; boundary="{name}"\r\n\r\n'
            data = head.encode() + raw.encode("ascii", errors="surrogateescape")
            try:
                recovered = email.message_from_bytes(data, policy=policy.default)
            except Exception:
                return None
            return recovered if subparts(recovered) else None
    return None


def parse_content(part: Message) -> Message | None:
    try:
        return email.message_from_bytes(leaf.content(part), policy=policy.default)
    except Exception:
        return None


def as_bytes(msg: Message) -> bytes:
    try:
        return msg.as_bytes(policy=policy.compat32)
    except Exception:
        try:
            return str(msg.get_payload()).encode("utf-8", errors="surrogateescape")
        except Exception:
            return b""
