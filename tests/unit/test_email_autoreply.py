import pytest

from intake.message import MessageKind
from tests.unit.email_helpers import parse_bytes, parse_fixture


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_submitted.eml", "auto-submitted"),
        ("auto_x_autoreply.eml", "x-autoreply"),
        ("auto_precedence.eml", "precedence auto_reply"),
        ("auto_subject_ooo.eml", "auto-reply subject"),
        ("auto_subject_zh.eml", "auto-reply subject"),
    ],
)
def test_auto_replies(name: str, reason: str) -> None:
    d = parse_fixture(name)
    assert d.kind is MessageKind.AUTO_REPLY
    assert d.metadata["auto_reason"] == reason


def test_auto_submitted_no_is_a_person() -> None:
    assert parse_fixture("auto_submitted_no.eml").kind is MessageKind.MESSAGE


def test_dsn_bounce() -> None:
    d = parse_fixture("bounce_dsn.eml")
    assert d.kind is MessageKind.BOUNCE
    assert d.metadata["report_type"] == "delivery-status"
    assert d.metadata["dsn_action"] == "failed"
    assert d.metadata["dsn_status"] == "5.1.1"
    assert d.metadata["original_message_id"] == "<case-77@support.shop.example>"
    assert "could not" in d.text


def test_mailer_daemon_bounce() -> None:
    d = parse_fixture("bounce_daemon_plain.eml")
    assert d.kind is MessageKind.BOUNCE
    assert d.metadata["auto_reason"] == "mailer-daemon sender"


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ("X-Autorespond: yes\r\n", MessageKind.AUTO_REPLY),
        ("Precedence: bulk\r\n", MessageKind.AUTO_REPLY),
        ("Precedence: junk\r\n", MessageKind.AUTO_REPLY),
        ("Precedence: list\r\n", MessageKind.MESSAGE),
        ("Auto-Submitted: auto-generated\r\n", MessageKind.AUTO_REPLY),
        (
            "Return-Path: <>\r\nSubject: Delivery Status Notification (Failure)\r\n",
            MessageKind.BOUNCE,
        ),
        ("Return-Path: <>\r\nSubject: hello\r\n", MessageKind.MESSAGE),
        ("Subject: Automatic reply: order\r\n", MessageKind.AUTO_REPLY),
        ("Subject: Re: out of stock?\r\n", MessageKind.MESSAGE),
        (
            "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n",
            MessageKind.AUTO_REPLY,
        ),
    ],
)
def test_header_signals(headers: str, kind: MessageKind) -> None:
    raw = f"From: c@example.com\r\n{headers}\r\n--b\r\n\r\ntext\r\n--b--\r\n".encode()
    assert parse_bytes(raw).drafts[0].kind is kind
