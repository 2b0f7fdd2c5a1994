"""The SLA tracker's exactly-once consume -> process -> produce loop over `omniroute.events`.

The router writes each case's `dispatched` record to `omniroute.events` keyed by case id, the
department tools key their events the same way, so all of a case's inputs are on one partition
p, in order. Partition p is owned by one instance (consumer group, co-partitioned sticky
assignor), which holds p's tracker and one transactional producer `<group>-p<p>`, and commits per
interval one transaction with p's alerts, escalations, deadletters, changelog records
(`omniroute.sla.state` partition p) and input offset, or none of them. A take-over fences the
previous owner and restores p's tracker from the changelog: nothing is replayed from the inputs'
start, and no alert is read back. Time-driven transitions (at-risk, breach) come from a tick
between polls and go into p's next transaction like any other change. Metrics count a
transaction's effects once it committed (`router.sla.task`).
"""

import asyncio
import logging
import time
from collections import ChainMap
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from intake.admin import missing_topics
from intake.errors import KafkaUnavailable
from intake.kafka import consumer, start_producer
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.eos.assignor import CoPartitionedAssignor
from router.eos.owner import Partitions
from router.eos.position import behind
from router.eos.rebalance import Listener
from router.eos.restore import Restorer
from router.sla.config import SlaTrackerConfig
from router.sla.metrics import SlaMetrics
from router.sla.opener import SlaOpener
from router.sla.process import Input, Processor
from router.sla.record import CaseRecord
from router.sla.settings import SlaSettings
from router.sla.task import SlaTask
from router.sla.tracker import SlaTracker

log = logging.getLogger(__name__)

Batches = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
CONSUMER_NAME = "sla_tracker"
# Within this many offsets of the last stable offset a partition counts as caught up (commit
# markers take offsets too); behind that, its clock is its newest input's time, so a backlog
# (a restart, a new group) does not breach cases whose answers are still unread.
_CAUGHT_UP = 10


class SlaRunner:
    def __init__(
        self,
        settings: SlaSettings,
        kafka: KafkaSettings,
        new_tracker: Callable[[], SlaTracker],
        metrics: SlaMetrics,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.kafka = kafka
        self.metrics = metrics
        self.clock = clock
        self.topics = Topics(kafka.topic_prefix)
        self.processor = Processor(self.topics)
        self.new_tracker = new_tracker
        template = new_tracker()
        self.config: SlaTrackerConfig = template.config
        self.departments = template.departments
        self.ready = asyncio.Event()
        self._owner: Partitions | None = None

    @property
    def cases(self) -> Mapping[str, CaseRecord]:
        """Every case of the owned partitions (for /status and the gauges)."""
        return ChainMap(*(t.tracker.cases for t in self.tasks()))

    def tasks(self) -> list[SlaTask]:
        owner = self._owner
        found = [] if owner is None else list(owner.tasks.values())
        return [t for t in found if isinstance(t, SlaTask)]

    async def run(self, stop: asyncio.Event) -> None:
        t = self.topics
        missing = await missing_topics(self.kafka, [t.events, t.sla_state, t.alerts])
        if missing:
            # Auto-created topics would get the broker's defaults (an uncompacted changelog).
            raise KafkaUnavailable(f"missing {', '.join(missing)}; run `omniroute topics ensure`")
        s = self.settings
        cons = consumer(
            self.kafka,
            "sla-tracker",
            group_id=s.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",  # aborted router transactions are not cases
            max_poll_records=s.max_batch,
            session_timeout_ms=s.session_timeout_ms,
            partition_assignment_strategy=(CoPartitionedAssignor(),),
        )
        restorer = Restorer(self.kafka, self.topics.sla_state, s.restore_timeout_s)
        opener = SlaOpener(self.kafka, s, restorer, self.new_tracker, self.metrics.count)
        opener.output_topics = [self.topics.alerts, self.topics.sla_state, self.topics.deadletter]
        owner = self._owner = Partitions(cons, opener, self.metrics)
        cons.subscribe([self.topics.events], listener=Listener(owner))
        await start_producer(cons, self.kafka.connect_timeout_s)
        try:
            await self._loop(cons, owner, stop)
        finally:
            self.ready.clear()
            await owner.close()  # SIGTERM: commit what was processed, then leave
            await cons.stop()

    async def _loop(self, cons: AIOKafkaConsumer, owner: Partitions, stop: asyncio.Event) -> None:
        s = self.settings
        poll_ms = min(s.poll_timeout_ms, s.commit_interval_ms)
        lag_at = 0.0
        while not stop.is_set():
            batches = await cons.getmany(timeout_ms=poll_ms, max_records=s.max_batch)
            polled = owner.seeks  # records fetched before a later seek are stale
            async with owner.lock:
                if not owner.paused:
                    self._handle(owner, batches, polled)
                    self._tick(cons, batches)
                await self._commit(owner)
                if (
                    not self.ready.is_set()
                    and owner.assigned
                    and owner.wanted() <= set(owner.tasks)
                ):
                    self.ready.set()  # its partitions taken over and restored: working
            if time.monotonic() >= lag_at:
                lag_at = time.monotonic() + s.lag_interval_s
                self.metrics.refresh_gauges(self, self.clock())
                await self._observe_lag(cons, owner)

    def _handle(self, owner: Partitions, batches: Batches, polled: int) -> None:
        for tp, records in batches.items():
            task = owner.tasks.get(tp.partition)
            if not isinstance(task, SlaTask) or task.positioned_at > polled:
                continue
            for r in records:
                if not task.accepts(tp, r.offset):
                    continue
                rec = Input(tp.partition, r.offset, r.value or b"", list(r.headers))
                out, effects = self.processor.record(task.tracker, rec)
                task.add(tp, r.offset, out)
                task.effects.extend(effects)
                task.watermark = max(task.watermark, r.timestamp / 1000)

    def _tick(self, cons: AIOKafkaConsumer, batches: Batches) -> None:
        now = time.monotonic()
        wall = self.clock()
        for task in self.tasks():
            if now - task.last_tick < self.settings.tick_interval_s:
                continue
            task.last_tick = now
            at = self._clock_of(cons, task, batches, wall)
            if at is None:
                continue
            out, effects = self.processor.tick(task.tracker, at, task.number)
            task.add_changes(out)
            task.effects.extend(effects)

    def _clock_of(
        self, cons: AIOKafkaConsumer, task: SlaTask, batches: Batches, wall: datetime
    ) -> datetime | None:
        tp = TopicPartition(self.topics.events, task.number)
        stable = cons.last_stable_offset(tp)
        behind = None if stable is None else stable - task.next_offsets.get(tp, 0)
        if behind is not None and (tp not in batches or behind <= _CAUGHT_UP):
            return wall
        if task.watermark <= 0:
            return None  # nothing read yet: no idea where p's clock stands
        return min(wall, datetime.fromtimestamp(task.watermark, UTC))

    async def _commit(self, owner: Partitions) -> None:
        now = time.monotonic()
        interval = self.settings.commit_interval_ms / 1000
        for task in list(owner.tasks.values()):
            if task.finished():
                await owner.settle(task)
        for task in list(owner.tasks.values()):
            if task.due(now, interval):
                task.start_commit(now)
            elif task.inflight is not None and task.pending.inputs >= 10 * self.settings.max_batch:
                await owner.settle(task)  # back-pressure: memory stays bounded
        await owner.retry()

    async def _observe_lag(self, cons: AIOKafkaConsumer, owner: Partitions) -> None:
        lag = 0
        for tp in owner.assigned:
            task = owner.tasks.get(tp.partition)
            if task is not None:  # past the router's commit markers too (router.eos.position)
                lag += await behind(cons, tp, task.next_offsets.get(tp))
        self.metrics.lag.labels(CONSUMER_NAME, self.topics.events).set(lag)
