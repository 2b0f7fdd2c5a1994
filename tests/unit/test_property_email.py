"""Property tests of the MIME parser: arbitrary bytes and mutated real mail never crash it;
each yields one draft or a deadletter with a reason (tests/unit/property_helpers.py)."""

from datetime import UTC, datetime
from email.utils import format_datetime

from hypothesis import given
from hypothesis import strategies as st

from connectors.email.config import EmailConfig
from connectors.email.connector import EmailConnector
from tests.unit.property_helpers import PROPERTY, check_total, mutated, read_samples

EMAIL = EmailConnector(EmailConfig())
SAMPLES = read_samples("email", shared=("email",))
# Control characters excluded: a NUL in the header section is refused as "not mail" on
# purpose, and a raw CR/LF would end the header field.
HEADER_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=200)


@PROPERTY
@given(st.binary(max_size=8192))
def test_arbitrary_bytes(raw: bytes) -> None:
    result = EMAIL.parse(raw)
    check_total(result)
    assert len(result.drafts) + (result.deadletter is not None) == 1


@PROPERTY
@given(mutated(SAMPLES))
def test_mutated_real_mail(raw: bytes) -> None:
    result = EMAIL.parse(raw)
    check_total(result)
    assert len(result.drafts) + (result.deadletter is not None) == 1


@PROPERTY
@given(HEADER_TEXT, HEADER_TEXT, HEADER_TEXT, st.sampled_from(["utf-8", "latin-1", "gb18030"]))
def test_any_header_and_body_text_yields_a_draft(
    subject: str, sender: str, body: str, charset: str
) -> None:
    """Mail with a From header is mail, whatever its texts hold: never a deadletter."""
    date = format_datetime(datetime(2024, 3, 4, tzinfo=UTC))
    head = f"From: {sender} <a@example.com>\nSubject: {subject}\nDate: {date}\n"
    head += f"Content-Type: text/plain; charset={charset}\n\n"
    raw = head.encode("utf-8", "surrogateescape") + body.encode(charset, "replace")
    result = EMAIL.parse(raw)
    (message,) = check_total(result)
    assert message.channel.value == "email"
