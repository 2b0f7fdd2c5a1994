"""Dropping rows older than the window, with a tombstone each so compaction forgets them too."""

import numpy as np

from router.state import codec
from router.state.changes import Changes
from router.state.restore import Layout
from router.state.table import KeyTable


def expire(table: KeyTable, layout: Layout, cutoff: int, changes: Changes) -> int:
    """Remove rows last seen before `cutoff`; returns how many. One vectorised rebuild, so
    calling this once a minute costs little, while calling it per record would not."""
    if not len(table):
        return 0
    keys, cols = table.rows()
    old = cols["ts"].astype(np.int64) < cutoff  # int64: a cutoff before the epoch is < 0
    count = int(old.sum())
    if count == 0:
        return 0
    ids = keys if layout.id_column is None else cols[layout.id_column]
    for key in ids[old].tolist():
        changes.put(codec.entry_key(layout.kind, key), None)
    live = ~old
    table.rebuild(keys[live], {name: col[live] for name, col in cols.items()})
    return count
