"""The tailer's delivery loop: read a batch of lines, parse, deliver to Kafka, and only then
advance the checkpoint (DESIGN principle 1). Kafka outages are waited out with backoff; the
batch is re-sent whole, which is safe because message ids are deterministic."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors.base import ParseResult
from connectors.phone.checkpoint import CheckpointError
from connectors.phone.tailer import Batch, FileTailer
from intake.deadletter import DeadLetter, Stage
from intake.errors import KafkaUnavailable
from intake.message import MessageDraft
from intake.sink import Sink

log = logging.getLogger(__name__)

LineParser = Callable[[bytes, str], ParseResult]
T = TypeVar("T")


async def _to_completion(work: Awaitable[T]) -> T:
    """Await `work`; if we are cancelled meanwhile, let it finish first, then re-raise the
    cancellation (asyncio.wait, unlike gather, does not cancel what it waits for)."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        failure = None if task.cancelled() else task.exception()
        if isinstance(failure, CheckpointError):
            raise failure from None  # progress could not be recorded: that must not pass quietly
        if failure is not None:
            log.warning("work in flight at stop failed: %s", failure)
        raise


class TailPump:
    def __init__(
        self,
        tailer: FileTailer,
        parse_line: LineParser,
        source: str,
        *,
        batch_lines: int = 500,
        poll_interval_s: float = 1.0,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 30.0,
    ) -> None:
        self.tailer = tailer
        self.parse_line = parse_line
        self.source = source
        self.batch_lines = batch_lines
        self.poll_interval_s = poll_interval_s
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s

    async def run(self, sink: Sink) -> None:
        """Runs until cancelled; raises CheckpointError when progress cannot be recorded."""
        await _to_completion(asyncio.to_thread(self.tailer.open))
        try:
            while True:
                # Not abandoned on cancel: the file is closed below, under a running read.
                read = asyncio.to_thread(self.tailer.read, self.batch_lines)
                batch = await _to_completion(read)
                if batch is None:
                    await asyncio.sleep(self.poll_interval_s)
                    continue
                await self._deliver(sink, batch)
        finally:
            self.tailer.close()

    def split(self, batch: Batch) -> tuple[list[MessageDraft], list[DeadLetter]]:
        drafts: list[MessageDraft] = []
        dead: list[DeadLetter] = []
        where = str(batch.file.path)
        for line in batch.lines:
            if line.oversized:
                reason = f"{where}@{line.start}: line longer than {len(line.data)} bytes (cut)"
                dead.append(self._dead(line.data, "line_too_long", reason))
                continue
            result = self.parse_line(line.data, f"{where}@{line.start}")
            drafts += result.drafts
            dead += result.deadletters
        if batch.orphan is not None:
            reason = f"{where}: rotated away with an unterminated last line"
            dead.append(self._dead(batch.orphan, "incomplete_line", reason))
        return drafts, dead

    def _dead(self, raw: bytes, code: str, reason: str) -> DeadLetter:
        return DeadLetter.of(
            raw, stage=Stage.CONNECTOR, reason_code=code, reason=reason, source=self.source
        )

    async def _deliver(self, sink: Sink, batch: Batch) -> None:
        drafts, dead = self.split(batch)
        delay = self.retry_initial_s
        while True:
            try:
                # A stop between Kafka's ack and the checkpoint write would make a restart send
                # the batch again: the attempt is finished first (bounded by the producer's ack
                # timeout), so a clean stop neither loses nor repeats a line.
                await _to_completion(self._attempt(sink, batch, drafts, dead))
                return
            except KafkaUnavailable as exc:
                log.warning("%s: %s; retrying in %.1fs", self.source, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max_s)

    async def _attempt(
        self, sink: Sink, batch: Batch, drafts: list[MessageDraft], dead: list[DeadLetter]
    ) -> None:
        if drafts:
            await sink.deliver(drafts, self.source)
        for record in dead:
            await sink.deadletter(record)
        await asyncio.to_thread(self.tailer.commit, batch)
