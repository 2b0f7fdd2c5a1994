"""A compact hash table: uint64 keys and fixed-width numpy columns, open addressing.

A Python dict costs about 140 bytes per string key; here a row costs the sum of its column
widths divided by the load factor (0.5-0.75), and there are no per-row Python objects at all,
so the garbage collector never walks millions of entries. Rows are never deleted one by one:
expiry and restore rebuild the table in one vectorised pass (`rebuild`), which keeps linear
probing free of tombstones. Key 0 marks an empty slot, so callers never store key 0.
"""

from collections.abc import Iterator, Mapping

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.generic]

_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing: spreads structured keys (uuid bits) evenly
_M64 = (1 << 64) - 1
_MAX_LOAD = 0.75  # linear probing stays short (~2.5 probes per hit, ~8.5 per miss) up to here
_GROW_LOAD = 0.5  # load right after a growth step: grows by 1.5x, not 2x, to save memory
_REBUILD_LOAD = 0.7  # load after a bulk rebuild (restore, expiry): room for new rows


def slot_of(key: int, capacity: int) -> int:
    # The high 32 bits of the mixed key, scaled to the capacity (no power-of-two needed).
    return (((key * _GOLDEN) & _M64) >> 32) * capacity >> 32


def _slots(keys: npt.NDArray[np.uint64], capacity: int) -> npt.NDArray[np.int64]:
    mixed = keys * np.uint64(_GOLDEN)  # wraps modulo 2**64, like the scalar version
    return ((mixed >> np.uint64(32)) * np.uint64(capacity) >> np.uint64(32)).astype(np.int64)


class KeyTable:
    def __init__(
        self, columns: Mapping[str, npt.DTypeLike], *, unique: bool = True, capacity: int = 1024
    ) -> None:
        self.dtypes = {name: np.dtype(t) for name, t in columns.items()}
        self.unique = unique  # False: a multimap (several rows per key, e.g. per customer)
        self.size = 0
        self.keys: npt.NDArray[np.uint64] = np.zeros(capacity, np.uint64)
        self.cols: dict[str, Array] = {n: np.zeros(capacity, t) for n, t in self.dtypes.items()}

    def __len__(self) -> int:
        return self.size

    @property
    def capacity(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + sum(c.nbytes for c in self.cols.values()))

    def find(self, key: int) -> int:
        """Slot of `key`, or -1."""
        keys, cap = self.keys, len(self.keys)
        i = slot_of(key, cap)
        while True:
            k = keys.item(i)
            if k == key:
                return i
            if k == 0:
                return -1
            i = i + 1 if i + 1 < cap else 0

    def find_all(self, key: int) -> Iterator[int]:
        """Every slot holding `key` (multimap); all of them sit in the cluster after home."""
        keys, cap = self.keys, len(self.keys)
        i = slot_of(key, cap)
        while (k := keys.item(i)) != 0:
            if k == key:
                yield i
            i = i + 1 if i + 1 < cap else 0

    def put(self, key: int, values: Mapping[str, int]) -> int:
        """Insert a row (or overwrite the row of `key` in a unique table); returns its slot."""
        if (self.size + 1) > _MAX_LOAD * self.capacity:
            self._resize(int((self.size + 1) / _GROW_LOAD) + 1)
        keys, cap = self.keys, len(self.keys)
        i = slot_of(key, cap)
        while (k := keys.item(i)) != 0 and not (self.unique and k == key):
            i = i + 1 if i + 1 < cap else 0
        if k == 0:
            keys[i] = key
            self.size += 1
        for name, value in values.items():
            self.cols[name][i] = value
        return i

    def get(self, slot: int, name: str) -> int:
        return int(self.cols[name].item(slot))

    def set(self, slot: int, name: str, value: int) -> None:
        self.cols[name][slot] = value

    def rows(self) -> tuple[npt.NDArray[np.uint64], dict[str, Array]]:
        """Copies of the occupied rows: keys and each column."""
        used = self.keys != 0
        return self.keys[used], {n: c[used] for n, c in self.cols.items()}

    def rebuild(self, keys: npt.NDArray[np.uint64], cols: Mapping[str, Array]) -> None:
        """Replace the contents with these rows (unique tables: keys already distinct)."""
        capacity = max(1024, int(len(keys) / _REBUILD_LOAD) + 1)
        self._place(keys.astype(np.uint64), cols, capacity)

    def _resize(self, capacity: int) -> None:
        keys, cols = self.rows()
        self._place(keys, cols, capacity)

    def _place(self, keys: npt.NDArray[np.uint64], cols: Mapping[str, Array], cap: int) -> None:
        """Vectorised linear-probing insertion, one probe step per round for all pending rows.

        Each round, every pending row looks at its current slot; among rows that find it empty
        the first one takes it, all others move one slot on. A row only ever passes occupied
        slots, which is exactly the invariant a linear-probing lookup relies on. Rounds are
        bounded by the longest probe sequence (tens at load 0.75).
        """
        table = np.zeros(cap, np.uint64)
        out = {n: np.zeros(cap, t) for n, t in self.dtypes.items()}
        slots = _slots(keys, cap)
        pending = np.arange(len(keys))
        while pending.size:
            here = slots[pending]
            free = np.flatnonzero(table[here] == 0)
            taken, first = np.unique(here[free], return_index=True)
            winners = pending[free[first]]
            table[taken] = keys[winners]
            for name, column in out.items():
                column[taken] = cols[name][winners]
            placed = np.zeros(len(pending), bool)
            placed[free[first]] = True
            pending = pending[~placed]
            slots[pending] = (slots[pending] + 1) % cap
        self.keys, self.cols, self.size = table, out, len(keys)
