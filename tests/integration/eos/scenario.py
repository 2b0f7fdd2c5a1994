"""One fault scenario: its topics, its load, its router processes, its verdict."""

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from intake.admin import ensure_topics
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.config import load_config
from router.verify import GrowingRun, Report, verify, wait_caught_up
from router.verify.loadgen import Loaded, LoadSpec, produce
from router.verify.read import GroupOffsets, end_offsets
from tests.integration.eos.procs import RouterProc

ROUTING = Path(__file__).with_name("routing.yaml")
PARTITIONS = 6
MESSAGES = 50_000
# The group forgets a silent member after this long: bounds how long a SIGSTOPped or removed
# static member holds its partitions. Longer than the broker minimum (6 s), so that a busy
# 2-core CI machine does not expel healthy members.
SESSION_TIMEOUT_MS = 10_000


@dataclass
class Scenario:
    bootstrap: str
    log_dir: Path
    prefix: str = field(default_factory=lambda: f"eos{uuid.uuid4().hex[:8]}")
    routers: list[RouterProc] = field(default_factory=list)
    loaded: Loaded | None = None
    total: int = 0

    @property
    def kafka(self) -> KafkaSettings:
        return KafkaSettings(
            bootstrap=self.bootstrap, topic_prefix=self.prefix, partitions=PARTITIONS
        )

    @property
    def topics(self) -> Topics:
        return Topics(self.prefix)

    @property
    def group(self) -> str:
        return f"{self.prefix}-router"

    @property
    def departments(self) -> list[str]:
        return load_config(ROUTING).all_departments()

    async def prepare(self, messages: int = MESSAGES) -> None:
        await ensure_topics(self.kafka, self.topics.specs(self.departments, PARTITIONS))
        self.loaded = await produce(self.kafka, LoadSpec(messages=messages), PARTITIONS)
        ends = await end_offsets(self.kafka, self.topics.all_intake())
        self.total = sum(ends.values())
        assert self.total == messages, f"intake holds {self.total} records, wrote {messages}"

    def router(self, instance: str, static: bool = True) -> RouterProc:
        """`static`: a static group member (instance id); else a dynamic one, whose start and
        stop each rebalance the group at once."""
        env = {
            "OMNIROUTE_KAFKA_BOOTSTRAP": self.bootstrap,
            "OMNIROUTE_KAFKA_TOPIC_PREFIX": self.prefix,
            "OMNIROUTE_KAFKA_PARTITIONS": str(PARTITIONS),
            "OMNIROUTE_ROUTER_GROUP_ID": self.group,
            "OMNIROUTE_ROUTER_CONFIG_PATH": str(ROUTING),
            "OMNIROUTE_ROUTER_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_MS),
            "OMNIROUTE_LOG_LEVEL": "INFO",
        }
        proc = RouterProc(instance, env, self.log_dir)
        if not static:
            del proc.env["OMNIROUTE_ROUTER_INSTANCE_ID"]
        self.routers.append(proc)
        return proc

    def pair(self) -> tuple[RouterProc, RouterProc]:
        first, second = self.router("r1"), self.router("r2")
        first.start()
        second.start()
        return first, second

    async def progress(self) -> float:
        watch = GroupOffsets(self.kafka)
        try:
            done = await watch.committed(self.group)
        finally:
            await watch.close()
        return sum(done.values()) / max(self.total, 1)

    async def wait_progress(self, fraction: float, timeout_s: float = 600.0) -> float:
        deadline = asyncio.get_running_loop().time() + timeout_s
        watch = GroupOffsets(self.kafka)
        try:
            while True:
                value = sum((await watch.committed(self.group)).values()) / max(self.total, 1)
                if value >= fraction:
                    return value
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"progress {value:.2f} < {fraction}\n{self.logs()}")
                await asyncio.sleep(0.25)
        finally:
            await watch.close()

    async def finish(self, timeout_s: float = 900.0) -> Report:
        await self.caught_up(timeout_s)
        return await verify(self.kafka, self.topics, self.departments, self.total)

    async def finish_with(self, run: GrowingRun, expected: int, timeout_s: float = 900.0) -> Report:
        """Like `finish`, reading only what was added since `run`'s previous verdict."""
        await self.caught_up(timeout_s)
        return await run.verify(expected)

    async def caught_up(self, timeout_s: float) -> None:
        try:
            await wait_caught_up(self.kafka, self.group, self.topics.all_intake(), timeout_s)
        except Exception as exc:
            raise AssertionError(f"{exc}\n{self.logs()}") from exc

    def logs(self) -> str:
        return "\n".join(f"--- {r.instance}\n{r.log_tail()}" for r in self.routers)

    def cleanup(self) -> None:
        for r in self.routers:
            r.cleanup()


def assert_exactly_once(scenario: Scenario, report: Report) -> None:
    assert report.ok, f"{report.summary()}\n{scenario.logs()}"
    assert report.inputs == scenario.total
    # Every redelivered message id must be caught by the dedup state, also across restarts and
    # take-overs: proof that the changelog restore brought the state back.
    assert report.redispatched == 0, report.summary()
    assert report.outcomes["duplicate"] > 0, report.summary()
