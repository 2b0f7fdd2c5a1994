"""Follows one append-only file (Asterisk's Master.csv) across restarts and log rotation.

Guarantees, given that the caller commits a batch only after Kafka acknowledged it:
- no line is lost or read twice across restarts: the checkpoint is (file identity, offset);
- rename rotation: the old file (still open) is read to its end, then the new one from 0;
- copytruncate: a shrunk file or a changed first line means truncation; the lines between our
  offset and the truncation are read from the copy when it is still uncompressed;
- a last line without its newline is never consumed until it is complete.
"""

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from connectors.phone.checkpoint import Checkpoint, CheckpointStore
from connectors.phone.tailfiles import Followed, Line, find_rotated, head_hash, matches, read_lines

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Batch:
    file: Followed
    lines: list[Line]
    end: int
    finished: bool = False  # the file was rotated away and is done: switch on commit
    orphan: bytes | None = field(default=None, repr=False)  # unterminated tail of that file


class FileTailer:
    def __init__(
        self,
        path: Path,
        store: CheckpointStore,
        *,
        max_line_bytes: int = 65_536,
        rotated_glob: str = "{name}?*",
        rotation_grace_s: float = 2.0,
        start_at_end: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.store = store
        self.max_line = max_line_bytes
        self.chunk = max(1 << 20, max_line_bytes + 1)  # > max_line: a full chunk without
        self.rotated_glob = rotated_glob  # a newline is then certainly an oversized line
        self.grace = rotation_grace_s
        self.start_at_end = start_at_end
        self.clock = clock
        self.current: Followed | None = None
        self._rotation_seen: float | None = None

    def open(self) -> None:
        """Resume from the checkpoint; writes it once, so an unwritable one fails right here."""
        self.store.probe()
        checkpoint = self.store.load()
        if checkpoint is None:
            self.current = self._open_path(at_end=self.start_at_end)
        else:
            self.current = self._resume(checkpoint)
        if self.current is not None:
            self._save(self.current)

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None

    def read(self, max_lines: int) -> Batch | None:
        if self.current is None:
            self.current = self._open_path(at_end=False)
            if self.current is None:
                return None
        cur = self.current
        lines = read_lines(cur.fd, cur.offset, max_lines, self.chunk, self.max_line)
        if not cur.rotated and self._truncated(cur):
            return self._after_truncation(cur, max_lines)
        if lines:
            return Batch(cur, lines, lines[-1].end)
        if cur.rotated or self._renamed(cur):
            return self._finish(cur)
        return None

    def commit(self, batch: Batch) -> None:
        if batch.file is not self.current:
            raise RuntimeError("commit of a batch from a file no longer followed")
        if batch.finished:
            batch.file.close()
            self._rotation_seen = None
            self.current = self._open_path(at_end=False)
            if self.current is not None:
                self._save(self.current)
            return
        batch.file.offset = batch.end
        if batch.file.head is None:
            batch.file.head = head_hash(batch.file.fd, self.max_line)
        self._save(batch.file)

    def _save(self, cur: Followed) -> None:
        self.store.save(Checkpoint(cur.identity, cur.offset))

    def _open_path(self, at_end: bool) -> Followed | None:
        try:
            followed = Followed(self.path, 0, None, rotated=False)
        except FileNotFoundError:
            return None
        followed.head = head_hash(followed.fd, self.max_line)
        if at_end:  # start after the last complete line; history is not replayed
            size = followed.size()
            tail = os.pread(followed.fd, min(size, self.chunk), max(0, size - self.chunk))
            followed.offset = size - (len(tail) - (tail.rfind(b"\n") + 1))
        return followed

    def _resume(self, cp: Checkpoint) -> Followed | None:
        same, _ = matches(cp, self.path, self.max_line)
        if same:
            return Followed(self.path, cp.offset, cp.identity.head_sha256, rotated=False)
        exclude = {self.store.path}
        old = find_rotated(cp, self.path, self.rotated_glob, exclude, self.max_line)
        if old is not None:
            log.info("resuming rotated file %s at byte %d", old, cp.offset)
            return Followed(old, cp.offset, cp.identity.head_sha256, rotated=True)
        if cp.offset > 0:
            log.warning(
                "checkpointed file (inode %d) is gone or compressed; lines written to it after "
                "byte %d cannot be recovered; starting %s from the beginning",
                cp.identity.inode,
                cp.offset,
                self.path,
            )
        return self._open_path(at_end=False)

    def _truncated(self, cur: Followed) -> bool:
        if cur.size() < cur.offset:
            return True
        return cur.offset > 0 and head_hash(cur.fd, self.max_line) != cur.head

    def _after_truncation(self, cur: Followed, max_lines: int) -> Batch | None:
        cp = Checkpoint(cur.identity, cur.offset)
        exclude = {self.store.path, self.path}
        copy = find_rotated(cp, self.path, self.rotated_glob, exclude, self.max_line)
        if copy is None:
            log.warning(
                "%s was truncated in place and no uncompressed copy holds bytes after %d; "
                "lines written between the last read and the truncation may be missing",
                self.path,
                cur.offset,
            )
            return Batch(cur, [], cur.offset, finished=True)
        log.info("%s was truncated (copytruncate); finishing from the copy %s", self.path, copy)
        cur.close()
        self.current = Followed(copy, cur.offset, cur.head, rotated=True)
        return self.read(max_lines)

    def _renamed(self, cur: Followed) -> bool:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return False  # renamed, new file not there yet: keep reading the old one
        return (st.st_dev, st.st_ino) != (cur.device, cur.inode)

    def _finish(self, cur: Followed) -> Batch | None:
        """The file is no longer at the path. Writers may still append for a moment (until
        they reopen), so it is only left after the grace period, keeping any unterminated
        tail as an orphan for the deadletter topic rather than dropping it."""
        now = self.clock()
        if self._rotation_seen is None:
            self._rotation_seen = now
        if now - self._rotation_seen < self.grace or not self.path.exists():
            return None
        size = cur.size()
        orphan = os.pread(cur.fd, size - cur.offset, cur.offset) if size > cur.offset else None
        return Batch(cur, [], size, finished=True, orphan=orphan)
