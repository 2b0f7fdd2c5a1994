"""Property tests of the phone parsers (Asterisk CDR CSV, FreeSWITCH JSON CDR, Twilio forms):
arbitrary bytes, mutated fixtures and type-confused JSON never crash them."""

from urllib.parse import quote_plus, urlencode

from hypothesis import given
from hypothesis import strategies as st

from connectors.base import safe_parse
from connectors.phone.asterisk import AsteriskConfig, AsteriskConnector
from connectors.phone.freeswitch import FreeswitchConfig, FreeswitchConnector
from connectors.phone.twilio import TwilioConfig, TwilioConnector
from connectors.phone.twilio_params import KINDS
from tests.unit.property_helpers import (
    PROPERTY,
    check_total,
    json_documents,
    json_mutated,
    mutated,
    read_samples,
)

ASTERISK = AsteriskConnector(AsteriskConfig(default_region="DE"))
FREESWITCH = FreeswitchConnector(FreeswitchConfig(include_b_leg=True))
TWILIO = TwilioConnector(TwilioConfig())
CSV = [s for s in read_samples("phone") if s.startswith(b'"')]
FS = read_samples("phone", shared=("cdr/freeswitch_json_cdr_cgrates",))
FS_JSON = json_documents(FS)
FORMS = [s for s in read_samples("phone") if b"CallSid=" in s or b"AccountSid=" in s]
TWILIO_KEYS = ["CallSid", "CallStatus", "From", "To", "Caller", "Called", "Direction",
               "CallDuration", "Timestamp", "RecordingSid", "RecordingUrl", "RecordingStatus",
               "RecordingDuration", "TranscriptionSid", "TranscriptionText", "AccountSid",
               "TranscriptionStatus", "SequenceNumber", "ParentCallSid", "CallerName"]  # fmt: skip
CONTENT_TYPES = st.sampled_from(["application/json", "application/x-www-form-urlencoded", ""])


@PROPERTY
@given(st.one_of(st.binary(max_size=2048), mutated(CSV)))
def test_asterisk_cdr_lines(raw: bytes) -> None:
    check_total(ASTERISK.parse(raw))


@PROPERTY
@given(st.one_of(st.binary(max_size=2048), mutated(FS), json_mutated(FS_JSON)), CONTENT_TYPES)
def test_freeswitch_json_cdr(raw: bytes, content_type: str) -> None:
    check_total(safe_parse(FREESWITCH, raw, {"content_type": content_type}))


@PROPERTY
@given(json_mutated(FS_JSON), st.booleans())
def test_freeswitch_form_posted_cdr(raw: bytes, base64: bool) -> None:
    import base64 as b64

    body = b"cdr=" + (b64.b64encode(raw) if base64 else quote_plus(raw).encode())
    check_total(safe_parse(FREESWITCH, body, {"content_type": "application/x-www-form-urlencoded"}))


@PROPERTY
@given(st.one_of(st.binary(max_size=2048), mutated(FORMS)), st.sampled_from([*KINDS, "", "x"]))
def test_twilio_forms(raw: bytes, callback: str) -> None:
    check_total(safe_parse(TWILIO, raw, {"callback": callback, "query": "queue=q&department=x"}))


@PROPERTY
@given(st.dictionaries(st.sampled_from(TWILIO_KEYS), st.text(max_size=80), max_size=12))
def test_twilio_any_field_values(params: dict[str, str]) -> None:
    check_total(safe_parse(TWILIO, urlencode(params).encode(), {}))
