from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from intake import serde
from intake.complete import Completer, message_id
from intake.errors import InvalidInput
from intake.identity import IdentityKeyer
from intake.message import Channel, Customer, Message, MessageDraft

KEYER = IdentityKeyer(b"0123456789abcdef0123")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def draft(**kw: object) -> MessageDraft:
    base: dict[str, object] = {"channel": "email", "channel_message_id": "m-1", "text": "hi"}
    return MessageDraft.model_validate(base | kw)


def test_message_id_is_deterministic_per_tenant_channel_and_channel_id() -> None:
    assert message_id("t", "email", "x") == message_id("t", "email", "x")
    assert message_id("t", "email", "x") != message_id("t", "webchat", "x")
    assert message_id("t", "email", "x") != message_id("u", "email", "x")


def test_completed_message_round_trips_through_serde() -> None:
    m = Completer(KEYER).complete(draft(customer={"email": "A@x.com"}), "test", NOW)
    back = serde.loads(Message, serde.dumps(m))
    assert back == m
    assert back.schema_version == "1"


def test_unknown_fields_and_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValidationError):
        draft(surprise=1)
    with pytest.raises(ValidationError):
        draft(occurred_at="2026-11-22T10:00:00")


def test_channel_must_be_known() -> None:
    with pytest.raises(ValidationError):
        draft(channel="pigeon")


def test_serde_loads_reports_the_bad_field() -> None:
    with pytest.raises(InvalidInput, match="channel"):
        serde.loads(MessageDraft, b'{"channel": 3, "channel_message_id": "x"}')
    with pytest.raises(InvalidInput, match="malformed JSON"):
        serde.loads_obj(b"{nope")


def test_routing_key_is_hmac_not_raw_pii() -> None:
    m = Completer(KEYER).complete(draft(customer={"email": "Ana@Example.com"}), "t", NOW)
    assert "ana" not in m.routing_key and "example" not in m.routing_key
    assert len(m.routing_key) == 32


def test_same_customer_same_key_across_channels_and_spelling() -> None:
    c = Completer(KEYER)
    a = c.complete(draft(customer={"email": " Ana@Example.COM "}), "t", NOW)
    b = c.complete(
        draft(channel="webchat", channel_message_id="z", customer={"email": "ana@example.com"}),
        "t",
        NOW,
    )
    assert a.routing_key == b.routing_key


def test_phone_numbers_normalise_to_e164() -> None:
    k = IdentityKeyer(b"0123456789abcdef0123", default_region="DE")
    assert k.phone("0151 1234 5678") == k.phone("+49 151 12345678")


def test_contact_without_identifiers_gets_a_stable_private_key() -> None:
    c = Completer(KEYER)
    a = c.complete(draft(), "t", NOW)
    assert a.routing_key == c.complete(draft(), "t", NOW).routing_key
    assert a.routing_key != c.complete(draft(channel_message_id="other"), "t", NOW).routing_key


def test_directory_resolver_wins_over_own_identifiers() -> None:
    c = Completer(KEYER, resolver=lambda keys: "canonical-key")
    assert c.complete(draft(customer=Customer(email="a@b.c")), "t", NOW).routing_key == (
        "canonical-key"
    )


def test_short_identity_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        IdentityKeyer(b"short")


def test_channels_match_topics() -> None:
    from intake.topics import Topics

    t = Topics("p")
    assert t.intake(Channel.EMAIL) == "p.intake.email"
    assert t.dept("billing") == "p.dept.billing"
    names = {s.name for s in t.specs(["billing"], 3)}
    assert {"p.deadletter", "p.router.state", "p.customers", "p.intake.api"} <= names
    assert all(s.compacted for s in t.specs([], 3) if s.name in ("p.router.state", "p.customers"))
