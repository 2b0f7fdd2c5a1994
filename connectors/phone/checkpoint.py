"""The tailer's checkpoint: which file (identity) and how far (byte offset) has been delivered.

Written atomically (temp file, fsync, rename, fsync of the directory) so a crash leaves either
the old or the new checkpoint, never a torn one. A checkpoint that cannot be written or read is
an error that stops the tailer: carrying on would either re-deliver or silently skip lines.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake import serde
from intake.errors import InvalidInput, OmnirouteError

_VERSION = 1


class CheckpointError(OmnirouteError):
    """The checkpoint file cannot be read or written; the tailer must not go on."""


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """A file survives renames (device + inode) but inodes are reused after deletion, and
    copytruncate keeps the inode while replacing the content, so the first line's hash is part
    of the identity. `head_sha256` is None while the file has no complete line."""

    device: int
    inode: int
    head_sha256: str | None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    identity: FileIdentity
    offset: int  # first byte not yet delivered; always just after a newline (or 0)


class CheckpointStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Checkpoint | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointError(f"cannot read checkpoint {self.path}: {exc}") from exc
        try:
            data: Any = serde.loads_obj(raw)
            if data.get("version") != _VERSION:
                raise InvalidInput(f"unsupported version {data.get('version')!r}")
            identity = FileIdentity(
                int(data["device"]), int(data["inode"]), data.get("head_sha256")
            )
            offset = int(data["offset"])
        except (InvalidInput, AttributeError, KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(
                f"checkpoint {self.path} is unreadable ({exc}); fix or remove it (removing it "
                "re-reads the file from the start)"
            ) from None
        if offset < 0:
            raise CheckpointError(f"checkpoint {self.path} has a negative offset")
        return Checkpoint(identity, offset)

    def probe(self) -> None:
        """Fail at startup, not after the first delivery, when the checkpoint is unwritable."""
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            raise CheckpointError(f"cannot write checkpoint {self.path}: {exc}") from exc

    def save(self, checkpoint: Checkpoint) -> None:
        data = {
            "version": _VERSION,
            "device": checkpoint.identity.device,
            "inode": checkpoint.identity.inode,
            "head_sha256": checkpoint.identity.head_sha256,
            "offset": checkpoint.offset,
        }
        try:
            _atomic_write(self.path, serde.dumps_obj(data))
        except OSError as exc:
            raise CheckpointError(f"cannot write checkpoint {self.path}: {exc}") from exc


def _atomic_write(path: Path, data: bytes) -> None:
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself lives in the directory: without this fsync a power loss can bring back
    # the previous checkpoint (and re-deliver lines, which dedup absorbs, but still).
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
