from datetime import UTC, datetime

import pytest

from connectors.phone.config import PhoneConfig
from connectors.phone.normalise import (
    Direction,
    Disposition,
    clean_number,
    kind_for,
    rfc2822,
    seconds,
    to_e164,
)
from connectors.phone.record import CallRecord, to_draft
from intake.errors import InvalidInput
from intake.message import Channel, MessageKind


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+4930901820", "US", "+4930901820"),
        ("030901821", "DE", "+4930901821"),
        ("0049 30 901821", "DE", "+4930901821"),
        ("(212) 555-0147", "US", "+12125550147"),
        ("sip:+4930901820@carrier.example;user=phone", "DE", "+4930901820"),
        ("tel:+4930901820", "DE", "+4930901820"),
        ("600", "DE", None),  # an extension, even though "+49600" is a possible number
        ("1001", "US", None),
        ("anonymous", "DE", None),
        ("client:alice", "US", None),
        ("", "US", None),
        (None, "US", None),
    ],
)
def test_e164(raw: str | None, region: str, expected: str | None) -> None:
    assert to_e164(raw, region) == expected


def test_withheld_numbers_are_no_numbers() -> None:
    assert clean_number("Restricted") is None
    assert clean_number(" 201 ") == "201"


@pytest.mark.parametrize(
    ("disposition", "direction", "kind"),
    [
        (Disposition.ANSWERED, Direction.INBOUND, MessageKind.CALL_RECORD),
        (Disposition.MISSED, Direction.INBOUND, MessageKind.CALLBACK_REQUEST),
        (Disposition.ABANDONED, Direction.INBOUND, MessageKind.CALLBACK_REQUEST),
        (Disposition.BUSY, Direction.INBOUND, MessageKind.CALLBACK_REQUEST),
        (Disposition.VOICEMAIL, Direction.INBOUND, MessageKind.CALLBACK_REQUEST),
        (Disposition.FAILED, Direction.INBOUND, MessageKind.CALL_RECORD),
        (Disposition.MISSED, Direction.OUTBOUND, MessageKind.CALL_RECORD),
    ],
)
def test_kind(disposition: Disposition, direction: Direction, kind: MessageKind) -> None:
    assert kind_for(disposition, direction) is kind


def test_draft_from_record_carries_scalar_metadata_and_transcript() -> None:
    config = PhoneConfig(default_region="DE", queue_departments={"returns-queue": "returns"})
    record = CallRecord(
        pbx="asterisk",
        channel_message_id="1.1",
        call_id="1.1",
        disposition=Disposition.VOICEMAIL,
        disposition_raw="ANSWERED",
        caller="030901820",
        caller_name='"Erika"',
        callee="4930555000",
        queue="returns-queue",
        started_at=datetime(2024, 3, 4, 10, 0, tzinfo=UTC),
        transcript="please call back",
        extra={"pbx_last_app": "VoiceMail", "pbx_account": None},
    )
    draft = to_draft(record, config)
    assert draft.channel is Channel.PHONE
    assert draft.kind is MessageKind.CALLBACK_REQUEST
    assert draft.customer.phone == "+4930901820"
    assert draft.customer.name == "Erika"
    assert draft.text == "please call back"
    assert draft.thread.conversation_id == "1.1"
    assert draft.metadata["department_hint"] == "returns"
    assert draft.metadata["call_started_at"] == "2024-03-04T10:00:00+00:00"
    assert "pbx_account" not in draft.metadata
    assert all(isinstance(v, str | int | float | bool) for v in draft.metadata.values())


def test_outbound_customer_is_the_callee() -> None:
    record = CallRecord(
        pbx="asterisk",
        channel_message_id="2.1",
        call_id="2.1",
        disposition=Disposition.MISSED,
        disposition_raw="NO ANSWER",
        direction=Direction.OUTBOUND,
        caller="201",
        callee="+4930901828",
    )
    draft = to_draft(record, PhoneConfig())
    assert draft.customer.phone == "+4930901828"
    assert draft.kind is MessageKind.CALL_RECORD


def test_record_that_breaks_the_contract_is_invalid_input() -> None:
    record = CallRecord(
        pbx="x",
        channel_message_id="",
        call_id="",
        disposition=Disposition.MISSED,
        disposition_raw="",
    )
    with pytest.raises(InvalidInput, match="channel_message_id"):
        to_draft(record, PhoneConfig())


def test_unknown_region_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        PhoneConfig(default_region="XX")


def test_field_helpers() -> None:
    assert seconds({"d": "12.5"}, "d") == 12.5
    assert seconds({}, "d") is None
    for bad in ("-1", "nan", "inf", "ten"):
        with pytest.raises(InvalidInput):
            seconds({"d": bad}, "d")
    moment = rfc2822({"t": "Mon, 04 Mar 2024 10:30:00 +0000"}, "t")
    assert moment == datetime(2024, 3, 4, 10, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        rfc2822({"t": "yesterday"}, "t")
