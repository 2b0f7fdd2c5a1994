"""Low-level pieces of the file tailer: an open followed file, reading complete lines from an
offset, the first-line hash, and finding a rotated file again after a restart."""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from connectors.phone.checkpoint import Checkpoint, FileIdentity

# logrotate's compressed generations cannot be read back line by line; they are skipped.
_COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".lz4", ".z", ".zip")


@dataclass(frozen=True, slots=True)
class Line:
    data: bytes  # without the newline; cut to max_line_bytes when `oversized`
    start: int
    end: int  # offset just after the newline
    oversized: bool = False


class Followed:
    """An open file being read; it keeps its descriptor, so it stays readable after a rename."""

    def __init__(self, path: Path, offset: int, head: str | None, rotated: bool) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        st = os.fstat(self.fd)
        self.device, self.inode = st.st_dev, st.st_ino
        self.offset = offset
        self.head = head
        self.rotated = rotated  # no longer at the followed path: drain it, then switch

    @property
    def identity(self) -> FileIdentity:
        return FileIdentity(self.device, self.inode, self.head)

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def close(self) -> None:
        os.close(self.fd)


def head_hash(fd: int, max_line_bytes: int) -> str | None:
    """SHA-256 of the first line (with its newline); None until that line is complete."""
    data = os.pread(fd, max_line_bytes + 1, 0)
    newline = data.find(b"\n")
    if newline >= 0:
        return hashlib.sha256(data[: newline + 1]).hexdigest()
    if len(data) > max_line_bytes:  # an oversized first line: its prefix identifies the file
        return hashlib.sha256(data[:max_line_bytes]).hexdigest()
    return None


def read_lines(fd: int, offset: int, max_lines: int, chunk: int, max_line: int) -> list[Line]:
    """Complete lines from `offset`; a last line without its newline is left for later."""
    lines: list[Line] = []
    pos = offset
    while len(lines) < max_lines:
        data = os.pread(fd, chunk, pos)
        start = 0
        while len(lines) < max_lines:
            newline = data.find(b"\n", start)
            if newline < 0:
                break
            body = data[start:newline]
            big = len(body) > max_line
            lines.append(Line(body[:max_line], pos + start, pos + newline + 1, big))
            start = newline + 1
        if start == 0 and len(data) == chunk:
            end = _find_newline(fd, pos + chunk, chunk)
            if end is None:
                break  # an oversized line still being written
            lines.append(Line(data[:max_line], pos, end + 1, True))
            pos = end + 1
            continue
        pos += start
        if len(data) < chunk or start == 0:
            break
    return lines


def _find_newline(fd: int, pos: int, chunk: int) -> int | None:
    while True:
        data = os.pread(fd, chunk, pos)
        if not data:
            return None
        newline = data.find(b"\n")
        if newline >= 0:
            return pos + newline
        pos += len(data)


def matches(cp: Checkpoint, path: Path, max_line_bytes: int) -> tuple[bool, bool]:
    """(same file, same inode). After something was delivered the content decides: a renamed
    file or a copytruncate copy starts with the same line and is at least as long."""
    try:
        st = path.stat()
        with path.open("rb") as handle:
            head = head_hash(handle.fileno(), max_line_bytes)
    except OSError:
        return False, False
    same_inode = (st.st_dev, st.st_ino) == (cp.identity.device, cp.identity.inode)
    if cp.offset == 0 or cp.identity.head_sha256 is None:
        return same_inode, same_inode
    same = head == cp.identity.head_sha256 and st.st_size >= cp.offset
    return same, same_inode


def find_rotated(
    cp: Checkpoint, path: Path, glob: str, exclude: set[Path], max_line: int
) -> Path | None:
    """The rotated generation holding the checkpointed file, preferring the very inode."""
    candidates = sorted(p for p in path.parent.glob(glob.format(name=path.name)) if p.is_file())
    found: Path | None = None
    for candidate in candidates:
        if candidate == path or candidate in exclude or candidate.suffix.lower() in _COMPRESSED:
            continue
        same, same_inode = matches(cp, candidate, max_line)
        if same and same_inode:
            return candidate
        if same and found is None:
            found = candidate
    return found
