"""One Asterisk CSV CDR line (cdr_csv Master.csv or a cdr_custom mapping) -> CallRecord."""

import csv
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from connectors.phone import metadata as md
from connectors.phone.normalise import (
    Direction,
    Disposition,
    from_epoch,
    seconds,
    seconds_between,
)
from connectors.phone.record import CallRecord
from intake.errors import InvalidInput

_EPOCH = re.compile(r"^\d+(\.\d+)?$")
_CLID = re.compile(r'^\s*"?(?P<name>.*?)"?\s*<(?P<number>[^>]*)>\s*$')
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")
_HUMAN = frozenset({Disposition.ANSWERED, Disposition.VOICEMAIL})


@dataclass(frozen=True, slots=True)
class Layout:
    columns: tuple[str, ...]
    timezone: ZoneInfo
    outbound_contexts: frozenset[str]
    voicemail_apps: frozenset[str]  # casefolded dialplan application names
    recording_column: str
    transcript_column: str


def decode(raw: bytes) -> str:
    # Older installations write Latin-1 caller names; Latin-1 decodes every byte, so a name in
    # an unexpected charset costs a wrong glyph, not the call.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def fields_of(raw: bytes, layout: Layout) -> dict[str, str]:
    text = decode(raw).rstrip("\r\n")
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise InvalidInput(f"malformed CSV: {exc}") from None
    values = rows[0] if rows else []
    if len(values) != len(layout.columns):
        raise InvalidInput(
            f"expected {len(layout.columns)} columns ({layout.columns[0]}..."
            f"{layout.columns[-1]}), got {len(values)}"
        )
    return dict(zip(layout.columns, values, strict=True))


def call_record(raw: bytes, layout: Layout) -> CallRecord:
    """Raises InvalidInput for a line that is not a CDR of this layout."""
    f = fields_of(raw, layout)
    start = _time(f, "start", layout.timezone)
    if start is None:
        raise InvalidInput("start: empty")
    answer = _time(f, "answer", layout.timezone)
    end = _time(f, "end", layout.timezone)
    disposition_raw = f["disposition"].strip()
    lastapp = f.get("lastapp", "").strip()
    disposition = _disposition(disposition_raw, lastapp, f.get("dstchannel", ""), layout)
    duration = seconds(f, "duration")
    duration = seconds_between(start, end) if duration is None else duration
    billsec = seconds(f, "billsec")
    human = disposition in _HUMAN
    if billsec is None:
        billsec = seconds_between(answer, end)
    talk = (billsec or 0.0) if human else 0.0
    ring = None if duration is None else max(0.0, duration - talk)
    name, clid_number = _clid(f.get("clid", ""))
    message_id, call_id = _ids(f, raw)
    context = f.get("dcontext", "").strip() or None
    return CallRecord(
        pbx="asterisk",
        channel_message_id=message_id,
        call_id=call_id,
        disposition=disposition,
        disposition_raw=disposition_raw,
        direction=Direction.OUTBOUND if context in layout.outbound_contexts else Direction.INBOUND,
        caller=f.get("src", "").strip() or clid_number,
        caller_name=name,
        callee=f.get("dst", "").strip() or None,
        queue=_queue(lastapp, f.get("lastdata", "")),
        context=context,
        started_at=start,
        answered_at=answer if human else None,
        ended_at=end,
        ring_seconds=ring,
        talk_seconds=talk,
        duration_seconds=duration,
        recording_ref=f.get(layout.recording_column, "").strip() or None,
        transcript=f.get(layout.transcript_column, "").strip() or None,
        extra={md.PBX_LAST_APP: lastapp or None, md.PBX_ACCOUNT: f.get("accountcode") or None},
    )


def _disposition(raw: str, lastapp: str, dstchannel: str, layout: Layout) -> Disposition:
    value = raw.upper()
    app = lastapp.casefold()
    if value == "ANSWERED":
        if app in layout.voicemail_apps:
            return Disposition.VOICEMAIL
        # Queue() answers the caller itself to play hold music: "answered" without a second
        # party means the caller gave up before an agent took the call.
        if app == "queue" and not dstchannel.strip():
            return Disposition.ABANDONED
        return Disposition.ANSWERED
    if value == "NO ANSWER":
        return Disposition.ABANDONED if app == "queue" else Disposition.MISSED
    if value == "BUSY":
        return Disposition.BUSY
    if value in ("FAILED", "CONGESTION"):
        return Disposition.FAILED
    raise InvalidInput(f"disposition: unknown value {raw!r}")


def _ids(f: Mapping[str, str], raw: bytes) -> tuple[str, str]:
    """(channel_message_id, call_id). Asterisk 12+ may write several CDRs for one channel
    (transfers, forks), all with its uniqueid; `sequence` (newcdrcolumns) tells them apart."""
    if "uniqueid" not in f:
        digest = hashlib.sha256(raw.rstrip(b"\r\n")).hexdigest()[:32]
        return f"sha256:{digest}", f"sha256:{digest}"
    uniqueid = f["uniqueid"].strip()
    if not uniqueid:
        raise InvalidInput("uniqueid: empty")
    sequence = f.get("sequence", "").strip()
    message_id = f"{uniqueid}:{sequence}" if sequence else uniqueid
    return message_id, f.get("linkedid", "").strip() or uniqueid


def _clid(clid: str) -> tuple[str | None, str | None]:
    match = _CLID.match(clid)
    if match is None:
        return None, None
    return match.group("name").strip() or None, match.group("number").strip() or None


def _queue(lastapp: str, lastdata: str) -> str | None:
    if lastapp.casefold() != "queue":
        return None
    # Asterisk 1.6+ separates application arguments with ',', older releases with '|'.
    return re.split(r"[,|]", lastdata, maxsplit=1)[0].strip() or None


def _time(f: Mapping[str, str], name: str, tz: ZoneInfo) -> datetime | None:
    value = f.get(name, "").strip()
    if not value:
        return None
    if _EPOCH.match(value):  # cdr_custom with CDR(start,f) writes epoch seconds
        try:
            return from_epoch(float(value))
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(f"{name}: not a time: {value!r}") from None
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            continue
    raise InvalidInput(f"{name}: not a time: {value!r}")
