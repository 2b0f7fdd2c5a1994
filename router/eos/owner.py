"""Which partition numbers this instance owns, and the protocol steps around ownership.

Taking p over: InitProducerId for `<group>-p<p>` (fences the previous owner and completes its
open transaction) -> restore p's changelog -> read the committed offsets and seek. In that order:
offsets or state read before the fence could predate a transaction that was still committing.
Keeping p across a rebalance (no generation missed): it resumes at its own next offsets, never
at a fresh OffsetFetch, which may not show its own last transactions yet (see `position`).
Giving p up: commit what was processed (eager rebalancing revokes before anyone else is
assigned), then drop the state. A commit that fails resets p from the committed truth; a
fenced one means another member owns p, so it is dropped and the group asked to rejoin.
"""

import asyncio
import logging
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from router.eos.group import request_rejoin
from router.eos.ports import OwnerMetrics, TaskOpener
from router.eos.task import PartitionTask
from router.eos.transactions import PartitionFenced

log = logging.getLogger(__name__)

_RETRY_S = 2.0


class Partitions:
    def __init__(
        self,
        cons: AIOKafkaConsumer,
        opener: TaskOpener,
        metrics: OwnerMetrics,
    ) -> None:
        self.cons = cons
        self.opener = opener
        self.metrics = metrics
        self.lock = asyncio.Lock()
        self.tasks: dict[int, PartitionTask] = {}
        self.assigned: set[TopicPartition] = set()
        self.seeks = 0
        self._generation: int | None = None
        self._retry_at = 0.0
        self.paused = False
        self.closed = False

    def wanted(self) -> set[int]:
        return {tp.partition for tp in self.assigned}

    async def revoke(self) -> None:
        async with self.lock:
            # Until the new assignment is in place nothing is processed: a record handled now
            # could be handled again after the new assignment seeks to the committed offsets.
            self.paused = True
            await asyncio.gather(*(self.flush(t) for t in list(self.tasks.values())))

    async def assign(self, assigned: set[TopicPartition], generation: int | None) -> None:
        async with self.lock:
            if self.closed:  # a rebalance racing the shutdown: take nothing over any more
                return
            # Keeping p across a rebalance is only safe if no generation was missed: had this
            # member been expelled meanwhile, another one may have owned p and moved it on.
            continuous = None not in (generation, self._generation) and generation == (
                (self._generation or 0) + 1
            )
            self.assigned = set(assigned)
            numbers = self.wanted()
            for p in list(self.tasks):
                if p not in numbers or not continuous:
                    await self.drop(p)
            await asyncio.gather(*(self.flush(t) for t in list(self.tasks.values())))
            await self.take_over(numbers)
            self._generation = generation
            self.paused = False

    async def take_over(self, numbers: set[int]) -> None:
        """Open what is new, then position everything in `numbers`; never raises (a callback
        error would be swallowed by aiokafka): what failed stays missing for `retry`."""
        started = time.monotonic()
        new = sorted(numbers - set(self.tasks))
        try:
            self.tasks.update(await self.opener.open(new))
            await self.position(numbers & set(self.tasks))
        except Exception as exc:
            log.warning("take-over of partitions %s failed, will retry: %r", sorted(numbers), exc)
            for p in numbers:
                await self.drop(p)
        self.metrics.partitions.set(len(self.tasks))
        log.info(
            "owning partitions %s (new: %s) after %.2fs",
            sorted(self.tasks),
            new,
            time.monotonic() - started,
        )

    async def position(self, numbers: set[int]) -> None:
        """Seek every input partition of `numbers`: a partition number kept across the
        rebalance at its own next offsets, a new one at the committed offsets."""
        tps = sorted(
            tp for tp in self.assigned if tp.partition in numbers and tp.partition in self.tasks
        )
        # OffsetFetch (aiokafka has no KIP-447 require_stable) returns what the group
        # coordinator has materialised, and a transaction's offsets materialise with its
        # markers, written after EndTxn has already returned to us. A new task reads them after
        # its InitProducerId, which waits for those markers; a kept task has no such barrier:
        # re-reading could return offsets older than its own last commits (seen: None right
        # after committing 197), and it would process those inputs again. What a kept task
        # committed is exactly its next offsets: its ownership was continuous, it was flushed.
        unknown = [tp for tp in tps if tp not in self.tasks[tp.partition].next_offsets]
        fetched = await asyncio.gather(*(self.cons.committed(tp) for tp in unknown))
        committed = dict(zip(unknown, fetched, strict=True))
        self.seeks += 1
        for tp in tps:
            task = self.tasks[tp.partition]
            # 0: nothing committed yet, so the log start (retention may have moved it).
            offset = committed[tp] if tp in committed else task.next_offsets[tp] or None
            if offset is None:
                await self.cons.seek_to_beginning(tp)
            else:
                self.cons.seek(tp, offset)
            task.next_offsets[tp] = offset or 0
            task.positioned_at = self.seeks
        if tps:
            log.info(
                "positioned %s (%d from the committed offsets)",
                " ".join(
                    f"{tp.topic}/{tp.partition}@{self.tasks[tp.partition].next_offsets[tp]}"
                    for tp in tps
                ),
                len(unknown),
            )

    async def drop(self, number: int) -> None:
        task = self.tasks.pop(number, None)
        if task is not None:
            await task.close()
        self.metrics.partitions.set(len(self.tasks))

    async def flush(self, task: PartitionTask) -> None:
        """Commit everything processed for p, waiting for it."""
        await self.settle(task)
        if task.number in self.tasks and (task.pending.inputs or task.pending.records):
            task.start_commit(time.monotonic())
            await self.settle(task)

    async def settle(self, task: PartitionTask) -> None:
        if task.inflight is None:
            return
        error = await task.settle()
        if error is None:
            self.metrics.transactions.labels("committed").inc()
            return
        if isinstance(error, PartitionFenced):
            self.metrics.transactions.labels("fenced").inc()
            log.warning("%s; dropping partition %d and rejoining the group", error, task.number)
            self.assigned = {tp for tp in self.assigned if tp.partition != task.number}
            await self.drop(task.number)
            request_rejoin(self.cons)
            return
        self.metrics.transactions.labels("aborted").inc()
        log.warning("transaction of partition %d failed (%r); resetting it", task.number, error)
        await self.drop(task.number)  # still wanted: `retry` takes it over again

    async def retry(self) -> None:
        """Take over assigned partitions whose earlier take-over or transaction failed."""
        missing = self.wanted() - set(self.tasks)
        now = time.monotonic()
        if missing and now >= self._retry_at:
            self._retry_at = now + _RETRY_S
            await self.take_over(missing)

    async def close(self) -> None:
        async with self.lock:
            self.closed = True
            await asyncio.gather(*(self.flush(t) for t in list(self.tasks.values())))
            for p in list(self.tasks):
                await self.drop(p)
            self.assigned = set()
