"""Taking partition numbers of `omniroute.events` over for the SLA tracker: InitProducerId for
`<group>-p<p>` (fences a previous owner and completes its open transaction), then p's tracker
rebuilt from changelog partition p of `omniroute.sla.state`. Same protocol as the router's
(`router.eos.takeover`), different state."""

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Iterator

from intake.errors import InvalidInput
from intake.settings import KafkaSettings
from router.eos.restore import Restorer
from router.eos.transactions import init_producers
from router.sla.record import CaseRecord, decode
from router.sla.settings import SlaSettings
from router.sla.task import Count, SlaTask
from router.sla.tracker import SlaTracker

log = logging.getLogger(__name__)


class SlaOpener:
    def __init__(
        self,
        kafka: KafkaSettings,
        settings: SlaSettings,
        restorer: Restorer,
        new_tracker: Callable[[], SlaTracker],
        count: Count,
    ) -> None:
        self.kafka = kafka
        self.settings = settings
        self.restorer = restorer
        self.new_tracker = new_tracker
        self.count = count
        self.output_topics: list[str] = []

    async def open(self, numbers: list[int]) -> dict[int, SlaTask]:
        if not numbers:
            return {}
        s = self.settings
        started = await init_producers(
            self.kafka, s.group_id, numbers, s.transaction_timeout_ms, self.output_topics
        )
        tasks = {
            prod.partition: SlaTask(prod.partition, prod, self.new_tracker(), self.count)
            for prod in started
        }
        try:
            await self._restore(tasks)
        except BaseException:
            await asyncio.gather(*(t.close() for t in tasks.values()))
            raise
        return tasks

    async def _restore(self, tasks: dict[int, SlaTask]) -> None:
        if not tasks:
            return
        started = time.monotonic()
        latest: dict[int, dict[bytes, bytes | None]] = {p: {} for p in tasks}

        def sink(partition: int, key: bytes, value: bytes | None) -> None:
            latest[partition][key] = value  # compaction may not have run: the last one wins

        count = await self.restorer.restore(tasks, sink)
        for p, records in latest.items():
            tasks[p].tracker.restore(_decoded(p, records.values()))
        log.info(
            "restored %d SLA changelog records (%d cases) of partitions %s in %.2fs",
            count,
            sum(len(t.tracker.cases) for t in tasks.values()),
            sorted(tasks),
            time.monotonic() - started,
        )


def _decoded(partition: int, values: Iterable[bytes | None]) -> Iterator[CaseRecord]:
    for value in values:
        if value is None:
            continue
        try:
            yield decode(value)
        except InvalidInput as exc:
            # Only this process writes the changelog; an unreadable record (a layout from a
            # newer version) loses one case's SLA state, it must not block the partition.
            log.error("sla changelog partition %d: skipped a record: %s", partition, exc)
