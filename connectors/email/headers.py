"""Header access that cannot raise.

`email.policy.default` parses a header into a rich object on first access, and that parser
raises on some broken input (and has had quadratic and crashing cases). So every header value
is read here from `raw_items()`, the unparsed text, and decoded by our own RFC 2047 decoder,
which also maps charsets to their real-world supersets and joins adjacent encoded words
before decoding (bad mailers split one multi-byte character across two words).
"""

import binascii
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from connectors.email.charsets import decode, decode_surrogates

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_EW = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_QHEX = re.compile(rb"=([0-9A-Fa-f]{2})")
_MSGID = re.compile(r"<[^<>\s]{1,990}>")
_ADDR = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+")


def raw(msg: Message, name: str) -> str | None:
    """The first `name` header, unfolded but not decoded."""
    wanted = name.lower()
    try:
        for key, value in msg.raw_items():
            if key.lower() == wanted:
                return _FOLD.sub("", str(value)).strip("\r\n")
    except Exception:
        return None
    return None


def raw_all(msg: Message, name: str) -> list[str]:
    wanted = name.lower()
    try:
        return [_FOLD.sub("", str(v)) for k, v in msg.raw_items() if k.lower() == wanted]
    except Exception:
        return []


def _b_decode(text: str) -> bytes:
    data = text.encode("ascii", errors="ignore")
    data += b"=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        return b""


def _q_decode(text: str) -> bytes:
    data = text.encode("ascii", errors="ignore").replace(b"_", b" ")
    return _QHEX.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words (and raw 8-bit text) in an unfolded header value."""
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None
    pos = 0
    for match in _EW.finditer(value):
        gap = value[pos : match.start()]
        charset = match.group(1).split("*", 1)[0].lower()
        data = _b_decode(match.group(3)) if match.group(2) in "bB" else _q_decode(match.group(3))
        adjacent = pending is not None and not gap.strip()
        if adjacent and pending is not None and pending[0] == charset:
            pending[1].extend(data)
        else:
            if pending is not None:
                out.append(decode(bytes(pending[1]), pending[0]))
            if not adjacent:
                out.append(decode_surrogates(gap))
            pending = (charset, bytearray(data))
        pos = match.end()
    if pending is not None:
        out.append(decode(bytes(pending[1]), pending[0]))
    out.append(decode_surrogates(value[pos:]))
    return "".join(out)


def text(msg: Message, name: str) -> str | None:
    value = raw(msg, name)
    if value is None:
        return None
    return " ".join(decode_words(value).split()) or None


def address(msg: Message, *names: str) -> tuple[str | None, str | None]:
    """(display name, address) of the first usable mailbox in the first present header."""
    for name in names:
        value = raw(msg, name)
        if not value:
            continue
        try:
            pairs = getaddresses([value])
        except Exception:
            pairs = []
        for display, addr in pairs:
            if "@" in addr:
                return (text_or_none(display), decode_surrogates(addr.strip()))
        found = _ADDR.search(decode_surrogates(value))
        if found:
            return (None, found.group(0))
    return (None, None)


def text_or_none(value: str) -> str | None:
    cleaned = " ".join(decode_words(value).split()).strip("\"' ")
    return cleaned or None


def message_ids(value: str | None) -> list[str]:
    """`<id>` tokens of a Message-ID/In-Reply-To/References value; a bare token if none."""
    if not value:
        return []
    found = _MSGID.findall(value)
    if found:
        return [decode_surrogates(f) for f in found]
    token = value.strip().split()
    return [decode_surrogates(token[0])[:998]] if token else []


def date(value: str | None) -> datetime | None:
    """RFC 5322 date -> aware datetime; "-0000" or no zone means UTC; garbage means None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except Exception:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1970 <= parsed.year <= 2200:
        return None
    return parsed
