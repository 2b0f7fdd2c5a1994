"""Property tests of the web chat frames: any bytes decode to a frame or `BadFrame` (the error
frame the widget gets), and the connector turns every message frame into a Message."""

import orjson
from hypothesis import given
from hypothesis import strategies as st

from connectors.webchat import frames
from connectors.webchat.config import WebChatConfig
from connectors.webchat.connector import WebChatConnector
from tests.unit.property_helpers import (
    PROPERTY,
    check_total,
    json_documents,
    json_mutated,
    mutated,
    read_samples,
)

CHAT = WebChatConnector(WebChatConfig())
SAMPLES = read_samples("webchat")
DOCS = json_documents(SAMPLES)


def decode_is_total(raw: bytes) -> None:
    try:
        frames.decode(raw)
    except frames.BadFrame as exc:
        assert exc.code in ("not_json", "bad_frame") and str(exc)


@PROPERTY
@given(st.one_of(st.binary(max_size=2048), mutated(SAMPLES), json_mutated(DOCS, max_steps=6)))
def test_any_frame(raw: bytes) -> None:
    decode_is_total(raw)
    check_total(CHAT.parse(raw, {"session_id": "sess-000001", "visitor_id": "vis-000001"}))


@PROPERTY
@given(
    st.text(min_size=1, max_size=500),
    st.text(max_size=64),
    st.one_of(st.none(), st.text(max_size=80)),
    st.one_of(st.none(), st.text(max_size=80)),
)
def test_any_message_text(text: str, client_id: str, email: str | None, order: str | None) -> None:
    frame = {"type": "message", "text": text, "client_id": client_id, "email": email}
    frame["order_number"] = order
    raw = orjson.dumps(frame)
    decode_is_total(raw)
    result = CHAT.parse(raw, {"session_id": "sess-000001"})
    messages = check_total(result)
    assert len(messages) + (result.deadletter is not None) == 1
