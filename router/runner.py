"""The router's exactly-once consume -> process -> produce loop.

Input partition number p (of every intake topic, see `router.eos.assignor`) is owned by one
instance, which holds p's state and one transactional producer `<group>-p<p>`. Every commit
interval each p commits one Kafka transaction: its outputs, its state changelog records and
the offsets of every intake partition p, or none of them. Consumers read read_committed, so an
aborted or fenced transaction (a crash, a zombie) is never seen downstream. Outputs carry the
input's coordinates in an `omniroute-source` header, so any output can be traced to its input.
"""

import asyncio
import logging
import time
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from intake.kafka import consumer, start_producer
from intake.message import Channel
from intake.settings import KafkaSettings
from router.eos.assignor import CoPartitionedAssignor
from router.eos.owner import Partitions
from router.eos.position import behind
from router.eos.rebalance import Listener
from router.eos.record import SOURCE_HEADER, Record
from router.eos.restore import Restorer
from router.eos.takeover import Opener, StateFactory
from router.metrics import RouterMetrics
from router.pipeline import Output, Pipeline, Result, Source
from router.settings import RouterSettings
from router.state.partition import DedupSettings, PartitionState

log = logging.getLogger(__name__)

Batches = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
_SLICE_S = 0.01
# Records per pipeline call: large enough for the vectorised classification to pay off, small
# enough (a few ms of CPU) that the loop still yields about every _SLICE_S.
_CHUNK = 32
_EXPIRE_S = 60.0


def _changelog(change: Output, partition: int) -> Record:
    return Record(change.topic, change.key, change.value, change.headers, partition)


class Runner:
    def __init__(
        self,
        settings: RouterSettings,
        kafka: KafkaSettings,
        pipeline: Pipeline,
        metrics: RouterMetrics,
        state_factory: StateFactory | None = None,
    ) -> None:
        self.settings = settings
        self.kafka = kafka
        self.pipeline = pipeline
        self.metrics = metrics
        dedup = DedupSettings()
        self.state_factory = state_factory or (lambda p: PartitionState(p, dedup))
        self.ready = asyncio.Event()
        self._channels = {pipeline.topics.intake(c): c.value for c in Channel}
        self._interval_s = settings.commit_interval_ms / 1000
        self._lag_at = 0.0

    def _consumer(self) -> AIOKafkaConsumer:
        return consumer(
            self.kafka,
            "router",
            group_id=self.settings.group_id,
            # Static membership: a restart within the session timeout gets its partitions back
            # without a rebalance (aiokafka then also skips LeaveGroup on stop).
            group_instance_id=self.settings.instance_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # Only committed intake records; and the router's own aborted outputs stay invisible.
            isolation_level="read_committed",
            max_poll_records=self.settings.max_batch,
            session_timeout_ms=self.settings.session_timeout_ms,
            partition_assignment_strategy=(CoPartitionedAssignor(),),
        )

    async def run(self, stop: asyncio.Event) -> None:
        cons = self._consumer()
        restorer = Restorer(
            self.kafka, self.pipeline.topics.router_state, self.settings.restore_timeout_s
        )
        opener = Opener(self.kafka, self.settings, restorer, self.metrics, self.state_factory)
        opener.output_topics = self._output_topics()
        owner = Partitions(cons, opener, self.metrics)
        cons.subscribe(self.pipeline.topics.all_intake(), listener=Listener(owner))
        await start_producer(cons, self.kafka.connect_timeout_s)
        self.ready.set()
        poll_ms = min(self.settings.poll_timeout_ms, self.settings.commit_interval_ms)
        try:
            while not stop.is_set():
                batches = await cons.getmany(
                    timeout_ms=poll_ms, max_records=self.settings.max_batch
                )
                # Read before any await: a take-over that seeks after this point makes these
                # records stale (see PartitionTask.positioned_at).
                polled = owner.seeks
                async with owner.lock:
                    if not owner.paused:
                        await self._handle(owner, batches, polled)
                    await self._tick(owner, cons)
        finally:
            self.ready.clear()
            await owner.close()  # SIGTERM: commit what was processed, then leave
            await cons.stop()

    def _output_topics(self) -> list[str]:
        t = self.pipeline.topics
        departments = self.pipeline.classifier.config.all_departments()
        return [
            *(t.dept(d) for d in departments),
            t.duplicates,
            t.deadletter,
            t.decisions,
            t.events,  # the `dispatched` records that start the SLA clock
        ]

    async def _handle(self, owner: Partitions, batches: Batches, polled: int) -> None:
        yield_at = time.monotonic() + _SLICE_S
        for tp, records in batches.items():
            task = owner.tasks.get(tp.partition)
            if task is None or task.positioned_at > polled:
                continue
            channel = self._channels.get(tp.topic, "unknown")
            for start in range(0, len(records), _CHUNK):
                if time.monotonic() >= yield_at:
                    # Processing is CPU-bound: without a pause, commits in flight, heartbeats
                    # and fetches would all wait for the whole batch.
                    await asyncio.sleep(0)
                    yield_at = time.monotonic() + _SLICE_S
                chunk = [r for r in records[start : start + _CHUNK] if task.accepts(tp, r.offset)]
                # One call per chunk: the pipeline classifies a chunk in one vectorised pass.
                sources = [Source(tp.topic, tp.partition, r.offset) for r in chunk]
                values = [r.value or b"" for r in chunk]
                results = self.pipeline.process_batch(values, sources, task.state)
                for record, source, result in zip(chunk, sources, results, strict=True):
                    self.metrics.observe(channel, result)
                    task.add(tp, record.offset, self._records(result, source))

    def _records(self, result: Result, source: Source) -> list[Record]:
        where = f"{source.topic}/{source.partition}/{source.offset}".encode()
        out = [
            # A keyless output (deadletter) may go anywhere: partition p keeps the transaction
            # on as few partitions (markers) as possible.
            Record(
                o.topic,
                o.key,
                o.value,
                [*o.headers, (SOURCE_HEADER, where)],
                source.partition if o.key is None else o.partition,
            )
            for o in result.outputs
        ]
        # Changelog records of partition p go to changelog partition p whatever their key
        # hashes to: restore reads partition p only.
        out += [_changelog(c, source.partition) for c in result.state_changes]
        return out

    async def _tick(self, owner: Partitions, cons: AIOKafkaConsumer) -> None:
        if owner.paused:
            # Between revocation and assignment nothing starts: no commit (the assignment
            # would cancel it half-way if it drops p), no retried take-over of a partition
            # that only the old assignment lists.
            return
        now = time.monotonic()
        for task in list(owner.tasks.values()):
            if task.finished():
                await owner.settle(task)
        for task in list(owner.tasks.values()):
            if task.due(now, self._interval_s):
                task.start_commit(now)
            elif task.inflight is not None and task.pending.inputs >= self.settings.max_pending:
                await owner.settle(task)  # back-pressure: memory stays bounded
        await owner.retry()
        for task in owner.tasks.values():
            if task.state is not None and now - task.last_expiry >= _EXPIRE_S:
                task.last_expiry = now
                # Tombstones for what left the dedup window, written like any state change.
                task.state.expire(datetime.now(UTC))
                changes = task.state.drain_changes()
                topic = self.pipeline.topics.router_state
                task.add_changes([Record(topic, k, v, [], task.number) for k, v in changes])
        if now >= self._lag_at:
            self._lag_at = now + 1.0
            await self._observe_lag(owner, cons)

    async def _observe_lag(self, owner: Partitions, cons: AIOKafkaConsumer) -> None:
        lag = dict.fromkeys(self._channels.values(), 0)
        for tp in owner.assigned:
            task = owner.tasks.get(tp.partition)
            channel = self._channels.get(tp.topic)
            if task is not None and channel is not None:
                lag[channel] += await behind(cons, tp, task.next_offsets.get(tp))
        for channel, value in lag.items():
            self.metrics.lag.labels(channel).set(value)
