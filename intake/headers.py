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


def cloudevent_headers(
    *, event_id: str, source: str, event_type: str, time: datetime, subject: str | None = None
) -> Headers:
    headers: Headers = [
        ("ce_specversion", SPECVERSION),
        ("ce_id", event_id.encode()),
        ("ce_source", source.encode()),
        ("ce_type", event_type.encode()),
        ("ce_time", time.isoformat().encode()),
        ("content-type", CONTENT_TYPE),
    ]
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
    return headers


def header(headers: Headers | tuple[tuple[str, bytes], ...], name: str) -> str | None:
    """First value of header `name`, decoded leniently (headers are untrusted input)."""
    for key, value in headers:
        if key == name:
            return value.decode("utf-8", "replace") if value is not None else None
    return None
