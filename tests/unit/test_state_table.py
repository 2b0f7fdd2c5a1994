import random

import numpy as np
import pytest

from router.state import codec
from router.state.restore import Layout, RestoreBuffer, merge
from router.state.table import KeyTable

COLUMNS = {"ts": np.uint32, "case": np.uint64}


def random_keys(n: int, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return list({rng.getrandbits(64) | 1 for _ in range(n)})


def test_put_find_get_and_overwrite() -> None:
    t = KeyTable(COLUMNS)
    slot = t.put(42, {"ts": 7, "case": 99})
    assert t.find(42) == slot and t.get(slot, "ts") == 7 and t.get(slot, "case") == 99
    t.put(42, {"ts": 8, "case": 99})
    assert len(t) == 1 and t.get(t.find(42), "ts") == 8
    assert t.find(43) == -1


def test_growth_keeps_every_row() -> None:
    t = KeyTable(COLUMNS)
    keys = random_keys(20_000)
    for i, k in enumerate(keys):
        t.put(k, {"ts": i, "case": k ^ 1})
    assert len(t) == len(keys)
    assert all(t.get(t.find(k), "case") == k ^ 1 for k in keys)
    assert len(t) <= 0.75 * t.capacity


def test_structured_keys_spread_evenly() -> None:
    # uuid halves have fixed version bits; sequential keys are the worst case for `key % n`.
    t = KeyTable(COLUMNS)
    for k in range(1, 5001):
        t.put(k << 16, {"ts": 1, "case": 1})
    assert all(t.find(k << 16) >= 0 for k in range(1, 5001))


def test_multimap_keeps_all_rows_of_a_key() -> None:
    t = KeyTable({"hi": np.uint64}, unique=False)
    for hi in (1, 2, 3):
        t.put(77, {"hi": hi})
    t.put(78, {"hi": 9})
    assert sorted(t.get(s, "hi") for s in t.find_all(77)) == [1, 2, 3]
    assert [t.get(s, "hi") for s in t.find_all(78)] == [9]
    assert list(t.find_all(79)) == []


def test_bulk_rebuild_equals_inserting_one_by_one() -> None:
    keys = np.array(random_keys(50_000, seed=2), np.uint64)
    t = KeyTable(COLUMNS)
    t.rebuild(keys, {"ts": np.arange(len(keys)) % 1000, "case": keys ^ np.uint64(5)})
    assert len(t) == len(keys)
    for k in keys[:2000].tolist():
        assert t.get(t.find(k), "case") == k ^ 5
    t.put(int(keys[0]), {"ts": 1, "case": 1})  # still a working table afterwards
    assert len(t) == len(keys)


def test_row_cost_is_compact() -> None:
    t = KeyTable(COLUMNS)
    keys = np.array(random_keys(100_000, seed=3), np.uint64)
    t.rebuild(keys, {"ts": np.zeros(len(keys)), "case": keys})
    assert t.nbytes / len(t) <= 64  # 20-byte rows at load 0.7: ~29 bytes per key


def test_codec_values_decode_in_bulk() -> None:
    rows = [{"ts": 5, "case": 1 << 63}, {"ts": 6, "case": 2}]
    values = [codec.entry_value(codec.SEEN, r) for r in rows]
    decoded = codec.decode_values(codec.SEEN, values)
    assert decoded["ts"].tolist() == [5, 6] and decoded["case"].tolist() == [1 << 63, 2]
    keys = [codec.entry_key(codec.SEEN, k) for k in (1, (1 << 64) - 1)]
    assert codec.decode_keys(keys).tolist() == [1, (1 << 64) - 1]


def test_codec_rejects_what_it_cannot_read() -> None:
    good = codec.entry_value(codec.SEEN, {"ts": 1, "case": 1})
    key = codec.entry_key(codec.SEEN, 1)
    assert codec.valid(b"M", key, good) and codec.valid(b"M", key, None)
    assert not codec.valid(b"M", key, good[:-1])  # truncated
    assert not codec.valid(b"M", key, b"\x02" + good[1:])  # a newer format version
    assert not codec.valid(b"Z", b"Z" + key[1:], good)  # an unknown kind
    assert not codec.valid(b"M", key[:5], good)


def test_restore_last_write_wins_and_tombstones_delete() -> None:
    t = KeyTable(COLUMNS)
    t.put(1, {"ts": 1, "case": 10})
    t.put(2, {"ts": 1, "case": 20})
    buffer = RestoreBuffer()

    def put(k: int, case: int | None) -> None:
        value = None if case is None else codec.entry_value(codec.SEEN, {"ts": 2, "case": case})
        buffer.add(codec.entry_key(codec.SEEN, k), value)

    put(1, 11)
    put(3, 30)
    put(3, 31)
    put(2, None)
    put(4, 40)
    put(4, None)
    put(5, None)
    put(5, 50)
    buffer.add(b"Z" + bytes(8), b"\x01" + bytes(12))  # unknown kind
    buffer.add(codec.entry_key(codec.SEEN, 6), b"\x02" + bytes(12))  # newer version
    buffer.add(codec.entry_key(codec.SEEN, 7), b"\x01")  # wrong width
    batches, short = buffer.take()
    assert [k[:1] for k, _ in short] == [b"Z"] and len(buffer) == 0  # the caller's to judge
    merge(t, Layout(codec.SEEN), batches[codec.SEEN])
    got = {k: t.get(t.find(k), "case") for k in (1, 3, 5)}
    assert got == {1: 11, 3: 31, 5: 50}
    assert t.find(2) == -1 and t.find(4) == -1 and len(t) == 3
    assert buffer.skipped == 2


def test_last_write_wins_across_sealed_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RestoreBuffer, "CHUNK", 3)
    buffer = RestoreBuffer()
    log: list[tuple[int, int | None]] = [
        (1, 10),
        (2, 20),
        (1, None),
        (3, 30),
        (2, 21),
        (1, 11),
        (3, None),
        (4, 40),
    ]
    for key, case in log:
        value = None if case is None else codec.entry_value(codec.SEEN, {"ts": 1, "case": case})
        buffer.add(codec.entry_key(codec.SEEN, key), value)
    t = KeyTable(COLUMNS)
    batches, _ = buffer.take()
    merge(t, Layout(codec.SEEN), batches[codec.SEEN])
    assert {k: t.get(t.find(k), "case") for k in (1, 2, 4)} == {1: 11, 2: 21, 4: 40}
    assert t.find(3) == -1 and len(t) == 3
