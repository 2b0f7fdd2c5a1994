"""One run that grows in phases: each phase writes the next slice of one generated load, injects
its fault while the routers are busy with that slice, waits until the group caught up and
verifies everything written so far. Every fault gets its own verdict, and the whole load is
routed once, so all fault scenarios fit CI's budget over one 50,000-message run."""

import time
from collections.abc import Awaitable, Callable

from intake.admin import ensure_topics
from router.verify import GrowingRun
from router.verify.loadgen import LoadSpec, produce
from tests.integration.eos.scenario import PARTITIONS, Scenario, assert_exactly_once

Fault = Callable[[], Awaitable[None]]


class PhasedRun:
    def __init__(self, scenario: Scenario, messages: int, phases: int) -> None:
        self.scenario = scenario
        self.spec = LoadSpec(messages=messages)
        self.slice = messages // phases
        self.produced = 0
        self.timings: list[str] = []
        self._verifier = GrowingRun(scenario.kafka, scenario.topics, scenario.departments)

    async def create_topics(self) -> None:
        s = self.scenario
        await ensure_topics(s.kafka, s.topics.specs(s.departments, PARTITIONS))

    async def phase(self, name: str, fault: Fault, at: float = 0.5) -> None:
        """Write the next slice, run `fault` once `at` of it is committed, verify."""
        started = time.monotonic()
        first = self.produced
        loaded = await produce(self.scenario.kafka, self.spec, PARTITIONS, first, self.slice)
        self.produced += loaded.records
        self.scenario.total = self.produced
        await self.wait_slice(at)
        await fault()
        report = await self.scenario.finish_with(self._verifier, self.produced)
        assert_exactly_once(self.scenario, report)
        self.timings.append(
            f"{name}: inputs {first}..{self.produced - 1} verified "
            f"({report.inputs} in total) after {time.monotonic() - started:.1f}s"
        )
        print(self.timings[-1], flush=True)

    async def wait_slice(self, fraction: float) -> None:
        """Until `fraction` of the current slice is committed (so a fault hits busy routers)."""
        if fraction > 0:
            done = self.produced - self.slice * (1 - fraction)
            await self.scenario.wait_progress(done / self.produced)
