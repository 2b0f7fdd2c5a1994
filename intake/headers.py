"""CloudEvents 1.0 Kafka protocol binding, binary content mode: the event's attributes travel
as `ce_*` headers and the record value is the data itself, so consumers that know nothing of
CloudEvents still read plain JSON, and routers can filter on headers without parsing values."""

from datetime import datetime

SPECVERSION = b"1.0"
CONTENT_TYPE = b"application/json"

TYPE_MESSAGE = "io.omniroute.message.v1"
TYPE_DISPATCH = "io.omniroute.dispatch.v1"
TYPE_DUPLICATE = "io.omniroute.duplicate.v1"
TYPE_DECISION = "io.omniroute.decision.v1"
TYPE_DEADLETTER = "io.omniroute.deadletter.v1"

Headers = list[tuple[str, bytes]]


_SPEC = ("ce_specversion", SPECVERSION)
_CONTENT = ("content-type", CONTENT_TYPE)
# Sources, types and subjects are a few code constants and config names: encoded once. The
# router stamps several records of one message with the same time: formatted once.
_ENCODED: dict[str, bytes] = {}
_last_time: list[tuple[datetime | None, bytes]] = [(None, b"")]


def _encoded(text: str) -> bytes:
    found = _ENCODED.get(text)
    if found is None:
        if len(_ENCODED) >= 4096:  # bounded whatever callers pass
            _ENCODED.clear()
        found = _ENCODED[text] = text.encode()
    return found


def _time(time: datetime) -> bytes:
    last = _last_time[0]  # one read: another thread may replace it (each pair is consistent)
    if last[0] is not time:  # identity: equal instants in other zones format differently
        last = _last_time[0] = (time, time.isoformat().encode())
    return last[1]


def cloudevent_headers(
    *, event_id: str, source: str, event_type: str, time: datetime, subject: str | None = None
) -> Headers:
    headers: Headers = [
        _SPEC,
        ("ce_id", event_id.encode()),
        ("ce_source", _encoded(source)),
        ("ce_type", _encoded(event_type)),
        ("ce_time", _time(time)),
        _CONTENT,
    ]
    if subject is not None:
        headers.append(("ce_subject", _encoded(subject)))
    return headers


def header(headers: Headers | tuple[tuple[str, bytes], ...], name: str) -> str | None:
    """First value of header `name`, decoded leniently (headers are untrusted input)."""
    for key, value in headers:
        if key == name:
            return value.decode("utf-8", "replace") if value is not None else None
    return None
