"""Replaying changelog records into tables, in bulk.

`PartitionState.restore` is called once per changelog record (a million times for a big
partition), so it only appends to a list; the first real use of the state merges everything
with a few numpy passes per table: last write per key wins, tombstones delete, and the table is
rebuilt once. Restoring one record at a time through `KeyTable.put` would cost ~10x more.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from router.state import codec
from router.state.table import Array, KeyTable


@dataclass(frozen=True, slots=True)
class Layout:
    """How a changelog kind maps onto its table."""

    kind: bytes
    key_field: str | None = None  # value field used as the table key (None: the record key)
    id_column: str | None = None  # table column holding the record key, when key_field is set


class RestoreBuffer:
    def __init__(self) -> None:
        self.records: dict[bytes, list[tuple[bytes, bytes | None]]] = {}
        self.skipped = 0  # unknown kinds/versions or malformed records, for the caller's metrics

    def add(self, key: bytes, value: bytes | None) -> None:
        kind = key[:1]
        if not codec.valid(kind, key, value):
            self.skipped += 1
            return
        self.records.setdefault(kind, []).append((key, value))

    def __len__(self) -> int:
        return sum(len(r) for r in self.records.values())

    def merge_into(self, table: KeyTable, layout: Layout) -> None:
        records = self.records.pop(layout.kind, [])
        if records:
            merge(table, layout, records)


def _last_writes(
    records: list[tuple[bytes, bytes | None]], kind: bytes
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.void]]:
    """(every id touched, ids still live, their values): the last record of an id wins."""
    ids = codec.decode_keys(k for k, _ in records)
    touched, first_from_end = np.unique(ids[::-1], return_index=True)
    last = len(ids) - 1 - first_from_end
    width = codec.VALUE_DTYPES[kind].itemsize
    blank = bytes(width)  # stands in for a tombstone so all values decode in one buffer
    deleted = np.fromiter((v is None for _, v in records), bool, len(records))
    values = codec.decode_values(kind, (blank if v is None else v for _, v in records))
    keep = last[~deleted[last]]
    return touched, ids[keep], values[keep]


def merge(table: KeyTable, layout: Layout, records: list[tuple[bytes, bytes | None]]) -> None:
    touched, ids, values = _last_writes(records, layout.kind)
    old_keys, old_cols = table.rows()
    old_ids = old_keys if layout.id_column is None else old_cols[layout.id_column]
    survivors = ~np.isin(old_ids, touched)
    new_keys = ids if layout.key_field is None else values[layout.key_field].astype(np.uint64)
    cols: dict[str, Array] = {}
    for name, dtype in table.dtypes.items():
        fresh = ids if name == layout.id_column else values[name]
        cols[name] = np.concatenate([old_cols[name][survivors], fresh.astype(dtype)])
    table.rebuild(np.concatenate([old_keys[survivors], new_keys]), cols)
