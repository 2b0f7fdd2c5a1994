"""One FreeSWITCH mod_json_cdr record -> CallRecord.

mod_json_cdr POSTs the JSON raw (`encode=false`), as `cdr=<url-encoded JSON>` (`encode=true`)
or as `cdr=<base64 JSON>` (`encode=base64`), and by default URL-encodes every variable value
(`encode-values=true`). Times come from `variables.*_uepoch`, else the callflow's `times`.
"""

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from connectors.phone import metadata as md
from connectors.phone.normalise import Direction, Disposition, from_epoch, seconds_between
from connectors.phone.record import CallRecord
from intake import serde
from intake.errors import InvalidInput

_UNANSWERED = {
    "ORIGINATOR_CANCEL": Disposition.ABANDONED,  # the caller hung up while it rang
    "NO_ANSWER": Disposition.MISSED,
    "NO_USER_RESPONSE": Disposition.MISSED,
    "ALLOTTED_TIMEOUT": Disposition.MISSED,
    "NORMAL_CLEARING": Disposition.MISSED,
    "USER_BUSY": Disposition.BUSY,
}


@dataclass(frozen=True, slots=True)
class FsOptions:
    values_url_encoded: bool
    outbound_contexts: frozenset[str]
    voicemail_apps: frozenset[str]
    queue_variables: tuple[str, ...]
    recording_variables: tuple[str, ...]
    transcript_variables: tuple[str, ...]


def decode_body(raw: bytes, content_type: str = "") -> dict[str, Any]:
    body = raw.strip()
    if body.startswith(b"cdr="):
        value = body[4:]
        urlencoded = value[:3].lower() == b"%7b" or value[:1] == b"{"
        if content_type.endswith("base64-encoded") or not urlencoded:
            try:
                body = base64.b64decode(value + b"=" * (-len(value) % 4))
            except (binascii.Error, ValueError):
                raise InvalidInput("cdr= value is neither URL-encoded JSON nor base64") from None
        else:
            body = unquote_to_bytes(value.replace(b"+", b" "))
    data = serde.loads_obj(body)
    if not isinstance(data, dict):
        raise InvalidInput("a mod_json_cdr record is a JSON object")
    return data


def is_b_leg(data: Mapping[str, Any]) -> bool:
    """The B-leg (the agent's phone) has an `originator` profile; the A-leg is the call."""
    variables = data.get("variables")
    if isinstance(variables, dict) and variables.get("originating_leg_uuid"):
        return True
    return any("originator" in _dict(p.get("caller_profile")) for p in _profiles(data))


def call_record(data: Mapping[str, Any], options: FsOptions, uuid_hint: str = "") -> CallRecord:
    raw_vars = data.get("variables")
    if not isinstance(raw_vars, dict):
        raise InvalidInput("no 'variables' object: not a mod_json_cdr record")
    v = {k: _text(x, options.values_url_encoded) for k, x in raw_vars.items()}
    profiles = _profiles(data)
    first = _dict(profiles[0].get("caller_profile")) if profiles else {}
    times = _dict(profiles[-1].get("times")) if profiles else _dict(data.get("times"))
    uuid = v.get("uuid") or str(first.get("uuid") or "") or uuid_hint
    if not uuid:
        raise InvalidInput("no uuid in variables or callflow")
    start = _moment(v.get("start_uepoch"), times.get("created_time"))
    answer = _moment(v.get("answer_uepoch"), times.get("answered_time"))
    end = _moment(v.get("end_uepoch"), times.get("hangup_time"))
    disposition, raw_disposition = _disposition(v, answer is not None, options)
    human = disposition in (Disposition.ANSWERED, Disposition.VOICEMAIL)
    duration = _number(v.get("duration")) or seconds_between(start, end)
    talk = (_number(v.get("billsec")) or seconds_between(answer, end) or 0.0) if human else 0.0
    context = str(first.get("context") or v.get("user_context") or "") or None
    outbound = v.get("call_direction") == "outbound" or context in options.outbound_contexts
    return CallRecord(
        pbx="freeswitch",
        channel_message_id=uuid,
        call_id=v.get("call_uuid") or uuid,
        disposition=disposition,
        disposition_raw=raw_disposition,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        caller=_first(first, v, "caller_id_number", "effective_caller_id_number", "ani"),
        caller_name=_first(first, v, "caller_id_name", "effective_caller_id_name"),
        callee=_first(first, v, "destination_number", "sip_to_user", "dialed_user"),
        queue=_pick(v, options.queue_variables),
        context=context,
        started_at=start,
        answered_at=answer if human else None,
        ended_at=end,
        ring_seconds=None if duration is None else max(0.0, duration - talk),
        talk_seconds=talk,
        duration_seconds=duration,
        recording_ref=_pick(v, options.recording_variables),
        transcript=_pick(v, options.transcript_variables),
        extra={md.PBX_LAST_APP: v.get("last_app"), md.PBX_ACCOUNT: v.get("accountcode")},
    )


def _disposition(v: Mapping[str, str], answered: bool, o: FsOptions) -> tuple[Disposition, str]:
    cause = v.get("hangup_cause", "").upper()
    if not answered:
        if not cause:
            raise InvalidInput("neither answer time nor hangup_cause: the outcome is unknown")
        return _UNANSWERED.get(cause, Disposition.FAILED), cause
    if v.get("last_app", "").casefold() in o.voicemail_apps:
        return Disposition.VOICEMAIL, cause
    # mod_callcenter answers the caller to queue them: cc_cause=cancel means they gave up.
    if v.get("cc_cause", "").casefold() == "cancel":
        return Disposition.ABANDONED, "cc_cause=cancel"
    # An IVR answered, then bridging to an agent failed: nobody spoke to the customer.
    dial = (v.get("DIALSTATUS") or v.get("originate_disposition") or "").upper()
    bridged = any(v.get(k) for k in ("bridge_uuid", "last_bridge_to", "bridge_channel"))
    if v.get("last_app", "") == "bridge" and not bridged and dial and dial != "SUCCESS":
        return _UNANSWERED.get(dial, Disposition.FAILED), dial
    return Disposition.ANSWERED, cause or "ANSWER"


def _profiles(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    flow = data.get("callflow")
    items = [flow] if isinstance(flow, dict) else flow if isinstance(flow, list) else []
    profiles = [p for p in items if isinstance(p, dict)]
    return sorted(profiles, key=lambda p: _number(str(p.get("profile_index", ""))) or 0.0)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object, url_encoded: bool) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return unquote(text) if url_encoded and "%" in text else text


def _first(profile: Mapping[str, Any], v: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = str(profile.get(name) or "") or v.get(name, "")
        if value.strip():
            return value.strip()
    return None


def _pick(v: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((v[n].strip() for n in names if v.get(n, "").strip()), None)


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and number >= 0 else None


def _moment(microseconds: str | None, fallback: object) -> datetime | None:
    """FreeSWITCH times are microseconds since the epoch; "0" means it never happened."""
    # The variable is authoritative when present ("0" = never); the callflow only fills gaps.
    source = microseconds if microseconds else (str(fallback) if fallback is not None else None)
    value = _number(source)
    try:
        return from_epoch(value / 1_000_000) if value else None
    except (OverflowError, OSError, ValueError):
        raise InvalidInput(f"not a time: {microseconds or fallback!r}") from None
