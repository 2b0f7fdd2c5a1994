"""`omniroute normalize` through the phone parsers, and an optional sweep over the real
third-party samples in ../shared/data/cdr (skipped when absent, e.g. in a fresh clone)."""

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from connectors import registry
from connectors.base import safe_parse
from connectors.normalize import normalize_file
from tests.unit.phone_helpers import FIXTURES

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdr"


def run(channel: str, name: str) -> list[dict[str, object]]:
    out = io.StringIO()
    normalize_file(channel, FIXTURES / name, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_asterisk_file_gives_a_message_per_line_and_a_deadletter_per_bad_line() -> None:
    rows = run("asterisk", "asterisk_bad.csv")
    assert sum("message" in r for r in rows) == 2
    assert [r["deadletter"]["reason_code"] for r in rows if "deadletter" in r] == [  # type: ignore[index]
        "invalid_cdr"
    ] * 3
    assert len(run("asterisk", "asterisk_master.csv")) == 10


@pytest.mark.parametrize(
    ("channel", "name", "kind"),
    [
        ("twilio", "twilio_status_no_answer.form", "callback_request"),
        ("twilio", "twilio_transcription.form", "callback_request"),
        ("freeswitch", "freeswitch_answered.json", "call_record"),
    ],
)
def test_single_payload_files(channel: str, name: str, kind: str) -> None:
    [row] = run(channel, name)
    assert row["message"]["kind"] == kind  # type: ignore[index]
    assert row["message"]["channel"] == "phone"  # type: ignore[index]


def test_registered() -> None:
    assert {"asterisk", "freeswitch", "twilio"} <= set(registry.names())


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/cdr not present")
def test_real_samples_never_raise() -> None:
    freeswitch = registry.get("freeswitch")
    twilio = registry.get("twilio")
    seen = 0
    for path in sorted((SHARED / "freeswitch_json_cdr_cgrates").glob("*")):
        result = safe_parse(freeswitch, path.read_bytes(), {"filename": path.name})
        assert result.drafts or result.ignored or result.deadletter
        if result.deadletter is not None:
            assert result.deadletter.reason_code != "parser_error", result.deadletter.reason
        seen += 1
    for path in sorted((SHARED / "twilio_rest_fixtures").glob("*.json")):
        # The REST resources are JSON, not callbacks: they must be rejected cleanly.
        result = safe_parse(twilio, path.read_bytes(), {"filename": path.name})
        assert result.deadletter is None or result.deadletter.reason_code != "parser_error"
        seen += 1
    assert seen > 0


# REST resource field -> callback parameter, to replay Twilio's own Call / Recording /
# Transcription samples through the callback parsers.
_AS_CALLBACK = {
    "sid": "CallSid",
    "from": "From",
    "to": "To",
    "status": "CallStatus",
    "duration": "CallDuration",
    "direction": "Direction",
    "end_time": "Timestamp",
    "caller_name": "CallerName",
    "answered_by": "AnsweredBy",
    "call_sid": "CallSid",
    "start_time": "RecordingStartTime",
    "source": "RecordingSource",
    "media_url": "RecordingUrl",
    "recording_sid": "RecordingSid",
    "transcription_text": "TranscriptionText",
}


_KINDS = {
    "v2010_test_call__": "status",
    "v2010_test_recording__": "recording",
    "v2010_recording_test_transcription__": "transcription",
}


def _resources(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_bytes())
    for key in ("calls", "recordings", "transcriptions"):
        if isinstance(data.get(key), list):
            return list(data[key])
    return [data] if data.get("sid") else []


def _callback(kind: str, resource: dict[str, Any]) -> bytes:
    form = {_AS_CALLBACK[k]: str(v) for k, v in resource.items() if k in _AS_CALLBACK and v}
    if kind == "recording":
        form["CallSid"] = str(resource.get("call_sid") or "CA-unknown")
        form.update(
            RecordingSid=resource["sid"],
            RecordingStatus=resource.get("status", ""),
            RecordingDuration=str(resource.get("duration") or ""),
        )
    if kind == "transcription":
        form.update(
            CallSid="CA-unknown",
            TranscriptionSid=resource["sid"],
            TranscriptionStatus=resource.get("status", ""),
        )
    return urlencode(form).encode()


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/cdr not present")
def test_real_twilio_resources_replayed_as_callbacks() -> None:
    twilio = registry.get("twilio")
    outcomes: list[str] = []
    for path in sorted((SHARED / "twilio_rest_fixtures").glob("v2010_*.json")):
        kind = next((k for p, k in _KINDS.items() if path.name.startswith(p)), None)
        if kind is None:
            continue
        for resource in _resources(path):
            result = safe_parse(twilio, _callback(kind, resource), {"callback": kind})
            assert result.deadletter is None or result.deadletter.reason_code != "parser_error"
            outcomes.append("draft" if result.drafts else "other")
    assert "draft" in outcomes
