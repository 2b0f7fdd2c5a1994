"""Business-time arithmetic on epoch seconds: how much SLA time passed between two instants,
and when a target will be reached, with closed hours, holidays and paused intervals removed.

`None` as a calendar means the clock runs around the clock. Times are epoch floats (UTC) so
the tracker's hot path compares numbers; only window edges go through zoneinfo.
"""

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from router.sla.config import BusinessCalendar

Span = tuple[float, float]
# Bounds the search for a deadline: a target that a calendar cannot reach within ten years is
# a configuration mistake, and must not turn into an endless loop.
MAX_DAYS = 3660
FOREVER = 1e12


def _local_edge(day: date, minute: int, calendar: BusinessCalendar) -> float:
    # 24:00 is midnight of the next day; building the local wall time and letting zoneinfo
    # convert it keeps opening hours on the office clock across DST changes.
    # (aware + timedelta is wall-clock arithmetic in Python, which is exactly what we want).
    moment = datetime.combine(day, time(0), tzinfo=calendar.zone) + timedelta(minutes=minute)
    return moment.timestamp()


def open_windows(calendar: BusinessCalendar | None, start: float, end: float) -> Iterator[Span]:
    """Business windows clipped to [start, end), in time order."""
    if end <= start:
        return
    if calendar is None:
        yield start, end
        return
    day = datetime.fromtimestamp(start, calendar.zone).date() - timedelta(days=1)
    for _ in range(MAX_DAYS):
        if day not in calendar.closed:
            for first, last in calendar.ranges[day.weekday()]:
                a = max(_local_edge(day, first, calendar), start)
                b = min(_local_edge(day, last, calendar), end)
                if a < b:
                    yield a, b
        day += timedelta(days=1)
        if _local_edge(day, 0, calendar) >= end:
            return


def _minus(windows: Iterator[Span], pauses: Sequence[Span]) -> Iterator[Span]:
    """Windows with the (sorted, disjoint) pauses cut out."""
    for a, b in windows:
        cursor = a
        for p, q in pauses:
            if q <= cursor or p >= b:
                continue
            if p > cursor:
                yield cursor, p
            cursor = max(cursor, q)
            if cursor >= b:
                break
        if cursor < b:
            yield cursor, b


def elapsed(
    calendar: BusinessCalendar | None, start: float, end: float, pauses: Sequence[Span] = ()
) -> float:
    """SLA seconds in [start, end): open hours only, paused intervals excluded."""
    return sum(b - a for a, b in _minus(open_windows(calendar, start, end), pauses))


def reach(
    calendar: BusinessCalendar | None, start: float, seconds: float, pauses: Sequence[Span] = ()
) -> float:
    """The instant at which `seconds` of SLA time will have passed since `start` (given the
    pauses known so far); `FOREVER` if the calendar never gets there."""
    remaining = seconds
    if remaining <= 0:
        return start
    for a, b in _minus(open_windows(calendar, start, FOREVER), pauses):
        if b - a >= remaining:
            return a + remaining
        remaining -= b - a
    return FOREVER
