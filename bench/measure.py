"""Throughput seen from outside: a consumer group's committed offsets over time.

Every contender (router, pass-through, quix-streams peer) commits its input offsets inside its
transactions, so "committed" means "processed and its outputs committed". The rate is taken
between the first commit and the last one (process start, group join and restore are excluded:
they are reported separately as `startup_s`), so short quick runs are not dominated by startup.
"""

import asyncio
import time
from dataclasses import asdict, dataclass
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from bench.procs import Proc
from intake.kafka import admin
from intake.settings import KafkaSettings
from router.verify.read import end_offsets


@dataclass
class Drain:
    records: int
    rate: float  # msg/s from first to last commit
    wall_rate: float  # msg/s including startup (process start to last commit)
    startup_s: float  # process start to first commit
    drain_s: float  # first commit to caught up
    samples: list[tuple[float, int]]

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("samples")
        out["rate"], out["wall_rate"] = round(self.rate, 1), round(self.wall_rate, 1)
        out["startup_s"], out["drain_s"] = round(self.startup_s, 2), round(self.drain_s, 2)
        return out


async def _committed(client: AIOKafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    try:
        offsets = await client.list_consumer_group_offsets(group)
    except KafkaError as exc:
        if not exc.retriable:
            raise
        return {}  # coordinator moving or loading: no news yet
    return {tp: m.offset for tp, m in offsets.items() if m.offset >= 0}


async def drain(
    kafka: KafkaSettings,
    groups: list[str],
    topics: list[str],
    procs: list[Proc],
    *,
    timeout_s: float,
    interval_s: float = 0.25,
) -> Drain:
    """Wait until `groups` (summed: one entry per group, the quix peer has one per topic set)
    committed the end of `topics`; every process must stay alive meanwhile."""
    ends = await end_offsets(kafka, topics)
    total = sum(ends.values())
    client = admin(kafka)
    await client.start()
    started = min(p.started_at for p in procs)
    samples: list[tuple[float, int]] = []
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            for p in procs:
                p.check()
            done = 0
            for group in groups:
                committed = await _committed(client, group)
                done += sum(min(committed.get(tp, 0), end) for tp, end in ends.items())
            samples.append((time.monotonic() - started, done))
            if done >= total:
                break
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{groups} at {done} of {total} after {timeout_s:.0f}s")
            await asyncio.sleep(interval_s)
    finally:
        await client.close()
    first = next((t, n) for t, n in samples if n > 0)
    last_t = samples[-1][0]
    # Offsets land per commit interval: the first sample already holds one interval's worth.
    span = max(last_t - first[0], 1e-3)
    rate = (total - first[1]) / span if total > first[1] else total / max(last_t, 1e-3)
    return Drain(total, rate, total / max(last_t, 1e-3), first[0], last_t - first[0], samples)
