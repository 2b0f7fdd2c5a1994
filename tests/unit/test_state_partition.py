"""PartitionState as part B uses it: changelog records, restore, expiry, size."""

from datetime import timedelta

import pytest

from router.dedup.keys import message_halves
from router.dedup.verdict import DedupLayer
from router.state import codec
from router.state.clock import to_ts
from router.state.partition import DedupSettings, PartitionState
from tests.unit.dedup_helpers import DAY, T0, message, restart, state


def test_changes_are_drained_once_and_keyed_by_kind() -> None:
    s = state()
    v = s.apply(
        message("m1", customer={"order_numbers": ["A-1"]}, thread={"conversation_id": "c"}), T0
    )
    s.record_dispatch(message("m1"), v, "returns", T0)
    changes = s.drain_changes()
    kinds = sorted({k[:1] for k, _ in changes})
    assert kinds == [b"C", b"D", b"M", b"P", b"T"]
    assert all(value is not None for _, value in changes)
    assert len([k for k, _ in changes if k[:1] == b"C"]) == 1  # opened + assigned: one record
    assert s.drain_changes() == []


def test_changelog_holds_no_customer_data() -> None:
    s = state()
    s.apply(
        message(
            "m1", customer={"order_numbers": ["ORD-777"]}, thread={"conversation_id": "sess-secret"}
        ),
        T0,
    )
    blob = b"".join(k + (v or b"") for k, v in s.drain_changes())
    for needle in (b"ann@example.com", b"ORD-777", b"777", b"sess-secret", b"parcel"):
        assert needle not in blob


def test_restore_of_a_compacted_changelog_equals_the_full_one() -> None:
    s = state()
    log: list[tuple[bytes, bytes | None]] = []
    for i in range(30):
        m = message(
            f"m{i}",
            f"message number {i} about order {i % 5}",
            customer={"order_numbers": [f"O-{i % 5}"]},
            at=T0 + timedelta(minutes=i),
        )
        v = s.apply(m, m.received_at)
        s.record_dispatch(m, v, "orders", m.received_at)
        log += s.drain_changes()
    compacted = dict(log)  # what log compaction keeps: the last value of each key
    full, small = PartitionState(3, s.settings), PartitionState(3, s.settings)
    for k, value in log:
        full.restore(k, value)
    for k, value in compacted.items():
        small.restore(k, value)
    assert len(full) == len(small) == len(s)
    probe = message("m7", at=T0 + timedelta(hours=1))
    assert full.apply(probe, probe.received_at) == small.apply(probe, probe.received_at)


def test_restore_merges_into_a_state_already_in_use() -> None:
    a, b = state(), state()
    a.apply(message("m1"), T0)
    b.apply(message("m2", email="bob@example.com"), T0)
    for k, v in a.drain_changes():
        b.restore(k, v)
    assert b.apply(message("m1"), T0).kind == "duplicate"
    assert b.apply(message("m2", email="bob@example.com"), T0).kind == "duplicate"


def test_unknown_records_are_skipped_not_fatal() -> None:
    s = state()
    s.restore(b"X" + bytes(8), b"\x01future")
    s.restore(codec.entry_key(codec.SEEN, 5), b"\x09" + bytes(12))  # unknown version
    s.restore(codec.entry_key(codec.SEEN, 6), b"short")
    assert s.restore_skipped == 3 and len(s) == 0
    assert s.apply(message("m1"), T0).kind == "new"


def test_expire_drops_idle_entries_with_tombstones() -> None:
    s = state()
    s.apply(message("m1", customer={"order_numbers": ["A-1"]}), T0)
    later = T0 + DAY + timedelta(seconds=1)
    s.apply(message("m2", "another subject entirely, not a repeat", email="bob@example.com"), later)
    s.drain_changes()
    before = len(s)
    s.expire(later)
    tombstones = s.drain_changes()
    assert tombstones and all(v is None for _, v in tombstones)
    assert {k[:1] for k, _ in tombstones} == {b"M", b"P", b"T", b"C"}
    assert len(s) == before - len(tombstones)
    restored = PartitionState(3, s.settings)
    for k, v in tombstones:
        restored.restore(k, v)
    assert len(restored) == 0


def test_expire_keeps_what_is_inside_the_window() -> None:
    s = state()
    s.apply(message("m1"), T0)
    s.apply(message("m2", email="bob@example.com"), T0 + DAY)
    s.drain_changes()
    s.expire(T0 + DAY)
    assert s.drain_changes() == []


def test_expire_never_runs_ahead_of_the_data() -> None:
    # Replaying a backlog older than the window: expiry is measured against the newest
    # message seen, so wall-clock "now" does not wipe the state the replay is building.
    s = state()
    s.apply(message("m1"), T0)
    s.expire(T0 + 30 * DAY)
    assert s.apply(message("m1"), T0 + timedelta(hours=1)).layer == DedupLayer.EXACT


def test_restored_state_expires_too() -> None:
    s = state()
    s.apply(message("m1"), T0)
    s.apply(message("m2", email="bob@example.com"), T0 + 2 * DAY)
    restored = restart(s)
    restored.expire(T0 + 2 * DAY)
    assert {k[:1] for k, _ in restored.drain_changes()} >= {b"M", b"C"}


def test_resident_bytes_per_message_stay_small() -> None:
    s = state()
    for i in range(600):
        m = message(
            f"m{i}",
            "" if i % 4 else f"text {i} " * 8,
            email=f"c{i % 150}@example.com",
            thread={"conversation_id": f"conv{i}"},
        )
        s.apply(m, T0)
    restored = restart(s)
    assert restored.resident_bytes() / 600 <= 4 * 64  # four kinds of rows per message
    assert restored.exact.table.nbytes / len(restored.exact.table) <= 64


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIROUTE_DEDUP_WINDOW_S", "3600")
    monkeypatch.setenv("OMNIROUTE_DEDUP_NEAR_ENABLED", "false")
    settings = DedupSettings()
    assert settings.window_s == 3600 and settings.near_enabled is False
    s = PartitionState(0, settings)
    s.apply(message("m1"), T0)
    assert s.apply(message("m1"), T0 + timedelta(seconds=3601)).kind == "new"


def test_expiry_waits_for_a_batch_unless_forced() -> None:
    s = state(near_enabled=False)
    s.apply(message("m0"), T0)
    for i in range(1, 40):
        s.apply(message(f"m{i}", email=f"c{i}@example.com"), T0 + DAY + timedelta(seconds=1))
    s.drain_changes()
    s.expire(T0 + DAY + timedelta(seconds=1))
    assert s.drain_changes() == []  # 1 of 40 is below the 1/32 batch share
    hi = message_halves(message("m0").id)[0]
    assert s.exact.case_of(hi, to_ts(T0 + DAY + timedelta(seconds=1))) is None  # invisible
    s.expire(T0 + DAY + timedelta(seconds=2), force=True)
    assert [k[:1] for k, v in s.drain_changes() if v is None] == [b"M", b"C"]
