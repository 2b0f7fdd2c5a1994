"""Layer 1, exact: the same message id seen again within the window.

Message ids are uuid5 of tenant + channel + the channel's own id, so a webhook redelivery, an
adapter retry or a mailbox re-read yields the same id. A row is 20 bytes: the uuid's high half
(the key; 2^-64 false-match odds per lookup and key), first-seen time and the case it joined.
"""

import numpy as np

from router.state import codec
from router.state.changes import Changes
from router.state.restore import Layout
from router.state.table import KeyTable

COLUMNS = {"ts": np.uint32, "case": np.uint64}
LAYOUT = Layout(codec.SEEN)


class ExactIndex:
    def __init__(self, window_s: int, changes: Changes) -> None:
        self.table = KeyTable(COLUMNS)
        self._window = window_s
        self._changes = changes

    def case_of(self, hi: int, now: int) -> int | None:
        """Case of a message seen within the window, or None."""
        slot = self.table.find(hi)
        if slot < 0 or now - self.table.get(slot, "ts") > self._window:
            return None
        return self.table.get(slot, "case")

    def record(self, hi: int, ts: int, case: int) -> None:
        self.table.put(hi, {"ts": ts, "case": case})
        self._changes.put(
            codec.entry_key(codec.SEEN, hi), codec.entry_value(codec.SEEN, {"ts": ts, "case": case})
        )
