"""Hostile mail, bounded in memory (asserted) and time (a hang watchdog; times are printed):
huge headers, 10k recipients, deep MIME nesting, many parts, extremely long lines, invalid
UTF-8 and NUL bytes, nested base64 messages. Each still yields one draft or a deadletter."""

import asyncio
import base64
from collections.abc import Callable

import pytest

from connectors.email.bounds import MAX_HEADER_FIELDS
from connectors.email.config import EmailConfig
from connectors.email.connector import EmailConnector
from connectors.email.smtp import MAX_RECIPIENTS, start_smtp
from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.sink import Sink
from tests.unit.fake_kafka import FakePublisher
from tests.unit.limits_helpers import MIB, bounded
from tests.unit.property_helpers import check_total

EMAIL = EmailConnector(EmailConfig())
HEAD = b"From: Ana <ana@example.com>\r\nTo: support@shop.example\r\nSubject: hi\r\n"


def nested(depth: int) -> bytes:
    raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for i in range(1, depth):
        raw += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i - 1, i)
    return raw + b"--b%d\r\nContent-Type: text/plain\r\n\r\nhello\r\n" % (depth - 1)


def base64_matryoshka(levels: int) -> bytes:
    inner = HEAD + b"\r\nthe innermost text"
    for _ in range(levels):
        wrap = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        inner = HEAD + wrap + base64.encodebytes(inner)
    return inner


CASES: dict[str, Callable[[], bytes]] = {
    "subject_1mb": lambda: HEAD + b"Subject: " + b"word " * 200_000 + b"\r\n\r\nbody",
    "encoded_words_20k": lambda: HEAD + b"X-S: " + b"=?utf-8?b?5L2g5aW9?= " * 20_000 + b"\r\n\r\nb",
    "header_fields_100k": lambda: HEAD + b"X-H: v\r\n" * 100_000 + b"\r\nbody",
    "recipients_10k": lambda: (
        HEAD.replace(
            b"To: support@shop.example",
            b"To: " + b", ".join(b'"User %d" <user%d@example.com>' % (i, i) for i in range(10_000)),
        )
        + b"\r\nbody"
    ),
    "line_20mb": lambda: HEAD + b"\r\n" + b"a" * 20_000_000,
    "invalid_utf8_nul_body": lambda: (
        HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + b"\xff\xfe\x00\xc3(" * 200_000
    ),
    "nesting_3000": lambda: nested(3000),
    "parts_100k": lambda: (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        + b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" * 100_000
        + b"--b--\r\n"
    ),
    "base64_rfc822_30_deep": lambda: base64_matryoshka(30),
}
TRUNCATED = {"header_fields_100k", "nesting_3000", "parts_100k"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_mail_is_bounded(case: str) -> None:
    raw = CASES[case]()
    result = bounded(case, lambda: EMAIL.parse(raw), max_bytes=8 * len(raw) + 64 * MIB)
    (message,) = check_total(result)
    assert (message.metadata.get("truncated") is True) == (case in TRUNCATED)


def test_header_fields_beyond_the_bound_are_dropped_not_the_mail() -> None:
    raw = b"From: a@example.com\r\n" + b"X-H: v\r\n" * 5000 + b"Subject: late\r\n\r\nbody"
    (draft,) = EMAIL.parse(raw).drafts
    assert draft.text == "body" and draft.subject is None  # past field 1000: dropped
    kept = b"From: a@example.com\r\n" + b"X-H: v\r\n" * (MAX_HEADER_FIELDS - 3)
    (draft,) = EMAIL.parse(kept + b"Subject: early\r\n\r\nbody").drafts
    assert draft.subject == "early" and "truncated" not in draft.metadata


async def rcpt_many(port: int, count: int) -> dict[str, int]:
    """One pipelined transaction (RFC 2920): MAIL, `count` RCPTs and DATA in one write."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def reply() -> str:
        while (line := (await reader.readline()).decode())[3:4] == "-":
            pass
        return line[:3]

    try:
        await reply()
        writer.write(b"EHLO client.example\r\n")
        await reply()
        rcpts = b"".join(b"RCPT TO:<user%d@shop.example>\r\n" % n for n in range(count))
        writer.write(b"MAIL FROM:<customer@example.org>\r\n" + rcpts + b"DATA\r\n")
        codes: dict[str, int] = {}
        for _ in range(count + 2):
            code = await reply()
            codes[code] = codes.get(code, 0) + 1
        writer.write(HEAD + b"\r\nten thousand recipients\r\n.\r\n")
        codes["data"] = int(await reply())
        writer.write(b"QUIT\r\n")
        await reply()
    finally:
        writer.close()
    return codes


async def test_smtp_recipients_are_bounded_with_452() -> None:
    """10k RCPT TO in one transaction: the first MAX_RECIPIENTS are taken, the rest get 452
    (the client sends them in another transaction), and the session's memory stays bounded."""
    publisher = FakePublisher()
    sink = Sink(Completer(IdentityKeyer(b"limits-identity-secret")), publisher)  # type: ignore[arg-type]
    server = await start_smtp(EMAIL, sink, host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    try:
        # No tracemalloc here (it triples aiosmtpd's per-command cost): the bound is the
        # recipient list itself, which stops growing at MAX_RECIPIENTS.
        async with asyncio.timeout(120):
            codes = await rcpt_many(port, 10_000)
    finally:
        server.close()
        await server.wait_closed()
    assert codes["250"] == MAX_RECIPIENTS + 1 and codes["354"] == 1  # + MAIL; DATA goes on
    assert codes["452"] == 10_000 - MAX_RECIPIENTS
    assert codes["data"] == 250 and len(publisher.messages) == 1
