import re

import pytest

from connectors.email.config import DEFAULT_ORDER_REGEX
from connectors.email.threads import normalize_subject, order_numbers
from tests.unit.email_helpers import parse_bytes


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Fwd: RE: FW: order late", "order late"),
        ("AW: SV: Antw: WG: Lieferung", "Lieferung"),
        ("回复: 答复：转发: 订单问题", "订单问题"),
        ("Re[2]: RE(3): Fw: x", "x"),
        ("  Re:   spaced    out   subject ", "spaced out subject"),
        ("Return policy", "Return policy"),  # "Re" inside a word is not a prefix
        ("Re:", None),
        (None, None),
    ],
)
def test_normalize_subject(subject: str | None, expected: str | None) -> None:
    assert normalize_subject(subject) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my order #A12345 is late", ["A12345"]),
        ("Order No. SH-2024-0001 and order number: 77889900", ["SH-2024-0001", "77889900"]),
        ("我的订单号：CN2024030188，请查询", ["CN2024030188"]),
        ("订单 12345678 还没到", ["12345678"]),
        ("order number is 55555", ["55555"]),
        ("what is my order status?", []),  # no digit: not an order number
        ("preorder 12345", []),
    ],
)
def test_default_order_regex(text: str, found: list[str]) -> None:
    pattern = re.compile(DEFAULT_ORDER_REGEX, re.IGNORECASE)
    assert order_numbers(pattern, text) == found


def test_order_regex_is_configurable_and_deduplicated() -> None:
    raw = b"From: a@example.com\r\nSubject: INV-000123\r\n\r\nsee INV-000123 and INV-000999\r\n"
    draft = parse_bytes(raw, order_regex=r"\bINV-(\d{6})\b").drafts[0]
    assert draft.customer.order_numbers == ("000123", "000999")


def test_bad_order_regex_is_rejected_by_config() -> None:
    from pydantic import ValidationError

    from connectors.email.config import EmailConfig

    with pytest.raises(ValidationError):
        EmailConfig(order_regex="(unclosed")


def test_conversation_falls_back_to_in_reply_to_then_message_id() -> None:
    raw = b"From: a@example.com\r\nMessage-ID: <m@x>\r\nIn-Reply-To: <p@x>\r\n\r\nhi\r\n"
    assert parse_bytes(raw).drafts[0].thread.conversation_id == "<p@x>"
    raw = b"From: a@example.com\r\nMessage-ID: <m@x>\r\n\r\nhi\r\n"
    assert parse_bytes(raw).drafts[0].thread.conversation_id == "<m@x>"


def test_long_reference_chains_keep_root_and_latest() -> None:
    refs = " ".join(f"<r{i}@x>" for i in range(150))
    raw = f"From: a@example.com\r\nReferences: {refs}\r\n\r\nhi\r\n".encode()
    thread = parse_bytes(raw).drafts[0].thread
    assert len(thread.references) == 100
    assert thread.references[0] == "<r0@x>"
    assert thread.references[-1] == "<r149@x>"
    assert thread.conversation_id == "<r0@x>"
