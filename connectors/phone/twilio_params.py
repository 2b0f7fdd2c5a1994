"""Twilio Voice callbacks (form-encoded) -> CallRecord, or the reason it is not a message.

- status callbacks: only the final status makes a message (queued/ringing/in-progress are
  progress events); `DialCallStatus` (a <Dial> action) and `QueueResult` (an <Enqueue> action)
  say more than `CallStatus`, because Twilio itself answers every inbound call;
- recording callbacks: a completed recording; a <Record> (RecordingSource=RecordVerb) is a
  voicemail, any other recording belongs to a conversation;
- transcription callbacks: a <Record transcribe> voicemail with its text.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from connectors.phone import metadata as md
from connectors.phone.normalise import Direction, Disposition, rfc2822, seconds
from connectors.phone.record import CallRecord
from intake.errors import InvalidInput

KINDS = ("status", "recording", "transcription")
_PROGRESS = frozenset({"queued", "initiated", "ringing", "in-progress", "answered"})
_OUTCOME = {
    "completed": Disposition.ANSWERED,
    "answered": Disposition.ANSWERED,
    "busy": Disposition.BUSY,
    "no-answer": Disposition.MISSED,
    "failed": Disposition.FAILED,
    "canceled": Disposition.ABANDONED,  # hung up before it was answered
}
_QUEUE_RESULT = {
    "bridged": Disposition.ANSWERED,
    "bridging-in-process": Disposition.ANSWERED,
    "redirected-from-bridged": Disposition.ANSWERED,
    "hangup": Disposition.ABANDONED,
    "leave": Disposition.MISSED,
    "redirected": Disposition.MISSED,
    "queue-full": Disposition.FAILED,
    "system-error": Disposition.FAILED,
    "error": Disposition.FAILED,
}
_HUMAN = (Disposition.ANSWERED, Disposition.VOICEMAIL)


def form_params(raw: bytes) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("form body is not UTF-8") from None
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
    except ValueError as exc:
        raise InvalidInput(f"malformed form body: {exc}") from None


def kind_of(p: Mapping[str, str], hint: str | None) -> str:
    if hint in KINDS:
        return hint
    if p.get("TranscriptionSid"):
        return "transcription"
    if p.get("RecordingStatus") or (p.get("RecordingSid") and not p.get("CallStatus")):
        return "recording"
    return "status"


def record(p: Mapping[str, str], kind: str, query: Mapping[str, str]) -> CallRecord | str:
    """A CallRecord, or a string saying why this callback is not a message."""
    sid = p.get("CallSid", "").strip()
    if not sid:
        raise InvalidInput("CallSid missing")
    base = _common(p, sid, kind, query)
    if kind == "transcription":
        return _transcription(p, base)
    if kind == "recording":
        return _recording(p, base)
    return _status(p, base)


def _common(p: Mapping[str, str], sid: str, kind: str, query: Mapping[str, str]) -> CallRecord:
    outbound = p.get("Direction", "inbound").startswith("outbound")
    return CallRecord(
        pbx="twilio",
        channel_message_id=f"{sid}:{kind}",
        call_id=sid,
        disposition=Disposition.ANSWERED,
        disposition_raw="",
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        caller=p.get("From") or p.get("Caller") or None,
        caller_name=p.get("CallerName") or None,
        callee=p.get("To") or p.get("Called") or None,
        queue=query.get("queue") or None,
        extra={md.CALLBACK_KIND: kind, md.DEPARTMENT_HINT: query.get("department")},
    )


def _status(p: Mapping[str, str], base: CallRecord) -> CallRecord | str:
    status = p.get("CallStatus", "").strip().lower()
    if status in _PROGRESS:
        return f"twilio call status {status} (not final)"
    if status not in _OUTCOME:
        raise InvalidInput(f"CallStatus: unknown value {status!r}")
    raw, disposition = status, _OUTCOME[status]
    if p.get("QueueResult", "").lower() in _QUEUE_RESULT:
        raw = "QueueResult=" + p["QueueResult"].lower()
        disposition = _QUEUE_RESULT[p["QueueResult"].lower()]
    elif p.get("DialCallStatus", "").lower() in _OUTCOME:
        raw = "DialCallStatus=" + p["DialCallStatus"].lower()
        disposition = _OUTCOME[p["DialCallStatus"].lower()]
    elif status == "completed" and p.get("AnsweredBy", "").startswith(("machine", "fax")):
        raw, disposition = f"AnsweredBy={p['AnsweredBy']}", Disposition.VOICEMAIL
    human = disposition in _HUMAN
    ended = rfc2822(p, "Timestamp")
    duration = seconds(p, "CallDuration")
    talk = seconds(p, "DialCallDuration")
    talk = (talk if talk is not None else duration) if human else 0.0
    ring = seconds(p, "QueueTime")
    answered = ended - timedelta(seconds=talk) if human and ended and talk is not None else None
    started = _started(ended, answered, ring, duration)
    return replace(
        base,
        channel_message_id=f"{base.call_id}:status",
        disposition=disposition,
        disposition_raw=raw,
        started_at=started,
        answered_at=answered,
        ended_at=ended,
        ring_seconds=ring,
        talk_seconds=talk,
        duration_seconds=duration,
        recording_ref=p.get("RecordingUrl") or None,
    )


def _recording(p: Mapping[str, str], base: CallRecord) -> CallRecord | str:
    status = p.get("RecordingStatus", "completed").lower()
    if status != "completed":
        return f"twilio recording status {status}"
    rec = p.get("RecordingSid", "").strip()
    if not rec:
        raise InvalidInput("RecordingSid missing")
    source = p.get("RecordingSource", "")
    voicemail = source == "RecordVerb" or (not source and "Digits" in p)
    started = rfc2822(p, "RecordingStartTime")
    length = seconds(p, "RecordingDuration")
    return replace(
        base,
        channel_message_id=f"{base.call_id}:recording:{rec}",
        disposition=Disposition.VOICEMAIL if voicemail else Disposition.ANSWERED,
        disposition_raw=f"RecordingSource={source}" if source else "recording",
        started_at=started,
        recording_ref=p.get("RecordingUrl") or None,
        extra={**base.extra, md.RECORDING_DURATION_SECONDS: length},
    )


def _transcription(p: Mapping[str, str], base: CallRecord) -> CallRecord | str:
    status = p.get("TranscriptionStatus", "").lower()
    if status != "completed":
        return f"twilio transcription status {status or 'missing'}"
    sid = p.get("TranscriptionSid", "").strip()
    if not sid:
        raise InvalidInput("TranscriptionSid missing")
    return replace(
        base,
        channel_message_id=f"{base.call_id}:transcription:{sid}",
        disposition=Disposition.VOICEMAIL,  # Twilio transcribes <Record> only
        disposition_raw="transcription",
        recording_ref=p.get("RecordingUrl") or None,
        transcript_ref=p.get("TranscriptionUrl") or None,
        transcript=p.get("TranscriptionText") or None,
    )


def _started(
    ended: datetime | None, answered: datetime | None, ring: float | None, total: float | None
) -> datetime | None:
    if answered is not None and ring is not None:
        return answered - timedelta(seconds=ring)
    if ended is not None and total is not None:
        return ended - timedelta(seconds=total)
    return None
