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

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from bench.procs import Proc
from intake.kafka import admin, client_kwargs
from intake.settings import KafkaSettings
from router.verify.read import end_offsets

_TAIL = 64  # records looked back from the end for the last data record (markers, aborts)


@dataclass
class Drain:
    records: int
    rate: float  # msg/s from first to last commit
    wall_rate: float  # msg/s including startup (process start to last commit)
    startup_s: float  # process start to first commit
    drain_s: float  # first commit to caught up
    # CPU the contender's processes used per message between first and last commit: unlike
    # msg/s it hardly depends on how much of the shared machine the contender was given.
    cpu_ms_per_msg: float
    samples: list[tuple[float, int]]

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("samples")
        out["rate"], out["wall_rate"] = round(self.rate, 1), round(self.wall_rate, 1)
        out["startup_s"], out["drain_s"] = round(self.startup_s, 2), round(self.drain_s, 2)
        out["cpu_ms_per_msg"] = round(self.cpu_ms_per_msg, 3)
        return out


async def group_offsets(client: AIOKafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    try:
        offsets = await client.list_consumer_group_offsets(group)
    except KafkaError as exc:
        if not exc.retriable:
            raise
        return {}  # coordinator moving or loading: no news yet
    return {tp: m.offset for tp, m in offsets.items() if m.offset >= 0}


async def data_ends(kafka: KafkaSettings, topics: list[str]) -> dict[TopicPartition, int]:
    """Per partition, one past the last committed *record*. Not the last stable offset: a
    transactional writer (intake's publisher) ends each transaction with a marker, which takes
    an offset no consumer ever commits past, so group offsets stay one short of the LSO."""
    ends = await end_offsets(kafka, topics)
    cons = AIOKafkaConsumer(
        **client_kwargs(kafka),
        group_id=None,
        isolation_level="read_committed",
        enable_auto_commit=False,
    )
    await cons.start()
    try:
        todo = {tp: end for tp, end in ends.items() if end > 0}
        cons.assign(sorted(todo))
        last = {tp: max(end - _TAIL, 0) for tp, end in todo.items()}
        for tp, start in last.items():
            cons.seek(tp, start)
        async with asyncio.timeout(60):
            while todo:
                for tp, records in (await cons.getmany(timeout_ms=200)).items():
                    last[tp] = max([last[tp], *(r.offset + 1 for r in records)])
                for tp in list(todo):
                    if await cons.position(tp) >= todo[tp]:
                        del todo[tp]
    finally:
        await cons.stop()
    return {tp: last.get(tp, 0) for tp in ends}


async def drain(
    kafka: KafkaSettings,
    groups: list[str],
    topics: list[str],
    procs: list[Proc],
    *,
    timeout_s: float,
    interval_s: float = 0.1,
) -> Drain:
    """Wait until `groups` (summed: one entry per group, the quix peer has one per topic set)
    committed the end of `topics`; every process must stay alive meanwhile."""
    ends = await data_ends(kafka, topics)
    total = sum(ends.values())
    client = admin(kafka)
    await client.start()
    started = min(p.started_at for p in procs)
    samples: list[tuple[float, int]] = []
    cpu: list[float] = []  # per sample, summed over the processes
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            for p in procs:
                p.check()
            done = 0
            for group in groups:
                committed = await group_offsets(client, group)
                done += sum(min(committed.get(tp, 0), end) for tp, end in ends.items())
            samples.append((time.monotonic() - started, done))
            cpu.append(sum(p.cpu_s() for p in procs))
            if done >= total:
                break
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{groups} at {done} of {total} after {timeout_s:.0f}s")
            await asyncio.sleep(interval_s)
    finally:
        await client.close()
    at = next(i for i, (_, n) in enumerate(samples) if n > 0)
    first = samples[at]
    last_t = samples[-1][0]
    counted = max(total - first[1], 1)
    # Offsets land per commit interval: the first sample already holds one interval's worth.
    span = max(last_t - first[0], 1e-3)
    rate = (total - first[1]) / span if total > first[1] else total / max(last_t, 1e-3)
    cpu_ms = (cpu[-1] - cpu[at]) * 1000 / counted
    return Drain(
        total, rate, total / max(last_t, 1e-3), first[0], last_t - first[0], cpu_ms, samples
    )
