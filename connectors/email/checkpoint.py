"""Where the IMAP reader stands: UIDVALIDITY and the last UID acknowledged by Kafka.

Written atomically (temp file in the same directory, fsync, rename, fsync of the directory) so
a crash leaves either the old or the new position, never a torn file. IMAP UIDs only grow
within one UIDVALIDITY, so (validity, last uid) is all we need to fetch each message once.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from intake import serde
from intake.errors import InvalidInput

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Position:
    mailbox: str
    uidvalidity: int
    last_uid: int


class Checkpoint:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, mailbox: str) -> Position | None:
        """None when there is no usable checkpoint for `mailbox`: the reader then starts from
        the beginning (a re-read is absorbed by Message-ID dedup; a skip would be a loss)."""
        try:
            data = serde.loads_obj(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, InvalidInput) as exc:
            log.warning("imap checkpoint %s unreadable (%s); re-scanning", self.path, exc)
            return None
        try:
            position = Position(
                str(data["mailbox"]), int(data["uidvalidity"]), int(data["last_uid"])
            )
        except (KeyError, TypeError, ValueError):
            log.warning("imap checkpoint %s malformed; re-scanning", self.path)
            return None
        return position if position.mailbox == mailbox else None

    def save(self, position: Position) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        body = serde.dumps_obj(
            {
                "mailbox": position.mailbox,
                "uidvalidity": position.uidvalidity,
                "last_uid": position.last_uid,
            }
        )
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        # The rename is durable only once the directory entry is on disk.
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
