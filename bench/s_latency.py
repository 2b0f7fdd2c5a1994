"""Scenario 3: end-to-end latency, HTTP ingest -> department topic, at 50 % and 80 % of peak,
and below (10 %, 25 %) to find the rate at which the p99 goal holds on this machine.

One namespace, one intake process, one router process, one collector process for all levels
(so the router's state and the broker's caches are the same for both). The peak is the router's
drain rate measured in scenario 1 of this run (or a quick drain here if scenario 1 was not
selected). First an unmeasured warm-up at the lowest level's rate (a first level measured
cold showed intake p95 0.5-0.8 s against 40 ms once warm: the broker's first transactions on
fresh topics, the JIT, intake's first commits). Per level: an open-loop sender at the level's
rate for the configured time, then a wait until the router has committed everything. The first
2 s of each level are excluded too. Intake latency (to the intake topic) is measured on the same
messages: the in-run baseline, and the difference is what the router adds. The exactly-once
verifier then checks every record intake acknowledged.
"""

import asyncio
import hashlib
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench import openloop, procs
from bench.context import Ctx
from bench.measure import drain
from bench.mix import Item
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.verify import verify

TOKEN = "omr_bench-token-for-local-load-tests-only-000000"  # noqa: S105 - local test token
WARMUP_S = 2.0
WARMUP_LEVEL_S = 10.0  # the unmeasured warm-up phase before the levels


def intake_env(kafka: KafkaSettings, port: int) -> dict[str, str]:
    entry = {"name": "bench", "sha256": hashlib.sha256(TOKEN.encode()).hexdigest()}
    return procs.kafka_env(kafka) | {
        "OMNIROUTE_INTAKE_PORT": str(port),
        "OMNIROUTE_INTAKE_TOKENS": orjson.dumps([entry]).decode(),
        "OMNIROUTE_INTAKE_RATE_LIMIT_PER_SECOND": "0",  # unlimited: we measure, not throttle
        "OMNIROUTE_LOG_LEVEL": "WARNING",
    }


async def wait_ready(url: str, proc: procs.Proc, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            proc.check()
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(f"{proc.name} not ready at {url} after {timeout_s:.0f}s")


async def wait_owned(url: str, proc: procs.Proc, partitions: int, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            proc.check()
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if _owned(await resp.text()) >= partitions:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(
        f"{proc.name} owns fewer than {partitions} partitions after {timeout_s:.0f}s"
    )


def _owned(exposition: str) -> float:
    for line in exposition.splitlines():
        if line.startswith("omniroute_router_partitions_owned "):
            return float(line.split()[1])
    return 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "n": len(ordered),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 1),
        "mean": round(statistics.fmean(ordered), 1),
    }


async def peak_rate(ctx: Ctx) -> float:
    """The router's drain rate from scenario 1 of this run, else a quick measurement now."""
    rate = ctx.results.get("throughput", {}).get("rate", {}).get("router")
    if rate:
        return float(rate)
    from bench.s_throughput import routers, run_one

    return float((await run_one(ctx, "3", "router", routers(1), ctx.partitions))["rate"])


def _level(
    stats: openloop.SendStats, seen: dict[str, dict[int, float]], seqs: range, started_at: float
) -> dict[str, Any]:
    skip = int(WARMUP_S * stats.rate)
    measured = set(seqs[skip:])
    out = {
        k: percentiles([ms for s, ms in seen[k].items() if s in measured])
        for k in ("intake", "dept")
    }
    out["http_ack_ms"] = percentiles(stats.ack_ms)
    return {**stats.summary(), "latency_ms": out, "at_s": round(started_at, 1)}


async def scenario_3(ctx: Ctx) -> dict[str, Any]:
    peak = await peak_rate(ctx)
    kafka = ctx.kafka(label="lat")
    topics = await ctx.topics(kafka)
    port = procs.free_port()
    out_file = ctx.run_dir / f"{kafka.topic_prefix}-latency.json"
    group = f"{kafka.topic_prefix}-router"
    # 50 % and 80 % are the goal's levels. On 2 shared cores the router's drain peak is what
    # it reaches with the cores to itself; over HTTP it shares them with intake, the sender,
    # the collector and the broker, so the lower levels show where the pipeline is not
    # saturated and what latency it then gives.
    levels = [0.1, 0.25, 0.5, 0.8]
    per_level = [int(peak * f * ctx.sizes.latency_seconds) + 10 for f in levels]
    warm = int(peak * levels[0] * WARMUP_LEVEL_S) + 10
    items = ctx.items(warm + sum(per_level), seed=23)
    intake = procs.cli("intake", "omniroute.cli", intake_env(kafka, port), ctx.run_dir, "intake")
    router_port = procs.free_port()
    router = procs.router(
        f"{kafka.topic_prefix}-router",
        kafka,
        group,
        ctx.run_dir,
        OMNIROUTE_ROUTER_HTTP_PORT=str(router_port),
    )
    collector = procs.cli(
        "collector", "bench.collector", procs.kafka_env(kafka), ctx.run_dir, str(out_file)
    )
    results: dict[str, Any] = {"peak_msg_s": round(peak, 1), "levels": {}}
    with intake, router, collector:
        await wait_ready(f"http://127.0.0.1:{port}/readyz", intake)
        # Not its /readyz (the consumer connected): every partition taken over. Otherwise the
        # first level's messages queue behind the router's start-up and measure that instead.
        await wait_owned(f"http://127.0.0.1:{router_port}/metrics", router, ctx.partitions)
        await _wait_file(out_file.with_suffix(".ready"), collector)
        url = f"http://127.0.0.1:{port}/v1/messages"
        warmed = await openloop.send(
            url, TOKEN, items[:warm], peak * levels[0], duration_s=WARMUP_LEVEL_S
        )
        await drain(kafka, [group], topics.all_intake(), [router, intake], timeout_s=300)
        print(f"  [3] warm-up: {len(warmed.acked)} acked, not measured", flush=True)
        first = warm
        sent: list[tuple[float, openloop.SendStats, range]] = []
        for fraction, count in zip(levels, per_level, strict=True):
            chunk: list[Item] = items[first : first + count]
            started_at = time.monotonic()
            stats = await openloop.send(
                url, TOKEN, chunk, peak * fraction, duration_s=ctx.sizes.latency_seconds
            )
            await drain(kafka, [group], topics.all_intake(), [router, intake], timeout_s=300)
            sent.append((fraction, stats, range(first, first + count)))
            print(
                f"  [3] {fraction:.0%} of peak = {peak * fraction:.0f} msg/s: "
                f"{len(stats.acked)} acked, {time.monotonic() - started_at:.0f}s",
                flush=True,
            )
            first += count
        await asyncio.sleep(1.0)  # the collector's last fetch
        await collector.astop()
    seen = {
        k: {int(s): v for s, v in d.items()} for k, d in orjson.loads(out_file.read_bytes()).items()
    }
    for fraction, stats, seqs in sent:
        results["levels"][f"{int(fraction * 100)}%"] = _level(stats, seen, seqs, 0.0)
    acked = len(warmed.acked) + sum(len(s.acked) for _, s, _ in sent)
    report = await verify(kafka, Topics(kafka.topic_prefix), ctx.departments)
    ctx.verified("3", f"router (HTTP path, {acked} acked by intake)", report, inputs=acked)
    return results


async def _wait_file(path: Path, proc: procs.Proc, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await asyncio.to_thread(path.exists):
        proc.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{proc.name} did not get ready")
        await asyncio.sleep(0.2)
