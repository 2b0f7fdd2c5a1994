"""Opening partition numbers: InitProducerId for each (concurrently), then one restore pass over
their changelog partitions. Only what opened completely is returned."""

import asyncio
import logging
import time
from collections.abc import Callable

from intake.settings import KafkaSettings
from router.eos.restore import Restorer
from router.eos.task import PartitionTask
from router.eos.transactions import init_producers
from router.metrics import RouterMetrics
from router.settings import RouterSettings
from router.state.partition import PartitionState

log = logging.getLogger(__name__)

StateFactory = Callable[[int], PartitionState]


class Opener:
    def __init__(
        self,
        kafka: KafkaSettings,
        settings: RouterSettings,
        restorer: Restorer,
        metrics: RouterMetrics,
        state_factory: StateFactory | None,
    ) -> None:
        self.kafka = kafka
        self.settings = settings
        self.restorer = restorer
        self.metrics = metrics
        self.state_factory = state_factory
        self.output_topics: list[str] = []

    async def open(self, numbers: list[int]) -> dict[int, PartitionTask]:
        if not numbers:
            return {}
        s = self.settings
        started = await init_producers(
            self.kafka, s.group_id, numbers, s.transaction_timeout_ms, self.output_topics
        )
        tasks = {prod.partition: PartitionTask(prod.partition, prod, None) for prod in started}
        try:
            await self._restore(tasks)
        except BaseException:
            await asyncio.gather(*(t.close() for t in tasks.values()))
            raise
        return tasks

    async def _restore(self, tasks: dict[int, PartitionTask]) -> None:
        if self.state_factory is None or not tasks:
            return
        started = time.monotonic()
        states = {p: self.state_factory(p) for p in tasks}

        def sink(partition: int, key: bytes, value: bytes | None) -> None:
            states[partition].restore(key, value)

        records = await self.restorer.restore(tasks, sink)
        entries = sum(len(s) for s in states.values())  # len() merges the restored records
        for p, state in states.items():
            tasks[p].state = state
        elapsed = time.monotonic() - started
        self.metrics.restore_seconds.observe(elapsed)
        log.info(
            "restored %d changelog records (%d live entries) of partitions %s in %.2fs",
            records,
            entries,
            sorted(tasks),
            elapsed,
        )
