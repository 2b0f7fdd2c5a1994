"""Whether committed records are readable yet: the last stable offset (LSO, what a
read_committed consumer may read up to) of each partition has passed them. The LSO moves once
the coordinator wrote the commit markers, a few milliseconds after EndTxn was answered; the
next transaction of this producer waits for those markers anyway (CONCURRENT_TRANSACTIONS)."""

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from intake.kafka import client_kwargs
from intake.publisher import Ack
from intake.settings import KafkaSettings

log = logging.getLogger(__name__)


class StableOffsets:
    def __init__(self, kafka: KafkaSettings, poll_s: float = 0.001) -> None:
        self._kafka = kafka
        self._poll = poll_s
        self._consumer: AIOKafkaConsumer | None = None

    async def visible(self, acks: list[Ack], timeout_s: float) -> bool:
        highest: dict[TopicPartition, int] = {}
        for ack in acks:
            tp = TopicPartition(ack.topic, ack.partition)
            highest[tp] = max(highest.get(tp, -1), ack.offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        try:
            consumer = await self._ready()
            while True:
                ends = await consumer.end_offsets(list(highest))
                if all(ends[tp] > offset for tp, offset in highest.items()):
                    return True
                if loop.time() >= deadline:
                    return False
                await asyncio.sleep(self._poll)
        except (KafkaError, OSError) as exc:
            log.info("last stable offsets unavailable (%r)", exc)
            await self.close()  # a fresh client next time
            return False

    async def _ready(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                **client_kwargs(self._kafka),
                client_id=f"{self._kafka.client_id}-intake-lso",
                group_id=None,
                enable_auto_commit=False,
                isolation_level="read_committed",
            )
            await consumer.start()
            self._consumer = consumer
        return self._consumer

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            try:
                await asyncio.wait_for(consumer.stop(), 5.0)
            except (KafkaError, TimeoutError, OSError) as exc:
                log.debug("LSO reader did not stop cleanly: %r", exc)
