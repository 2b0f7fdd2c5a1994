"""Changelog record layout of `omniroute.router.state` (compacted, keyed by state entry).

key   = kind (1 byte) + 64-bit table key, big-endian (9 bytes); department names: kind + u16
value = format version (1 byte) + fixed-width little-endian fields, or None (tombstone)

Fixed widths let a restore decode a million values with one `np.frombuffer` instead of a
million `struct.unpack` calls. Keys hold only hashes and uuids, never customer data
(DESIGN principle 5). A reader skips kinds and versions it does not know, so an older router
can restore a changelog written by a newer one.
"""

import struct
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

VERSION = 1

SEEN = b"M"  # exact layer: message uuid (high half) -> first seen, case
PRINT = b"P"  # near layer: message uuid (high half) -> customer, uuid low half, fingerprint
THREAD = b"T"  # thread key (email Message-ID, session, order) -> last seen, case
CASE = b"C"  # case uuid (high half) -> low half, last activity, contact count, department
DEPARTMENT = b"D"  # department number -> name (interned: cases store a u16)

VALUE_DTYPES: dict[bytes, np.dtype[np.void]] = {
    SEEN: np.dtype([("v", "u1"), ("ts", "<u4"), ("case", "<u8")]),
    PRINT: np.dtype(
        [("v", "u1"), ("ts", "<u4"), ("cust", "<u8"), ("lo", "<u8"), ("fa", "<u8"), ("fb", "<u8")]
    ),
    THREAD: np.dtype([("v", "u1"), ("ts", "<u4"), ("case", "<u8")]),
    CASE: np.dtype([("v", "u1"), ("ts", "<u4"), ("lo", "<u8"), ("count", "<u2"), ("dept", "<u2")]),
}
_STRUCTS = {
    SEEN: struct.Struct("<BIQ"),
    PRINT: struct.Struct("<BIQQQQ"),
    THREAD: struct.Struct("<BIQ"),
    CASE: struct.Struct("<BIQHH"),
}
_KEY = struct.Struct(">Q")
_DEPT_KEY = struct.Struct(">H")


def entry_key(kind: bytes, key: int) -> bytes:
    return kind + _KEY.pack(key)


def entry_keys(kind: bytes, keys: npt.NDArray[np.uint64]) -> list[bytes]:
    """`entry_key` for many keys at once (tombstones of an expiry)."""
    raw = keys.astype(">u8").tobytes()
    return [kind + raw[i : i + 8] for i in range(0, len(raw), 8)]


def entry_value(kind: bytes, fields: Mapping[str, int]) -> bytes:
    names = VALUE_DTYPES[kind].names or ()
    return _STRUCTS[kind].pack(VERSION, *(fields[n] for n in names[1:]))


def department_key(number: int) -> bytes:
    return DEPARTMENT + _DEPT_KEY.pack(number)


def department_number(key: bytes) -> int | None:
    return int(_DEPT_KEY.unpack(key[1:])[0]) if len(key) == 3 else None


def decode_keys(keys: Iterable[bytes]) -> npt.NDArray[np.uint64]:
    """Table keys of a batch of 9-byte changelog keys (all of one kind)."""
    raw = b"".join(k[1:] for k in keys)
    return np.frombuffer(raw, ">u8").astype(np.uint64)


def decode_values(kind: bytes, values: Iterable[bytes]) -> npt.NDArray[np.void]:
    return np.frombuffer(b"".join(values), VALUE_DTYPES[kind])


def valid(kind: bytes, key: bytes, value: bytes | None) -> bool:
    """A record this version can read: known kind, 9-byte key, right width and version."""
    if kind not in VALUE_DTYPES or len(key) != 9:
        return False
    return value is None or (len(value) == VALUE_DTYPES[kind].itemsize and value[0] == VERSION)
