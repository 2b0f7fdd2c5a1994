"""Replaying changelog records into tables, in bulk.

`PartitionState.restore` is called once per changelog record (a million times for a big
partition), so it only appends the key and value to two lists; the first real use of the state
decodes and merges everything with a few numpy passes per table (joins and `map(len)` run in
C): last write per key wins, tombstones delete, and each table is rebuilt once.
"""

from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from router.state import codec
from router.state.table import Array, KeyTable

_RECORD_KEY = np.dtype([("kind", "S1"), ("key", ">u8")])


@dataclass(frozen=True, slots=True)
class Layout:
    """How a changelog kind maps onto its table."""

    kind: bytes
    key_field: str | None = None  # value field used as the table key (None: the record key)
    id_column: str | None = None  # table column holding the record key, when key_field is set


@dataclass(frozen=True, slots=True)
class Batch:
    """The records of one kind, in log order."""

    ids: npt.NDArray[np.uint64]
    deleted: npt.NDArray[np.bool_]
    values: npt.NDArray[np.void]  # zeros where deleted


class RestoreBuffer:
    def __init__(self) -> None:
        self.keys: list[bytes] = []
        self.values: list[bytes] = []  # b"" is a tombstone: a real value is never empty
        self.skipped = 0  # unknown kinds/versions or malformed records, for the caller's metrics

    def add(self, key: bytes, value: bytes | None) -> None:
        self.keys.append(key)
        self.values.append(value or b"")

    def __len__(self) -> int:
        return len(self.keys)

    def take(self) -> tuple[dict[bytes, Batch], list[tuple[bytes, bytes | None]]]:
        """(batches by kind, the short records such as department names), emptying the buffer."""
        keys, values = self.keys, self.values
        self.keys, self.values = [], []
        key_len = np.fromiter(map(len, keys), np.int64, len(keys))
        value_len = np.fromiter(map(len, values), np.int64, len(values))
        rest = np.flatnonzero(key_len != 9)
        short = [(keys[i], values[i] or None) for i in rest.tolist()]
        entries = np.flatnonzero(key_len == 9)
        blob = b"".join(keys) if not len(rest) else b"".join(_pick(keys, entries))
        parsed = np.frombuffer(blob, _RECORD_KEY)
        batches = {}
        for kind, dtype in codec.VALUE_DTYPES.items():
            mine = parsed["kind"] == kind
            batch = self._batch(entries[mine], parsed["key"][mine], value_len, values, dtype)
            if len(batch.ids):
                batches[kind] = batch
            self.skipped += int(mine.sum()) - len(batch.ids)
        self.skipped += len(entries) - int(np.isin(parsed["kind"], list(codec.VALUE_DTYPES)).sum())
        return batches, short

    @staticmethod
    def _batch(
        at: npt.NDArray[np.intp],
        ids: npt.NDArray[np.uint64],
        value_len: npt.NDArray[np.int64],
        values: list[bytes],
        dtype: np.dtype[np.void],
    ) -> Batch:
        lengths = value_len[at]
        ok = (lengths == 0) | (lengths == dtype.itemsize)
        if not ok.all():
            at, ids, lengths = at[ok], ids[ok], lengths[ok]
        deleted = lengths == 0
        if deleted.any():
            decoded = np.zeros(len(at), dtype)
            decoded[~deleted] = np.frombuffer(b"".join(_pick(values, at[~deleted])), dtype)
        else:  # the common case of a compacted log: no copies beyond the join
            decoded = np.frombuffer(b"".join(_pick(values, at)), dtype)
        current = deleted | (decoded["v"] == codec.VERSION)  # a newer format: not ours to read
        if not current.all():
            ids, deleted, decoded = ids[current], deleted[current], decoded[current]
        return Batch(ids.astype(np.uint64), deleted, decoded)

def _pick(items: list[bytes], at: npt.NDArray[np.intp]) -> list[bytes] | tuple[bytes, ...]:
    if len(at) == len(items):
        return items  # every record is of this kind: `at` is all of them, in order
    if len(at) == 0:
        return []
    if len(at) == 1:
        return [items[int(at[0])]]
    picked: tuple[bytes, ...] = itemgetter(*at.tolist())(items)  # one C call, not a loop
    return picked


def merge(table: KeyTable, layout: Layout, batch: Batch) -> None:
    # The last record of an id wins; np.unique on the reversed ids finds each id's last record.
    touched, first_from_end = np.unique(batch.ids[::-1], return_index=True)
    last = len(batch.ids) - 1 - first_from_end
    keep = last[~batch.deleted[last]]
    ids, values = batch.ids[keep], batch.values[keep]
    old_keys, old_cols = table.rows()
    old_ids = old_keys if layout.id_column is None else old_cols[layout.id_column]
    survivors = ~np.isin(old_ids, touched)
    new_keys = ids if layout.key_field is None else values[layout.key_field].astype(np.uint64)
    cols: dict[str, Array] = {}
    for name, dtype in table.dtypes.items():
        fresh = ids if name == layout.id_column else values[name]
        cols[name] = np.concatenate([old_cols[name][survivors], fresh.astype(dtype)])
    table.rebuild(np.concatenate([old_keys[survivors], new_keys]), cols)
