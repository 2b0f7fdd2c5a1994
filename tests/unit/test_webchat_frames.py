"""Chat frames, sessions and drafts, and the token buckets behind the rate limits."""

from pathlib import Path

import pytest

from connectors.base import safe_parse
from connectors.webchat import frames
from connectors.webchat.config import WebChatConfig
from connectors.webchat.connector import WebChatConnector
from connectors.webchat.ratelimit import BucketMap, TokenBucket
from connectors.webchat.session import ChatSession, draft, valid_id
from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Channel

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webchat"
CHAT = WebChatConnector(WebChatConfig(tenant="shop-de", brand="Example"))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_decode_every_frame_type() -> None:
    assert isinstance(frames.decode(fixture("message.json")), frames.MessageFrame)
    assert isinstance(frames.decode(fixture("identify.json")), frames.IdentifyFrame)
    assert isinstance(frames.decode(fixture("typing.json")), frames.TypingFrame)
    assert isinstance(frames.decode(fixture("presence.json")), frames.PresenceFrame)
    assert isinstance(frames.decode(fixture("ping.json")), frames.PingFrame)
    extra = frames.decode(b'{"type": "ping", "sent_at": 123}')  # newer widget, older server
    assert isinstance(extra, frames.PingFrame)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("not_json.txt", "not_json"),
        ("unknown_type.json", "bad_frame"),
        ("invalid_message.json", "bad_frame"),
    ],
)
def test_bad_frames_raise_with_a_code(name: str, code: str) -> None:
    with pytest.raises(frames.BadFrame) as caught:
        frames.decode(fixture(name))
    assert caught.value.code == code


@pytest.mark.parametrize(
    "raw", [b"[]", b"42", b'{"type": 1}', b'{"no": "type"}', b'{"type":"identify","email":"x"}']
)
def test_more_bad_frames(raw: bytes) -> None:
    with pytest.raises(frames.BadFrame):
        frames.decode(raw)


def test_message_becomes_a_webchat_draft_in_its_session() -> None:
    (item,) = safe_parse(CHAT, fixture("message.json")).drafts
    assert item.channel is Channel.WEBCHAT
    assert item.channel_message_id == "webchat:s3ssionAbc123:c-lz3k9a-7f2e"
    assert item.thread.conversation_id == "s3ssionAbc123"
    assert item.customer.visitor_id == "v1sitorXyz789"
    assert item.customer.email == "maria@example.com"
    assert item.customer.order_numbers == ("10077",)
    assert item.tenant == "shop-de" and item.brand == "Example"
    assert item.metadata["page_url"] == "https://shop.example.com/account/orders"


def test_session_from_context_or_none() -> None:
    raw = fixture("message_no_session.json")
    (with_ctx,) = safe_parse(CHAT, raw, {"session_id": "ctxSession01"}).drafts
    assert with_ctx.thread.conversation_id == "ctxSession01"
    (bare,) = safe_parse(CHAT, raw).drafts
    assert bare.thread.conversation_id is None and bare.customer.visitor_id is None


def test_non_messages_are_ignored_and_bad_frames_deadlettered() -> None:
    for name in ("identify.json", "typing.json", "presence.json", "ping.json"):
        result = safe_parse(CHAT, fixture(name))
        assert result.drafts == [] and len(result.ignored) == 1
    bad = safe_parse(CHAT, fixture("not_json.txt"))
    assert bad.deadletter is not None and bad.deadletter.raw == fixture("not_json.txt")


def test_identity_accumulates_over_the_session() -> None:
    session = ChatSession("sessionOne1", "visitorOne1")
    session.identify(frames.Identity(email="a@example.com", order_number="1"))
    session.identify(frames.Identity(order_number="2"))
    session.identify(frames.Identity(order_number="2"))
    frame = frames.MessageFrame(type="message", client_id="c1", text="hi")
    item = draft(frame, session, "default", None)
    assert item.customer.email == "a@example.com"
    assert item.customer.order_numbers == ("1", "2")


def test_resent_line_has_the_same_message_id() -> None:
    completer = Completer(IdentityKeyer(b"unit-test-identity-secret"))
    first = completer.complete(safe_parse(CHAT, fixture("message.json")).drafts[0], "webchat")
    again = completer.complete(safe_parse(CHAT, fixture("message.json")).drafts[0], "webchat")
    assert first.id == again.id


def test_ids_are_checked() -> None:
    assert valid_id("abcdef") == "abcdef"
    assert valid_id("abc") is None and valid_id("a" * 65) is None
    assert valid_id("abc:def") is None and valid_id(None) is None


def test_frame_shapes() -> None:
    assert frames.ack("c1", "m1") == {"type": "ack", "client_id": "c1", "id": "m1"}
    assert frames.error("x", "y") == {"type": "error", "code": "x", "detail": "y"}
    assert frames.error("x", "y", "c1")["client_id"] == "c1"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_burst_then_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate_per_s=2.0, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    assert bucket.retry_after_s() == pytest.approx(0.5)
    clock.now = 0.5
    assert bucket.take() and not bucket.take()
    clock.now = 100.0  # refills to the burst size, never beyond
    assert sum(bucket.take() for _ in range(10)) == 3


def test_bucket_map_is_bounded_lru() -> None:
    buckets = BucketMap(1.0, 1, max_keys=2)
    a = buckets.get("a")
    buckets.get("b")
    assert buckets.get("a") is a  # refreshed: "b" is now the oldest
    buckets.get("c")
    assert len(buckets) == 2
    assert buckets.get("a") is a
