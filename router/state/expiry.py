"""Dropping rows older than the window, with a tombstone each so compaction forgets them too."""

import numpy as np

from router.state import codec
from router.state.changes import Changes
from router.state.restore import Layout
from router.state.table import KeyTable

# Expired rows are already invisible (every lookup checks the age); removing them costs a
# rebuild of the whole table, so it waits until they are worth it. Dead rows stay below 1/32.
BATCH_SHARE = 32


def expire(
    table: KeyTable, layout: Layout, cutoff: int, changes: Changes, *, force: bool = False
) -> int:
    """Remove rows last seen before `cutoff` and queue their tombstones; returns how many."""
    if not len(table):
        return 0
    used = table.keys != 0
    old_slots = used & (table.cols["ts"].astype(np.int64) < cutoff)  # int64: cutoff may be < 0
    count = int(old_slots.sum())
    if count == 0 or (not force and count * BATCH_SHARE < len(table)):
        return 0
    keys, cols = table.rows()
    old = cols["ts"].astype(np.int64) < cutoff
    ids = keys if layout.id_column is None else cols[layout.id_column]
    for key in codec.entry_keys(layout.kind, np.asarray(ids[old], np.uint64)):
        changes.put(key, None)
    live = ~old
    table.rebuild(keys[live], {name: col[live] for name, col in cols.items()})
    return count
