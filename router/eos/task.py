"""One owned partition number p: its producer, its state, and what is processed but not yet
committed. Processing never waits for Kafka: results pile up in `pending` while the previous
transaction of p commits, and the next commit takes them all."""

import asyncio
import time
from dataclasses import dataclass, field

from aiokafka import TopicPartition

from router.eos.record import Record
from router.eos.transactions import PartitionProducer
from router.state.partition import PartitionState


@dataclass
class Pending:
    records: list[Record] = field(default_factory=list)
    offsets: dict[TopicPartition, int] = field(default_factory=dict)
    inputs: int = 0


class PartitionTask:
    def __init__(
        self, number: int, producer: PartitionProducer, state: PartitionState | None
    ) -> None:
        self.number = number
        self.producer = producer
        self.state = state
        # Next input offset to process per intake partition of p: set from the committed offsets
        # at (re)start, advanced by processing. Records below it were already handled.
        self.next_offsets: dict[TopicPartition, int] = {}
        # Value of the owner's seek counter when p was last positioned: records fetched before
        # that belong to an abandoned position and must not be processed.
        self.positioned_at = 0
        self.pending = Pending()
        self.inflight: asyncio.Task[None] | None = None
        self.last_commit = time.monotonic()
        self.last_expiry = time.monotonic()

    def accepts(self, tp: TopicPartition, offset: int) -> bool:
        return offset >= self.next_offsets.get(tp, 0)

    def add(self, tp: TopicPartition, offset: int, records: list[Record]) -> None:
        self.pending.records.extend(records)
        self.pending.offsets[tp] = offset + 1
        self.pending.inputs += 1
        self.next_offsets[tp] = offset + 1

    def add_changes(self, records: list[Record]) -> None:
        """State changes not caused by an input (expiry tombstones)."""
        self.pending.records.extend(records)

    def due(self, now: float, interval_s: float) -> bool:
        return (
            self.inflight is None
            and bool(self.pending.inputs or self.pending.records)
            and now - self.last_commit >= interval_s
        )

    def start_commit(self, now: float) -> None:
        batch, self.pending = self.pending, Pending()
        self.last_commit = now
        self.inflight = asyncio.create_task(
            self.producer.commit(batch.records, batch.offsets),
            name=f"commit-{self.producer.transactional_id}",
        )

    async def settle(self) -> BaseException | None:
        """Wait for the in-flight commit; returns its error, if it failed."""
        task, self.inflight = self.inflight, None
        if task is None:
            return None
        try:
            await task
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc
        return None

    def finished(self) -> bool:
        return self.inflight is not None and self.inflight.done()

    async def close(self) -> None:
        task, self.inflight = self.inflight, None
        if task is not None and not task.done():
            task.cancel()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        self.pending = Pending()
        await self.producer.close()
