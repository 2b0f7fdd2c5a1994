"""Partition number p of `omniroute.events` as the SLA tracker owns it: the generic task
(producer `<group>-p<p>`, pending records and offsets) plus p's tracker, and the metric effects
of what is processed. Effects ride with the records: counted when their transaction commits,
dropped with it when it fails (the retry from the changelog counts them instead)."""

import time
from collections.abc import Callable

from router.eos.task import PartitionTask
from router.eos.transactions import PartitionProducer
from router.sla.process import Effects
from router.sla.tracker import SlaTracker

Count = Callable[[Effects], None]


class SlaTask(PartitionTask):
    def __init__(
        self, number: int, producer: PartitionProducer, tracker: SlaTracker, count: Count
    ) -> None:
        super().__init__(number, producer, None)
        self.tracker = tracker
        self.effects = Effects()
        self._committing = Effects()
        self._count = count
        self.watermark = 0.0  # newest input record time (epoch s): the clock while catching up
        self.last_tick = time.monotonic()

    def start_commit(self, now: float) -> None:
        self._committing, self.effects = self.effects, Effects()
        super().start_commit(now)

    async def settle(self) -> BaseException | None:
        committing, self._committing = self._committing, Effects()
        error = await super().settle()
        if error is None and committing:
            self._count(committing)
        return error
