"""What `Partitions` needs from its collaborators, so a second exactly-once loop (the SLA
tracker, `router/sla/runner.py`) reuses the ownership protocol with its own tasks and metrics."""

from collections.abc import Mapping
from typing import Protocol

from prometheus_client import Counter, Gauge

from router.eos.task import PartitionTask


class TaskOpener(Protocol):
    async def open(self, numbers: list[int]) -> Mapping[int, PartitionTask]:
        """Fence, restore and return the partition numbers that opened completely."""
        ...


class OwnerMetrics(Protocol):
    @property
    def partitions(self) -> Gauge: ...

    @property
    def transactions(self) -> Counter: ...
