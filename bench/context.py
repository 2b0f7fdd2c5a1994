"""What every scenario gets: the broker, a fresh topic namespace per contender, the traffic, the
run's log directory and the size knobs of --quick vs a full run."""

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import feed
from bench.mix import Item, MixSpec, generate
from bench.texts import Pools
from intake.admin import ensure_topics
from intake.settings import KafkaSettings
from intake.topics import Topics, TopicSpec
from router.config import load_default_config
from router.verify import Report


@dataclass(frozen=True)
class Sizes:
    drain_messages: int
    latency_seconds: float
    wrk_seconds: int
    state_keys: tuple[int, ...]
    scaling_partitions: int = 12
    rounds: int = 1  # drain rounds per contender (the median is reported)


QUICK = Sizes(drain_messages=6_000, latency_seconds=15, wrk_seconds=8, state_keys=(1_000_000,))
FULL = Sizes(
    drain_messages=100_000,
    latency_seconds=60,
    wrk_seconds=20,
    state_keys=(1_000_000, 10_000_000),
    rounds=3,
)


@dataclass
class Ctx:
    bootstrap: str
    run_dir: Path
    sizes: Sizes
    pools: Pools
    partitions: int = 6
    results: dict[str, Any] = field(default_factory=dict)
    gate: list[dict[str, Any]] = field(default_factory=list)

    @property
    def departments(self) -> list[str]:
        return load_default_config().all_departments()

    def kafka(self, partitions: int | None = None, label: str = "b") -> KafkaSettings:
        """A fresh topic prefix: each contender gets its own copy of the input and outputs."""
        prefix = f"bench{label}{uuid.uuid4().hex[:6]}"
        return KafkaSettings(
            bootstrap=self.bootstrap,
            topic_prefix=prefix,
            partitions=partitions or self.partitions,
        )

    def items(self, count: int, seed: int = 11) -> list[Item]:
        return list(generate(MixSpec(messages=count, seed=seed), self.pools))

    async def topics(self, kafka: KafkaSettings, extra: tuple[str, ...] = ()) -> Topics:
        topics = Topics(kafka.topic_prefix)
        specs = topics.specs(self.departments, kafka.partitions)
        specs += [TopicSpec(name, kafka.partitions) for name in extra]
        await ensure_topics(kafka, specs)
        return topics

    async def backlog(self, kafka: KafkaSettings, count: int, extra: tuple[str, ...] = ()) -> int:
        """Topics created, VIP directory and `count` mix messages written; returns the count."""
        topics = await self.topics(kafka, extra)
        await feed.write(kafka, feed.directory(MixSpec(messages=count), topics), kafka.partitions)
        records = feed.complete(self.items(count), topics)
        await feed.write(kafka, records, kafka.partitions)
        return len(records)

    def verified(self, scenario: str, run: str, report: Report, inputs: int | None = None) -> None:
        """The verifier's verdict, plus: the mix holds no poison, so a deadletter means the
        contender failed on valid input (exactly once, but not routed): a failed run too."""
        dead = report.outcomes.get("deadletter", 0)
        ok = report.ok and not dead and (inputs is None or report.inputs == inputs)
        note = f"{dead} valid messages deadlettered; " if dead else ""
        self.check(scenario, run, ok, note + report.summary())

    def check(self, scenario: str, run: str, ok: bool, detail: str) -> None:
        """The correctness gate: every verified run is recorded, failures make the suite fail."""
        self.gate.append({"scenario": scenario, "run": run, "ok": ok, "detail": detail})
