"""Property tests of the intake contract: any request body is either drafts or an error that
names the bad fields (never another exception), a valid draft survives JSON both ways, and a
deadletter keeps any bytes exactly."""

from datetime import timedelta, timezone
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from intake import serde
from intake.deadletter import DeadLetter, Stage
from intake.errors import InvalidInput
from intake.http.validation import SchemaErrors, parse_drafts
from intake.message import Attachment, Channel, Customer, MessageDraft, MessageKind, Thread
from tests.unit.property_helpers import (
    COMPLETER,
    JSON,
    PROPERTY,
    json_documents,
    json_mutated,
    read_samples,
)

# Whole-minute offsets: RFC 3339 has no seconds in an offset (zoneinfo's pre-1900 local mean
# times do, and JSON cannot carry them).
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
SHORT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)
METADATA = st.dictionaries(
    TEXT, st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT, max_size=5
)
DRAFTS = st.builds(
    MessageDraft,
    channel=st.sampled_from(Channel),
    channel_message_id=SHORT,
    kind=st.sampled_from(MessageKind),
    tenant=SHORT,
    occurred_at=st.none() | st.datetimes(timezones=OFFSETS),
    customer=st.builds(
        Customer,
        email=st.none() | TEXT,
        phone=st.none() | TEXT,
        handle=st.none() | TEXT,
        order_numbers=st.lists(SHORT, max_size=3).map(tuple),
    ),
    thread=st.builds(
        Thread, conversation_id=st.none() | TEXT, references=st.lists(TEXT, max_size=3).map(tuple)
    ),
    subject=st.none() | TEXT,
    text=st.text(max_size=300),
    attachments=st.lists(
        st.builds(Attachment, filename=st.none() | TEXT, size_bytes=st.integers(0, 2**40)),
        max_size=2,
    ).map(tuple),
    metadata=METADATA,
)
SAMPLE_DRAFTS = [
    *json_documents(read_samples("webchat")),
    {"channel": "api", "channel_message_id": "shop-4711", "text": "wo ist mein Paket",
     "customer": {"email": "ana@example.com", "order_numbers": ["A-1001"]},
     "thread": {"references": ["<a@b>"]}, "metadata": {"k": 1, "b": True}},
]  # fmt: skip


def only_clear_errors(body: bytes) -> list[MessageDraft]:
    try:
        drafts, _ = parse_drafts(body, max_batch=50)
    except SchemaErrors as exc:
        assert exc.errors
        for error in exc.errors:
            assert error["pointer"] == "" or error["pointer"].startswith("/")
            assert isinstance(error["detail"], str) and error["detail"]
        return []
    except InvalidInput as exc:
        assert str(exc)
        return []
    for draft in drafts:
        COMPLETER.complete(draft, source="property")
    return drafts


@PROPERTY
@given(st.binary(max_size=2048))
def test_any_bytes(body: bytes) -> None:
    only_clear_errors(body)


@PROPERTY
@given(JSON)
def test_any_json(value: Any) -> None:
    only_clear_errors(orjson.dumps(value))


@PROPERTY
@given(json_mutated(SAMPLE_DRAFTS, max_steps=5))
def test_mutated_drafts(body: bytes) -> None:
    only_clear_errors(body)


@PROPERTY
@given(st.lists(DRAFTS, min_size=1, max_size=3), st.booleans())
def test_valid_drafts_survive_the_api_and_the_topic(
    drafts: list[MessageDraft], batch: bool
) -> None:
    payload = [d.model_dump(mode="json", exclude_none=True) for d in drafts]
    body = orjson.dumps(payload if batch else payload[0])
    parsed = only_clear_errors(body)
    assert parsed == (drafts if batch else drafts[:1])
    for draft in parsed:
        message = COMPLETER.complete(draft, source="property")
        assert serde.loads(type(message), serde.dumps(message)) == message


@PROPERTY
@given(st.binary(max_size=4096), st.text(max_size=5000))
def test_deadletter_keeps_any_bytes(raw: bytes, reason: str) -> None:
    dead = DeadLetter.of(raw, stage=Stage.CONNECTOR, reason_code="x", reason=reason, source="p")
    again = serde.loads(DeadLetter, dead.to_bytes())
    assert again.raw == raw and again == dead
