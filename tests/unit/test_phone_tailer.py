import os
import shutil
from pathlib import Path

import pytest

from connectors.phone import checkpoint as checkpoint_module
from connectors.phone.checkpoint import Checkpoint, CheckpointError, CheckpointStore, FileIdentity
from connectors.phone.tailer import Batch, FileTailer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def lines(n: int, start: int = 1, tag: str = "a") -> bytes:
    return b"".join(f"{tag}-{i}\n".encode() for i in range(start, start + n))


def tailer(tmp_path: Path, clock: Clock | None = None, **kw: object) -> FileTailer:
    t = FileTailer(
        tmp_path / "Master.csv",
        CheckpointStore(tmp_path / "Master.csv.omniroute-checkpoint"),
        clock=clock or Clock(),
        rotation_grace_s=1.0,
        **kw,  # type: ignore[arg-type]
    )
    t.open()
    return t


def drain(t: FileTailer, clock: Clock | None = None, max_lines: int = 1000) -> list[bytes]:
    """Read and commit until nothing is left; the grace clock jumps past rotations."""
    seen: list[bytes] = []
    for _ in range(50):
        batch = t.read(max_lines)
        if batch is None:
            if clock is None or clock.now > 100:
                return seen
            clock.now += 10
            continue
        seen += [line.data for line in batch.lines]
        if batch.orphan:
            seen.append(b"ORPHAN:" + batch.orphan)
        t.commit(batch)
    raise AssertionError("tailer did not settle")


def test_partial_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(2) + b"a-3 (half")
    t = tailer(tmp_path)
    assert drain(t) == [b"a-1", b"a-2"]
    assert t.read(10) is None
    append(path, b" written)\n")
    assert drain(t) == [b"a-3 (half written)"]


def test_restart_resumes_after_the_last_commit(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(5))
    t = tailer(tmp_path)
    batch = t.read(2)
    assert batch is not None
    t.commit(batch)
    uncommitted = t.read(2)  # read but never acknowledged: must come again
    assert uncommitted is not None
    t.close()
    append(path, lines(2, start=6))
    again = tailer(tmp_path)
    assert drain(again) == [b"a-3", b"a-4", b"a-5", b"a-6", b"a-7"]


def test_rename_rotation_finishes_the_old_file_first(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(3))
    t = tailer(tmp_path, clock)
    assert drain(t) == [b"a-1", b"a-2", b"a-3"]
    append(path, lines(1, start=4))  # written before the rename, not read yet
    path.rename(tmp_path / "Master.csv.1")
    path.write_bytes(lines(2, tag="b"))
    append(tmp_path / "Master.csv.1", lines(1, start=5))  # a late writer on the old file
    assert drain(t, clock) == [b"a-4", b"a-5", b"b-1", b"b-2"]


def test_rotated_file_with_unterminated_tail_keeps_it_as_orphan(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(1) + b"a-2 cut")
    t = tailer(tmp_path, clock)
    path.rename(tmp_path / "Master.csv.1")
    path.write_bytes(lines(1, tag="b"))
    assert drain(t, clock) == [b"a-1", b"ORPHAN:a-2 cut", b"b-1"]


def test_copytruncate_reads_the_missed_lines_from_the_copy(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(3))
    t = tailer(tmp_path, clock)
    assert drain(t) == [b"a-1", b"a-2", b"a-3"]
    append(path, lines(2, start=4))  # never read before the truncation
    shutil.copyfile(path, tmp_path / "Master.csv.1")
    with path.open("r+b") as handle:
        handle.truncate(0)
    append(path, lines(1, tag="b"))
    assert drain(t, clock) == [b"a-4", b"a-5", b"b-1"]


def test_copytruncate_refilled_past_the_offset_is_still_detected(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(2))
    t = tailer(tmp_path, clock)
    assert drain(t) == [b"a-1", b"a-2"]
    shutil.copyfile(path, tmp_path / "Master.csv-20240304")
    with path.open("r+b") as handle:
        handle.truncate(0)
    append(path, lines(5, tag="b"))  # longer than before: only the first line tells
    assert drain(t, clock) == [b"b-1", b"b-2", b"b-3", b"b-4", b"b-5"]


def test_copytruncate_without_a_copy_starts_over(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(3))
    t = tailer(tmp_path, clock)
    drain(t)
    path.write_bytes(lines(1, tag="b"))  # truncated and rewritten, copy compressed away
    assert drain(t, clock) == [b"b-1"]


def test_rotation_while_stopped(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(2))
    t = tailer(tmp_path)
    batch = t.read(1)
    assert batch is not None
    t.commit(batch)
    t.close()
    append(path, lines(1, start=3))
    path.rename(tmp_path / "Master.csv.1")
    (tmp_path / "Master.csv.2.gz").write_bytes(b"\x1f\x8b compressed")
    path.write_bytes(lines(1, tag="b"))
    clock = Clock()
    again = tailer(tmp_path, clock)
    assert drain(again, clock) == [b"a-2", b"a-3", b"b-1"]


def test_copytruncate_while_stopped(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(2))
    t = tailer(tmp_path)
    batch = t.read(1)
    assert batch is not None
    t.commit(batch)
    t.close()
    shutil.copyfile(path, tmp_path / "Master.csv.1")
    path.write_bytes(lines(1, tag="b"))
    clock = Clock()
    assert drain(tailer(tmp_path, clock), clock) == [b"a-2", b"b-1"]


def test_missing_file_is_waited_for(tmp_path: Path) -> None:
    t = tailer(tmp_path)
    assert t.read(10) is None
    (tmp_path / "Master.csv").write_bytes(lines(1))
    assert drain(t) == [b"a-1"]


def test_start_at_end_skips_history(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(lines(3) + b"a-4 partial")
    t = tailer(tmp_path, start_at_end=True)
    append(path, b"\n" + lines(1, start=5))
    assert drain(t) == [b"a-4 partial", b"a-5"]


def test_oversized_line_is_flagged_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(b"x" * 3000 + b"\n" + lines(1))
    t = tailer(tmp_path, max_line_bytes=1000)
    batch = t.read(10)
    assert batch is not None
    assert [(len(line.data), line.oversized) for line in batch.lines] == [(1000, True), (3, False)]


def test_checkpoint_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CheckpointStore(tmp_path / "ckpt")
    first = Checkpoint(FileIdentity(1, 2, "ab"), 10)
    store.save(first)
    fsynced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsynced.append(fd), real_fsync(fd)))
    store.save(Checkpoint(FileIdentity(1, 2, "ab"), 20))
    assert len(fsynced) == 2  # the data, then the directory holding the rename
    assert store.load() == Checkpoint(FileIdentity(1, 2, "ab"), 20)

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint_module.os, "replace", crash)
    with pytest.raises(CheckpointError, match="No space left"):
        store.save(Checkpoint(FileIdentity(1, 2, "ab"), 30))
    assert store.load() == Checkpoint(FileIdentity(1, 2, "ab"), 20)  # the old one, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]  # no temp file left


def test_unwritable_checkpoint_fails_at_open(tmp_path: Path) -> None:
    (tmp_path / "Master.csv").write_bytes(lines(1))
    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"")
    t = FileTailer(tmp_path / "Master.csv", CheckpointStore(blocker / "ckpt"))
    with pytest.raises(CheckpointError, match="cannot write checkpoint"):
        t.open()


def test_unwritable_checkpoint_fails_at_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Master.csv").write_bytes(lines(2))
    t = tailer(tmp_path)
    batch = t.read(10)
    assert isinstance(batch, Batch)

    def full(path: Path, data: bytes) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(checkpoint_module, "_atomic_write", full)
    with pytest.raises(CheckpointError, match="Read-only file system"):
        t.commit(batch)


def test_corrupt_checkpoint_is_an_error_not_a_restart(tmp_path: Path) -> None:
    (tmp_path / "Master.csv").write_bytes(lines(1))
    (tmp_path / "Master.csv.omniroute-checkpoint").write_bytes(b"{not json")
    with pytest.raises(CheckpointError, match="unreadable"):
        tailer(tmp_path)
