from typing import Any

import pytest
from pydantic import ValidationError

from connectors.base import ParseResult
from connectors.phone.asterisk import AsteriskConfig, AsteriskConnector
from connectors.phone.cdr_custom import mapping_columns, master_columns
from intake.message import MessageKind
from tests.unit.phone_helpers import fixture


def connector(**overrides: Any) -> AsteriskConnector:
    return AsteriskConnector(AsteriskConfig(**({"default_region": "DE"} | overrides)))


def by_uniqueid(result: ParseResult) -> dict[str, Any]:
    return {d.metadata["call_id"]: d for d in result.drafts}


def test_master_csv_dispositions_and_kinds() -> None:
    result = connector(
        timezone="Europe/Berlin",
        outbound_contexts=("from-internal",),
        queue_departments={"returns-queue": "returns"},
    ).parse(fixture("asterisk_master.csv"))
    assert isinstance(result, ParseResult)
    assert result.deadletters == ()
    calls = by_uniqueid(result)
    expected = {
        "1709547300.101": ("answered", MessageKind.CALL_RECORD),
        "1709547600.102": ("missed", MessageKind.CALLBACK_REQUEST),
        "1709547900.103": ("busy", MessageKind.CALLBACK_REQUEST),
        "1709548200.104": ("failed", MessageKind.CALL_RECORD),
        "1709548500.105": ("abandoned", MessageKind.CALLBACK_REQUEST),  # Queue, no agent
        "1709548800.106": ("voicemail", MessageKind.CALLBACK_REQUEST),
        "1709549100.107": ("answered", MessageKind.CALL_RECORD),  # Queue, agent took it
        "1709549400.108": ("failed", MessageKind.CALL_RECORD),  # CONGESTION
        "1709549700.109": ("missed", MessageKind.CALL_RECORD),  # we called out
        "1709550000.110": ("missed", MessageKind.CALLBACK_REQUEST),
    }
    assert {k: (d.metadata["call_disposition"], d.kind) for k, d in calls.items()} == expected


def test_answered_call_fields() -> None:
    draft = by_uniqueid(connector(timezone="Europe/Berlin").parse(fixture("asterisk_master.csv")))[
        "1709547300.101"
    ]
    assert draft.channel_message_id == "1709547300.101"
    assert draft.customer.phone == "+4930901820"
    assert draft.customer.name == "Erika Mustermann"
    assert draft.occurred_at.isoformat() == "2024-03-04T09:15:00+00:00"  # CET -> UTC
    meta = draft.metadata
    assert meta["call_answered_at"] == "2024-03-04T09:15:12+00:00"
    assert meta["call_ended_at"] == "2024-03-04T09:19:30+00:00"
    assert (meta["ring_seconds"], meta["talk_seconds"], meta["duration_seconds"]) == (12, 258, 270)
    assert meta["callee"] == "+4930555000"
    assert meta["pbx_context"] == "from-pstn"
    assert meta["pbx_account"] == "shop1"


def test_queue_hint_voicemail_recording_and_withheld_caller() -> None:
    calls = by_uniqueid(
        connector(queue_departments={"returns-queue": "returns"}).parse(
            fixture("asterisk_master.csv")
        )
    )
    abandoned = calls["1709548500.105"]
    assert abandoned.metadata["queue"] == "returns-queue"
    assert abandoned.metadata["department_hint"] == "returns"
    assert abandoned.metadata["talk_seconds"] == 0
    assert abandoned.metadata["ring_seconds"] == 120
    assert "call_answered_at" not in abandoned.metadata
    voicemail = calls["1709548800.106"]
    assert voicemail.metadata["pbx_last_app"] == "VoiceMail"
    withheld = calls["1709550000.110"]
    assert withheld.customer.phone is None
    assert withheld.customer.name is None


def test_bad_lines_become_one_deadletter_each_with_the_raw_line() -> None:
    raw = fixture("asterisk_bad.csv")
    result = connector().parse(raw, {"filename": "bad.csv"})
    assert isinstance(result, ParseResult)
    assert sorted(by_uniqueid(result)) == ["1709547300.201", "1709548200.204"]
    reasons = [d.reason for d in result.deadletters]
    assert len(reasons) == 3
    assert "bad.csv:2: expected 18 columns" in reasons[0]
    assert "bad.csv:3: start: not a time" in reasons[1]
    assert "bad.csv:4: disposition: unknown value 'EXPLODED'" in reasons[2]
    lines = raw.split(b"\n")
    assert [d.raw for d in result.deadletters] == [lines[1], lines[2], lines[3]]
    assert result.deadletter == result.deadletters[0]


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b'"unterminated,"quote',
        b"\x00\x01\x02",
        b'"a","b"' * 500,
        "\u00e4\u00f6\u00fc".encode("latin-1"),
    ],
)
def test_parse_is_total(line: bytes) -> None:
    result = connector().parse(line)
    assert result.drafts == []


def test_latin1_caller_name_survives() -> None:
    line = fixture("asterisk_master.csv").split(b"\n")[0]
    line = line.replace(b"Erika Mustermann", "J\u00fcrgen".encode("latin-1"))
    draft = connector().parse(line).drafts[0]
    assert draft.customer.name == "J\u00fcrgen"


def test_redelivery_maps_to_the_same_id_and_sequence_separates_cdrs() -> None:
    line = fixture("asterisk_master.csv").split(b"\n")[0]
    one, two = connector().parse(line).drafts[0], connector().parse(line).drafts[0]
    assert one.channel_message_id == two.channel_message_id == "1709547300.101"
    newcols = line + b',"","1709547300.100",7'
    draft = connector(newcdrcolumns=True).parse(newcols).drafts[0]
    assert draft.channel_message_id == "1709547300.101:7"
    assert draft.thread.conversation_id == "1709547300.100"  # linkedid joins the legs


def test_layout_without_uniqueid_uses_a_content_hash() -> None:
    line = fixture("asterisk_master.csv").split(b"\n")[0]
    short = line.rsplit(b",", 2)[0]  # cdr.conf loguniqueid=no, loguserfield=no
    c = connector(loguniqueid=False, loguserfield=False)
    first, again = c.parse(short).drafts[0], c.parse(short).drafts[0]
    assert first.channel_message_id.startswith("sha256:")
    assert first.channel_message_id == again.channel_message_id


def test_cdr_custom_mapping() -> None:
    mapping = fixture("asterisk_custom.conf.txt").decode()
    c = AsteriskConnector(AsteriskConfig(custom_mapping=mapping, default_region="US"))
    result = c.parse(fixture("asterisk_custom.csv"))
    assert result.deadletter is None
    answered, missed = result.drafts
    assert answered.kind is MessageKind.CALL_RECORD
    assert answered.channel_message_id == "1709550300.300:12"
    assert answered.customer.phone == "+12125550147"
    assert answered.metadata["recording_ref"] == "rec-1709550300.300.wav"
    assert answered.metadata["talk_seconds"] == 113.5
    assert answered.occurred_at.isoformat() == "2024-03-04T11:05:00.250000+00:00"
    assert missed.kind is MessageKind.CALLBACK_REQUEST
    assert missed.metadata["ring_seconds"] == 20


def test_mapping_parser() -> None:
    assert mapping_columns("clid,src,dst,start,disposition,uniqueid")[-1] == "uniqueid"
    assert mapping_columns("Simple.csv => ${EPOCH},${CDR(start)},${CDR(disposition)}") == (
        "epoch",
        "start",
        "disposition",
    )
    assert len(master_columns(True, True, True)) == 21
    for bad in ("", "src,dst", "start,disposition,$[1+1]", "start,start,disposition"):
        with pytest.raises(ValueError):
            mapping_columns(bad)


def test_config_is_validated() -> None:
    with pytest.raises(ValidationError, match="cannot tell which CDR field"):
        AsteriskConfig(custom_mapping="${CDR(start)},${CDR(disposition)},$[oops]")
    with pytest.raises(ValidationError, match="unknown time zone"):
        AsteriskConfig(timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="placeholder"):
        AsteriskConfig(rotated_glob="{file}.*")


def test_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIROUTE_ASTERISK_PATH", "/tmp/cdr/Master.csv")
    monkeypatch.setenv("OMNIROUTE_ASTERISK_QUEUE_DEPARTMENTS", '{"q1": "billing"}')
    config = AsteriskConfig()
    assert str(config.checkpoint_file()) == "/tmp/cdr/Master.csv.omniroute-checkpoint"
    assert config.queue_departments == {"q1": "billing"}
