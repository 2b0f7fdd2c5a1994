"""Process logging: one JSON object per line (or plain text on a terminal), with correlation ids
and PII redaction (DESIGN principle 5).

Redaction is a handler filter, so it covers every logger that reaches the handler, aiokafka
and aiohttp included, whatever a call site passed as arguments. It is a safety net: code must
still not log raw identifiers; the patterns below catch the ones that slip through.
"""

import contextlib
import contextvars
import logging
import os
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import unquote

import orjson
from aiohttp import web

# Correlation ids a call site may pass as `extra=` (or bind with `correlate`). An allowlist, so
# an arbitrary `extra` (a whole message, say) can never turn a log line into a PII dump.
CORRELATION_FIELDS = (
    "message_id",
    "case_id",
    "correlation_id",
    "request_id",
    "topic",
    "partition",
    "offset",
    "channel",
    "department",
)

_MARK = "_omniroute_handler"
_bound: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("omniroute_log_ids")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Adapter tokens (`omr_...`), bearer credentials, JWTs, and key=value secrets.
_TOKEN = re.compile(r"\bomr_[A-Za-z0-9_-]{6,}")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_SECRET_KV = re.compile(
    r"(?i)\b(password|passwd|secret|token|api[_-]?key|authorization)(\"?\s*[=:]\s*\"?)[^\s\",;&]+"
)
# A run of digits with phone-like separators; `_is_phone` decides on the digit count and
# rules out dates, times, IP addresses and decimals, which share the shape.
# `+` also separates: form-encoded query strings write "+49 151" as "+49+151".
_PHONE_CANDIDATE = re.compile(r"(?<![\w.:/+-])\+?\(?\d[\d ().+-]{5,}\d(?![\w:/])")
# Dates and date-like versions (2026-11-22, 2026.11.22-1, 22.11.2026).
_DATE = re.compile(r"\d{4}[-.]\d{1,2}[-.]\d{1,2}|^\d{1,2}\.\d{1,2}\.\d{2,4}$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_DECIMAL = re.compile(r"^\d+\.\d+$")


def _is_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    if text.startswith("+"):
        return 7 <= digits <= 15
    if _DATE.search(text) or _IPV4.match(text) or _DECIMAL.match(text):
        return False
    # Bare numbers of 9+ digits are masked too (national formats): an offset or a timestamp
    # that size loses its value in a log line, which is the cheaper mistake.
    return 9 <= digits <= 15


def redact(text: str) -> str:
    if "%" in text:
        # Request lines (aiohttp's access log) carry query strings percent-encoded, where an
        # address reads zelda%40shop.test; decode first so the patterns see what a human does.
        text = unquote(text)
    text = _JWT.sub("[jwt]", text)
    text = _TOKEN.sub("omr_[token]", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
    text = _SECRET_KV.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    text = _EMAIL.sub("[email]", text)
    return _PHONE_CANDIDATE.sub(lambda m: "[phone]" if _is_phone(m.group(0)) else m.group(0), text)


class RedactionFilter(logging.Filter):
    """Renders each record's message (and traceback) once, redacted, so no formatter or later
    handler sees the raw arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None  # the redacted exc_text is what gets printed
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _ids(record: logging.LogRecord) -> dict[str, Any]:
    ids = dict(_bound.get({}))
    for name in CORRELATION_FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            ids[name] = value
    return {k: redact(v) if isinstance(v, str) else v for k, v in ids.items()}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_ids(record),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = _ids(record)
        return line + "".join(f" {k}={v}" for k, v in ids.items()) if ids else line


@contextlib.contextmanager
def correlate(**ids: Any) -> Iterator[None]:
    """Bind correlation ids to every log line written in this context (task-local)."""
    token = _bound.set({**_bound.get({}), **ids})
    try:
        yield
    finally:
        _bound.reset(token)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@web.middleware
async def request_id_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every line logged while serving a request carries its `request_id`: the caller's
    X-Request-Id when it is a plain token (it is untrusted input and goes into logs), else a
    new one. Echoed in the response so an adapter can quote it in a support ticket."""
    given = request.headers.get("X-Request-Id", "")
    request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    with correlate(request_id=request_id):
        response = await handler(request)
    if not response.prepared:  # a WebSocket has sent its headers already
        response.headers["X-Request-Id"] = request_id
    return response


def configure(level: str = "INFO", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Replace the root handlers with one redacting handler. `fmt`: json, text, or auto (text on
    a terminal, JSON otherwise: containers and log shippers get JSON)."""
    root = logging.getLogger()
    # Like logging.basicConfig: a root configured by someone else (an embedding program, the
    # test runner's capture) is theirs; only a handler of ours is replaced.
    foreign = [h for h in root.handlers if not getattr(h, _MARK, False)]
    if not foreign:
        stream = stream or sys.stderr
        if fmt == "auto":
            fmt = "text" if stream.isatty() else "json"
        handler = logging.StreamHandler(stream)
        setattr(handler, _MARK, True)
        handler.addFilter(RedactionFilter())
        handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
        for old in list(root.handlers):
            root.removeHandler(old)
        root.addHandler(handler)
    root.setLevel(level.upper())
    # Library chatter (aiokafka reconnect warnings) is noise at INFO for an operator.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))


def format_from_env() -> str:
    return os.environ.get("OMNIROUTE_LOG_FORMAT", "auto")
