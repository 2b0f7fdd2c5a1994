import random

import pytest

from connectors.base import safe_parse
from intake.deadletter import Stage
from tests.unit.email_helpers import FIXTURES, connector, parse_bytes


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty"),
        (b"   \r\n\r\n", "empty"),
        ((FIXTURES / "not_mail.bin").read_bytes(), "not_mime"),
        (b"\x00\x01\x02binary\x00 junk\x00", "not_mime"),
        (b"just some words, no headers at all\nsecond line", "not_mime"),
    ],
)
def test_not_mail_becomes_a_deadletter_with_the_raw_bytes(raw: bytes, code: str) -> None:
    result = parse_bytes(raw)
    assert result.drafts == []
    assert result.deadletter is not None
    assert result.deadletter.reason_code == code
    assert result.deadletter.stage is Stage.CONNECTOR
    assert result.deadletter.source == "email"
    assert result.deadletter.raw == raw


def test_oversized_message_is_deadlettered() -> None:
    raw = b"From: a@example.com\r\n\r\n" + b"x" * 5000
    result = parse_bytes(raw, max_message_bytes=1024)
    assert result.deadletter is not None and result.deadletter.reason_code == "too_large"


def _mutations(rng: random.Random, data: bytes) -> list[bytes]:
    out = [data[: rng.randrange(len(data))] for _ in range(3)]  # truncated anywhere
    flipped = bytearray(data)
    for _ in range(20):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    out.append(bytes(flipped))
    out.append(data.replace(b"boundary=", b"boundary=x"))  # every boundary wrong
    out.append(data.replace(b"\r\n", b"\n").replace(b": ", b":\x80\xff "))  # 8-bit junk
    return out


def test_parse_is_total_on_mutated_fixtures() -> None:
    rng = random.Random(2024)
    email = connector()
    count = 0
    for path in sorted(FIXTURES.iterdir()):
        for raw in _mutations(rng, path.read_bytes()):
            result = email.parse(raw)
            assert bool(result.drafts) != (result.deadletter is not None)
            count += 1
    assert count > 100


def test_safe_parse_agrees_with_parse() -> None:
    raw = (FIXTURES / "koi8r.eml").read_bytes()
    assert safe_parse(connector(), raw).drafts == connector().parse(raw).drafts


@pytest.mark.parametrize(
    "header",
    [
        b"From: =?utf-8?B?broken\r\n",
        b"From: <<<@@@>>>\r\n",
        b'To: a@b, , ,, "unterminated <x@y>\r\n',
        b"Content-Type: multipart/mixed; boundary\r\n",
        b'Content-Type: text/plain; charset="\r\n',
        b"Content-Type: ;;;\r\n",
        b"Content-Disposition: attachment; filename*=bogus''%ZZ\r\n",
        b"Date: \xff\xfe\r\n",
        b"Message-ID: <" + b"a" * 2000 + b">\r\n",
        b"References: " + b"<r@x> " * 500 + b"\r\n",
        b"Subject: " + b"Re: " * 500 + b"x\r\n",
    ],
)
def test_broken_headers_never_raise(header: bytes) -> None:
    raw = b"From: a@example.com\r\nSubject: s\r\n" + header + b"\r\nbody\r\n"
    result = parse_bytes(raw)
    assert result.deadletter is None
    draft = result.drafts[0]
    assert len(draft.thread.references) <= 100
    assert len(draft.channel_message_id) <= 512
