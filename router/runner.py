"""The router's consume -> process -> produce loop.

This runner is at-least-once: offsets are committed only after every output of a batch was
acknowledged, so a crash re-processes (never loses) the uncommitted tail. Duplicated outputs
from such a replay carry the same message id, which is what downstream dedup keys on.
"""

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from intake.kafka import consumer, durable_producer, start_producer
from intake.message import Channel
from intake.settings import KafkaSettings
from router.metrics import RouterMetrics
from router.pipeline import NOT_ROUTED, Pipeline, Result, Source
from router.settings import RouterSettings

log = logging.getLogger(__name__)


class Runner:
    def __init__(
        self,
        settings: RouterSettings,
        kafka: KafkaSettings,
        pipeline: Pipeline,
        metrics: RouterMetrics,
    ) -> None:
        self.settings = settings
        self.kafka = kafka
        self.pipeline = pipeline
        self.metrics = metrics
        self.ready = asyncio.Event()
        self._channels = {pipeline.topics.intake(c): c.value for c in Channel}

    def _consumer(self) -> AIOKafkaConsumer:
        return consumer(
            self.kafka,
            "router",
            *self.pipeline.topics.all_intake(),
            group_id=self.settings.group_id,
            group_instance_id=self.settings.instance_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # Only committed intake records: an aborted producer transaction upstream must
            # never be routed.
            isolation_level="read_committed",
            max_poll_records=self.settings.max_batch,
            session_timeout_ms=self.settings.session_timeout_ms,
        )

    async def run(self, stop: asyncio.Event) -> None:
        cons = self._consumer()
        prod = durable_producer(self.kafka, "router")
        await start_producer(prod, self.kafka.connect_timeout_s)
        await cons.start()
        self.ready.set()
        try:
            while not stop.is_set():
                batches = await cons.getmany(
                    timeout_ms=self.settings.poll_timeout_ms, max_records=self.settings.max_batch
                )
                if batches:
                    await self._handle(cons, prod, batches)
        finally:
            self.ready.clear()
            await cons.stop()
            await prod.stop()

    async def _handle(
        self,
        cons: AIOKafkaConsumer,
        prod: AIOKafkaProducer,
        batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
    ) -> None:
        futures = []
        for tp, records in batches.items():
            for record in records:
                result = self.pipeline.process_raw(
                    record.value or b"", Source(tp.topic, tp.partition, record.offset)
                )
                self._observe(tp.topic, result)
                futures += [
                    await prod.send(o.topic, value=o.value, key=o.key, headers=o.headers)
                    for o in result.outputs
                ]
        await asyncio.gather(*futures)
        await cons.commit(_next_offsets(batches.items()))

    def _observe(self, topic: str, result: Result) -> None:
        m = self.metrics
        m.consumed.labels(self._channels.get(topic, "unknown")).inc()
        if result.deadletter is not None:
            dl = result.deadletter
            m.deadletters.labels(dl.stage.value, dl.reason_code).inc()
            return
        decision, message = result.decision, result.message
        if decision is None or message is None:
            return
        if message.kind in NOT_ROUTED:
            m.recorded.labels(message.kind.value).inc()
            return
        m.dispatched.labels(
            decision.department, decision.priority.value, decision.layer.value
        ).inc()
        latency = (decision.decided_at - message.received_at).total_seconds()
        m.intake_to_dispatch.labels(
            message.channel.value, decision.department, decision.priority.value
        ).observe(max(latency, 0.0))


def _next_offsets(
    items: Iterable[tuple[TopicPartition, list[ConsumerRecord[bytes, bytes]]]],
) -> dict[TopicPartition, OffsetAndMetadata]:
    # Kafka's committed offset is the *next* record to read, hence +1.
    return {tp: OffsetAndMetadata(records[-1].offset + 1, "") for tp, records in items if records}
