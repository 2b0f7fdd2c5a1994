"""IMAP mailbox reader: fetch new mail by UID, deliver, then flag or move, then checkpoint.

Order per message: fetch (PEEK, so a failure leaves the mailbox untouched) -> Kafka ack ->
flag/move -> checkpoint. A crash between the ack and the checkpoint re-delivers that one mail
on restart, with the same Message-ID and so the same message id, which dedup absorbs; nothing
is ever skipped. A cancelled reader finishes the message in hand before it stops, so a clean
restart repeats nothing. When UIDVALIDITY changes the UIDs mean nothing any more: we re-scan
the whole mailbox (skipping mail that carries our custom keyword) and rely on dedup.
"""

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from connectors.email.checkpoint import Checkpoint, Position
from connectors.email.config import AfterAck
from connectors.email.imap_client import ImapError, ImapSession
from connectors.email.ingest import ingest
from intake.errors import KafkaUnavailable
from intake.sink import Sink

if TYPE_CHECKING:
    from connectors.email.connector import EmailConnector

log = logging.getLogger(__name__)

SOURCE = "email-imap"


class ImapReader:
    def __init__(self, connector: "EmailConnector", sink: Sink) -> None:
        self.connector = connector
        self.config = connector.config
        self.sink = sink
        self.checkpoint = Checkpoint(self.config.imap_checkpoint)
        self.delivered = 0  # messages acknowledged by Kafka in this process (for tests/logs)
        self._selected = False

    @property
    def _keyword(self) -> str | None:
        """Our own keyword marks delivered mail reliably; system flags like \\Seen do not
        (a person may have read a mail we never delivered)."""
        flag = self.config.imap_flag
        if self.config.imap_after_ack is AfterAck.FLAG and not flag.startswith("\\"):
            return flag
        return None

    async def run(self) -> None:
        """Read forever; reconnect with bounded backoff on IMAP or Kafka failures."""
        delay = 1.0
        while True:
            self._selected = False
            try:
                await self._session(drain_only=False)
            except (ImapError, KafkaUnavailable, OSError, TimeoutError) as exc:
                name = type(exc).__name__
                log.warning("imap reader: %s: %s; retrying in %.0fs", name, exc, delay)
            except Exception:
                # aioimaplib's own errors (Abort, CommandTimeout) and anything unforeseen: the
                # reader must outlive them; the checkpoint makes the retry safe.
                log.exception("imap reader failed; retrying in %.0fs", delay)
            if self._selected:  # the last session worked for a while: start backoff afresh
                delay = 1.0
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.config.retry_backoff_max_s)

    async def drain(self) -> int:
        """Deliver everything currently in the mailbox once, then return (one-shot mode)."""
        before = self.delivered
        await self._session(drain_only=True)
        return self.delivered - before

    async def _session(self, drain_only: bool) -> None:
        session = await ImapSession.open(self.config)
        try:
            position = await self._start(session)
            self._selected = True
            while True:
                position = await self._round(session, position)
                if drain_only:
                    uids = await session.uids_after(position.last_uid, self._keyword)
                    if not uids:
                        return
                    continue
                await session.wait_for_change(
                    self.config.imap_idle_timeout_s, self.config.imap_poll_interval_s
                )
        finally:
            await session.close()

    async def _start(self, session: ImapSession) -> Position:
        mailbox = self.config.imap_mailbox
        validity = await session.select(mailbox)
        if self.config.imap_after_ack is AfterAck.MOVE:
            await session.create(self.config.imap_move_to)
        saved = self.checkpoint.load(mailbox)
        if saved is not None and saved.uidvalidity == validity:
            return saved
        if saved is not None:
            log.warning("imap: UIDVALIDITY of %s changed; re-scanning the mailbox", mailbox)
        position = Position(mailbox, validity, 0)
        self.checkpoint.save(position)
        return position

    async def _round(self, session: ImapSession, position: Position) -> Position:
        uids = await session.uids_after(position.last_uid, self._keyword)
        for uid in uids[: self.config.imap_batch]:
            position = await _uninterrupted(self._one(session, position, uid))
        return position

    async def _one(self, session: ImapSession, position: Position, uid: int) -> Position:
        raw = await session.fetch(uid)
        if raw is not None:
            context = {
                "imap_mailbox": position.mailbox,
                "imap_uid": str(uid),
                "imap_uidvalidity": str(position.uidvalidity),
            }
            await ingest(self.connector, self.sink, raw, SOURCE, context)
            self.delivered += 1
            if self.config.imap_after_ack is AfterAck.MOVE:
                await session.move(uid, self.config.imap_move_to)
            else:
                await session.flag(uid, self.config.imap_flag)
        advanced = Position(position.mailbox, position.uidvalidity, uid)
        self.checkpoint.save(advanced)
        return advanced


async def _uninterrupted(work: Coroutine[Any, Any, Position]) -> Position:
    """Run one message to completion even if the reader is cancelled meanwhile, so a stop
    never falls between the Kafka ack and the checkpoint (which would repeat the message)."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise
