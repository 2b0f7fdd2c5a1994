"""State timestamps: whole seconds since 2020-01-01 UTC in a uint32.

Four bytes per row, like minute resolution since 1970, but exact to the second until 2156, so
"just inside" and "just outside" the window mean what they say.
"""

from datetime import UTC, datetime

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_EPOCH_S = int(EPOCH.timestamp())
MAX_TS = (1 << 32) - 1


def to_ts(when: datetime) -> int:
    """Clamped to the uint32 range: a bogus year-1970 or year-3000 time must not overflow."""
    return min(max(int(when.timestamp()) - _EPOCH_S, 0), MAX_TS)


def from_ts(ts: int) -> datetime:
    return datetime.fromtimestamp(ts + _EPOCH_S, UTC)
