"""Single MIME parts: type, parameters, filename and decoded content, all without raising.

We decode the transfer encoding ourselves instead of `get_payload(decode=True)` because mail in
the wild declares the wrong one: "base64" on plain text (decoding it yields garbage), or no
header at all on a base64 body. The stdlib's header objects are used when they work and our
own parameter parsing when they raise.
"""

import binascii
import quopri
import re
from email.message import Message

from connectors.email import headers
from connectors.email.charsets import decode, decode_surrogates

_B64_LINE = re.compile(rb"[A-Za-z0-9+/]+={0,2}")
_B64_CLEAN = re.compile(rb"[A-Za-z0-9+/\s]*={0,2}\s*")
_B64_STRIP = re.compile(rb"[^A-Za-z0-9+/]")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_MIME_TYPE = re.compile(r"^\s*([A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)")


def mime_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        raw = headers.raw(part, "Content-Type") or ""
        found = _MIME_TYPE.match(raw)
        return found.group(1).lower() if found else "text/plain"


def param(part: Message, name: str, header: str = "content-type") -> str | None:
    """A parameter, RFC 2231 charset/continuations applied, RFC 2047 words decoded too
    (non-conforming but common in filenames)."""
    try:
        value = part.get_param(name, header=header)
    except Exception:
        value = _raw_param(headers.raw(part, header), name)
    if value is None:
        return None
    if isinstance(value, tuple):
        charset, _lang, text = value
        data = str(text).encode("latin-1", errors="surrogateescape")
        return decode(data, charset or None).strip() or None
    return headers.text_or_none(str(value))


def _raw_param(value: str | None, name: str) -> str | None:
    if not value:
        return None
    found = re.search(rf'(?i)(?:^|;)\s*{re.escape(name)}\s*=\s*("([^"]*)"|[^;\s]+)', value)
    if not found:
        return None
    return found.group(2) if found.group(2) is not None else found.group(1)


def disposition(part: Message) -> str | None:
    value = headers.raw(part, "Content-Disposition")
    if not value:
        return None
    return value.split(";", 1)[0].strip().lower() or None


def filename(part: Message) -> str | None:
    name = param(part, "filename", "content-disposition") or param(part, "name")
    return decode_surrogates(name)[:1024] if name else None


def _payload_bytes(part: Message) -> bytes:
    # The raw payload, deliberately not `get_payload()`: for 8-bit content that accessor
    # re-decodes with the declared charset and errors="replace", destroying exactly the
    # mislabelled text (UTF-8 labelled GB2312) that `charsets.decode` can still recover.
    payload = getattr(part, "_payload", None)
    if isinstance(payload, bytes):
        return payload
    if not isinstance(payload, str):
        return b""
    return payload.encode("utf-8", errors="surrogateescape")


def _b64_lines(data: bytes) -> list[bytes]:
    return [line.strip() for line in data.splitlines() if line.strip()]


def _clean_base64(data: bytes) -> bool:
    """Only base64 characters and whitespace, padding only at the end (one C-speed scan)."""
    return _B64_CLEAN.fullmatch(data) is not None


def _looks_base64(data: bytes, undeclared: bool) -> bool:
    if not undeclared and data.strip() and _clean_base64(data):
        return True  # the common case, decided without splitting a large body into lines
    lines = _b64_lines(data)
    if not lines:
        return False
    good = [line for line in lines if _B64_LINE.fullmatch(line)]
    if undeclared:
        # Without a declaration only a classic encoder layout counts: long, equal lines.
        return (
            len(good) == len(lines) >= 2
            and len(lines[0]) >= 40
            and len({len(x) for x in lines[:-1]}) == 1
        )
    # Declared: mostly base64 lines (a stray boundary or junk line may follow), else the
    # declaration is wrong and the part is really plain text.
    return bool(_B64_LINE.fullmatch(lines[0])) and len(good) >= 0.8 * len(lines)


def _b64(data: bytes) -> bytes:
    if _clean_base64(data):
        joined = data
    else:
        joined = b"".join(line for line in _b64_lines(data) if _B64_LINE.fullmatch(line))
    # Padding ends the data; some encoders append junk after it.
    clean = _B64_STRIP.sub(b"", joined.split(b"=", 1)[0])
    if len(clean) % 4 == 1:  # one dangling character cannot encode a byte
        clean = clean[:-1]
    clean += b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean)
    except (binascii.Error, ValueError):
        return data


def _uudecode(part: Message, data: bytes) -> bytes:
    try:
        decoded = part.get_payload(decode=True)
    except Exception:
        return data
    return decoded if isinstance(decoded, bytes) else data


def _qp(data: bytes) -> bytes:
    try:
        return quopri.decodestring(data)
    except Exception:
        return data


def content(part: Message) -> bytes:
    """The decoded content of a non-multipart part."""
    cte = (headers.raw(part, "Content-Transfer-Encoding") or "").strip().lower()
    data = _payload_bytes(part)
    if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
        return _uudecode(part, data)
    if cte == "quoted-printable":
        return _qp(data)
    declared = cte == "base64"
    if (declared or not cte) and _looks_base64(data, undeclared=not declared):
        return _b64(data)
    return data


def text(part: Message, limit: int, html: bool = False) -> str:
    data = content(part)[: limit * 4]
    charset = param(part, "charset")
    if charset is None and html:
        found = _META_CHARSET.search(data[:4096])
        charset = found.group(1).decode("ascii") if found else None
    body = decode(data, charset)[:limit]
    if (param(part, "format") or "").lower() == "flowed":
        body = unflow(body, (param(part, "delsp") or "").lower() == "yes")
    return body


def unflow(body: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next line."""
    out: list[str] = []
    buffer = ""
    for line in body.replace("\r\n", "\n").split("\n"):
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
            continue
        out.append(buffer + line)
        buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)
