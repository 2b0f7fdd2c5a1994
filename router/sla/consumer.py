"""The standalone SLA tracker process: consume `omniroute.events` and the department topics
(read_committed), drive the pure `SlaTracker`, write alerts to `omniroute.alerts`.

Seam for the transactional runner (router/eos, router/state): there, `SlaTracker` runs inside
the runner's transaction. Per batch it calls `on_dispatch` for its own dispatch outputs and
`on_event` for event records, `tick(now)` between batches, and writes in the *same* transaction
the alerts, the escalation records and `drain_dirty()` as changelog records (key
`sla/<case_id>`, value `record.encode(r)`, tombstones for evicted ids); on partition assignment
it calls `restore(decode(v) for v in changelog)`. Replay-on-start and the alerts read-back
(`restore.py`) are then unnecessary. One caveat for partition-local state: events are keyed by
case id and dispatches by routing key, so they must be co-partitioned first (repartition events
by the case's routing key, or key both by case id).
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from intake import serde
from intake.deadletter import DeadLetter, Stage
from intake.errors import InvalidInput, KafkaUnavailable
from intake.events import LifecycleEvent
from intake.headers import TYPE_DISPATCH, header
from intake.kafka import consumer, durable_producer, start_producer
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.decision import Dispatch
from router.sla.lag import observe_lag
from router.sla.metrics import SlaMetrics
from router.sla.outbox import Outbox
from router.sla.restore import partitions, published_alert_ids, replay_boundaries
from router.sla.settings import SlaSettings
from router.sla.tracker import EventStatus, SlaTracker, Update

log = logging.getLogger(__name__)
CONSUMER_NAME = "sla_tracker"


class SlaConsumer:
    def __init__(
        self,
        settings: SlaSettings,
        kafka: KafkaSettings,
        tracker: SlaTracker,
        metrics: SlaMetrics,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.kafka = kafka
        self.tracker = tracker
        self.metrics = metrics
        self.topics = Topics(kafka.topic_prefix)
        self.clock = clock
        self.ready = asyncio.Event()
        self._boundary: dict[TopicPartition, int] = {}
        # Events parked (case not dispatched yet) while live: counted when their dispatch
        # arrives, even if that dispatch is itself a replayed record.
        self._parked_live: set[tuple[str, str]] = set()

    def input_topics(self) -> list[str]:
        return [
            self.topics.events,
            *(self.topics.dept(d) for d in sorted(self.tracker.departments)),
        ]

    async def run(self, stop: asyncio.Event) -> None:
        cons = consumer(
            self.kafka,
            "sla-tracker",
            group_id=self.settings.group_id,
            enable_auto_commit=False,
            isolation_level="read_committed",  # aborted router transactions are not cases
        )
        prod = durable_producer(self.kafka, "sla-tracker")
        await start_producer(prod, self.kafka.connect_timeout_s)
        await cons.start()
        try:
            tps = await self._assign(cons)
            outbox = Outbox(
                prod, self.topics, await published_alert_ids(self.kafka, self.topics.alerts)
            )
            self.ready.set()
            await self._loop(cons, outbox, tps, stop)
            await outbox.flush()
        finally:
            self.ready.clear()
            await cons.stop()
            await prod.stop()

    async def _assign(self, cons: AIOKafkaConsumer) -> list[TopicPartition]:
        # One standalone instance owns every partition (no group rebalancing): the case state
        # joins two differently keyed topics, which only the whole picture can do.
        tps = await partitions(self.kafka, self.input_topics())
        if not tps:
            raise KafkaUnavailable("none of the input topics exists; run `omniroute topics ensure`")
        cons.assign(tps)
        self._boundary = await replay_boundaries(cons, tps)
        await cons.seek_to_beginning(*tps)
        return tps

    async def _loop(
        self, cons: AIOKafkaConsumer, outbox: Outbox, tps: list[TopicPartition], stop: asyncio.Event
    ) -> None:
        loop = asyncio.get_running_loop()
        next_tick = next_lag = loop.time()
        while not stop.is_set():
            batches = await cons.getmany(
                timeout_ms=self.settings.poll_timeout_ms, max_records=self.settings.max_batch
            )
            for tp, records in batches.items():
                for record in records:
                    self._apply(tp, record, outbox)
            if loop.time() >= next_tick:
                next_tick = loop.time() + self.settings.tick_interval_s
                now = self.clock()
                self.metrics.alerted(outbox.fresh(self.tracker.tick(now)))
                self.metrics.refresh_gauges(self.tracker, now)
                self._parked_live &= self.tracker.pending_keys()  # expired ones
            await outbox.flush()
            if batches:
                # Committed only after the alerts they caused were acknowledged: a crash in
                # between replays these records as live again, and the outbox skips repeats.
                await cons.commit({tp: rs[-1].offset + 1 for tp, rs in batches.items() if rs})
            if loop.time() >= next_lag:
                next_lag = loop.time() + self.settings.lag_interval_s
                await observe_lag(cons, self.metrics.lag, CONSUMER_NAME, tps)

    def _apply(
        self, tp: TopicPartition, record: "ConsumerRecord[bytes, bytes]", outbox: Outbox
    ) -> None:
        live = record.offset >= self._boundary.get(tp, 0)
        raw = record.value or b""
        if tp.topic == self.topics.events:
            try:
                event = serde.loads(LifecycleEvent, raw)
            except InvalidInput as exc:
                if live:
                    self._deadletter(tp, record, "invalid_event", str(exc), outbox)
                return
            update = self.tracker.on_event(event)
            if live:
                self.metrics.event(event.type, update.status)
                if update.status is EventStatus.PENDING:
                    self._parked_live.add((event.actor, event.id))
        else:
            if header(record.headers, "ce_type") != TYPE_DISPATCH:
                return  # escalation records that this tracker wrote itself
            try:
                dispatch = serde.loads(Dispatch, raw)
            except InvalidInput as exc:
                if live:
                    self._deadletter(tp, record, "invalid_dispatch", str(exc), outbox)
                return
            update = self.tracker.on_dispatch(dispatch.decision, dispatch.message)
            # A released event's effects are new if either half of the join is new.
            for event, effects in update.released:
                key = (event.actor, event.id)
                if live or key in self._parked_live:
                    self._count(effects, outbox)
                self._parked_live.discard(key)
        if live:
            self._count(update, outbox)

    def _count(self, update: Update, outbox: Outbox) -> None:
        self.metrics.observe(update.observations)
        self.metrics.alerted(outbox.fresh(update.alerts))

    def _deadletter(
        self,
        tp: TopicPartition,
        record: "ConsumerRecord[bytes, bytes]",
        code: str,
        reason: str,
        outbox: Outbox,
    ) -> None:
        stage = Stage.EVENTS if tp.topic == self.topics.events else Stage.ROUTER_DECODE
        dl = DeadLetter.of(
            record.value or b"", stage=stage, reason_code=code, reason=reason,
            source="sla-tracker", topic=tp.topic, partition=tp.partition, offset=record.offset,
        )  # fmt: skip
        outbox.deadletter(self.topics.deadletter, dl)
        self.metrics.deadletters.labels(stage.value, code).inc()
