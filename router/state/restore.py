"""Replaying changelog records into tables, in bulk.

`PartitionState.restore` is called once per changelog record (a million times for a big
partition), so it only appends the key and value to per-kind lists, packed into arrays every
64k records (joins and `map(len)` run in C); the first real use of the state merges everything
with a few numpy passes per table: last write per key wins, tombstones delete, and each table
is rebuilt once.
"""

from dataclasses import dataclass

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
    """Records per kind, sealed every CHUNK records into packed arrays: the bytes objects the
    consumer handed over are released early, so a restore holds ~40 bytes per buffered record
    instead of ~150 (two bytes objects and two list slots)."""

    CHUNK = 65_536

    def __init__(self) -> None:
        # kind -> (keys, values); b"" is a tombstone, a real value is never empty
        self.pending: dict[bytes, tuple[list[bytes], list[bytes]]] = {
            kind: ([], []) for kind in codec.VALUE_DTYPES
        }
        self.count = 0
        self.sealed: dict[bytes, list[Batch]] = {kind: [] for kind in codec.VALUE_DTYPES}
        self.short: list[tuple[bytes, bytes | None]] = []  # department names, unknown kinds
        self.skipped = 0  # unknown versions or malformed records, for the caller's metrics

    def add(self, key: bytes, value: bytes | None) -> None:
        lists = self.pending.get(key[:1])
        if lists is None or len(key) != 9:
            self.short.append((key, value))
            return
        lists[0].append(key)
        lists[1].append(value or b"")
        self.count += 1
        if self.count >= self.CHUNK:
            self.seal()

    def __len__(self) -> int:
        return self.count + len(self.short) + sum(len(b) for b in self.sealed.values())

    def seal(self) -> None:
        for kind, (keys, values) in self.pending.items():
            if keys:
                batch = self._batch(keys, values, codec.VALUE_DTYPES[kind])
                self.skipped += len(keys) - len(batch.ids)
                self.sealed[kind].append(batch)
                keys.clear()
                values.clear()
        self.count = 0

    def take(self) -> tuple[dict[bytes, Batch], list[tuple[bytes, bytes | None]]]:
        """(batches by kind in log order, the short records), emptying the buffer."""
        self.seal()
        batches = {}
        for kind, chunks in self.sealed.items():
            if chunks:
                batches[kind] = Batch(
                    np.concatenate([c.ids for c in chunks]),
                    np.concatenate([c.deleted for c in chunks]),
                    np.concatenate([c.values for c in chunks]),
                )
                chunks.clear()
        short, self.short = self.short, []
        return batches, short

    @staticmethod
    def _batch(keys: list[bytes], values: list[bytes], dtype: np.dtype[np.void]) -> Batch:
        ids = np.frombuffer(b"".join(keys), _RECORD_KEY)["key"].astype(np.uint64)
        lengths = np.fromiter(map(len, values), np.int64, len(values))
        width = dtype.itemsize
        if not (lengths == width).all():  # tombstones or malformed values: the slow path
            ok = (lengths == 0) | (lengths == width)
            blank = bytes(width)
            values = [v or blank for v, good in zip(values, ok.tolist(), strict=True) if good]
            ids, lengths = ids[ok], lengths[ok]
        decoded = np.frombuffer(b"".join(values), dtype)
        deleted = lengths == 0
        current = deleted | (decoded["v"] == codec.VERSION)  # a newer format: not ours to read
        if not current.all():
            ids, deleted, decoded = ids[current], deleted[current], decoded[current]
        return Batch(ids, deleted, decoded)


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
