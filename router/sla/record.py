"""One tracked case, and its compact changelog encoding.

The record holds only ids and bounded enums (no customer data), so it can live in a compacted
changelog topic keyed by case id. Times are epoch seconds in memory and epoch milliseconds on
the wire; the encoding is a positional JSON array (about 150 bytes), versioned by its first
element so a later layout can still read old records. The clock's rules (target, calendar,
zone) come from the router's decision and are stored with the case, so the tracker never
derives them again.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from intake import serde
from intake.errors import InvalidInput

RECORD_VERSION = 2
_FIELDS = 18
_AT_RISK, _BREACHED, _RESOLUTION_SEEN = 1, 2, 4


@dataclass(slots=True)
class CaseRecord:
    case_id: str
    channel: str
    department: str
    priority: str
    started_at: float  # when the customer acted (the SLA clock start)
    dispatched_at: float
    target_s: float  # first-response target, in SLA seconds of `calendar`
    calendar: str | None = None  # routing-config calendar name; None: around the clock
    zone: str | None = None  # time zone its hours count in, when not the calendar's own
    contact_count: int = 1
    due_at: float | None = None  # None while paused or answered
    at_risk_at: float | None = None
    paused: list[tuple[float, float]] = field(default_factory=list)
    paused_since: float | None = None
    first_response_at: float | None = None
    resolved_at: float | None = None
    at_risk_emitted: bool = False
    breached_emitted: bool = False
    resolution_seen: bool = False  # the resolution histogram is observed once per case
    reopens: int = 0
    escalated_to: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    @property
    def awaiting_response(self) -> bool:
        return self.first_response_at is None and self.resolved_at is None


def to_datetime(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _ms(t: float | None) -> int | None:
    return None if t is None else round(t * 1000)


def _s(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def encode(r: CaseRecord) -> bytes:
    flags = (
        (_AT_RISK if r.at_risk_emitted else 0)
        | (_BREACHED if r.breached_emitted else 0)
        | (_RESOLUTION_SEEN if r.resolution_seen else 0)
    )
    return serde.dumps_obj(
        [
            RECORD_VERSION,
            r.case_id,
            r.channel,
            r.department,
            r.priority,
            _ms(r.started_at),
            _ms(r.dispatched_at),
            _ms(r.target_s),
            [[_ms(a), _ms(b)] for a, b in r.paused],
            _ms(r.paused_since),
            _ms(r.first_response_at),
            _ms(r.resolved_at),
            flags,
            r.reopens,
            r.escalated_to,
            r.calendar,
            r.zone,
            r.contact_count,
        ]
    )


def decode(raw: bytes) -> CaseRecord:
    """Deadlines are not stored: the tracker recomputes them from the calendar on restore, so
    a calendar change after a restart applies to open cases too."""
    data = serde.loads_obj(raw)
    if not isinstance(data, list) or len(data) != _FIELDS or data[0] != RECORD_VERSION:
        raise InvalidInput(f"not an SLA case record (version {RECORD_VERSION})")
    (_, case_id, channel, dept, prio, start, disp, target, paused, since, first, res) = data[:12]
    flags, reopens, escalated, calendar, zone, contacts = data[12:]
    return CaseRecord(
        case_id=case_id,
        channel=channel,
        department=dept,
        priority=prio,
        started_at=start / 1000,
        dispatched_at=disp / 1000,
        target_s=target / 1000,
        paused=[(a / 1000, b / 1000) for a, b in paused],
        paused_since=_s(since),
        first_response_at=_s(first),
        resolved_at=_s(res),
        at_risk_emitted=bool(flags & _AT_RISK),
        breached_emitted=bool(flags & _BREACHED),
        resolution_seen=bool(flags & _RESOLUTION_SEEN),
        reopens=reopens,
        escalated_to=escalated,
        calendar=calendar,
        zone=zone,
        contact_count=contacts,
    )
