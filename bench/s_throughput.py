"""Scenarios 1, 2 and 6: backlog drain (peak throughput) of the router against its baselines.

Each contender gets its own topic namespace holding an identical backlog (same seed), is started
as its own process, and is timed by its group's committed offsets (`bench.measure`). Rounds
alternate the contenders, so drift in the machine's load hits all of them alike, and each
ratio is taken within one round. Router and quix-streams outputs pass the exactly-once verifier
(`router.verify`); the pass-through's output is counted and checked for doubles.
"""

import statistics
from collections.abc import Callable
from typing import Any

from bench import procs
from bench.context import Ctx
from bench.measure import drain
from bench.peers import quixenv
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.verify import verify
from router.verify.read import read_all

Starter = Callable[[Ctx, KafkaSettings], tuple[list[procs.Proc], list[str]]]
PASSTHROUGH_OUT = "bench.passthrough"


def _passthrough(ctx: Ctx, kafka: KafkaSettings) -> tuple[list[procs.Proc], list[str]]:
    group = f"{kafka.topic_prefix}-pt"
    out = f"{kafka.topic_prefix}.{PASSTHROUGH_OUT}"
    env = procs.kafka_env(kafka)
    p = procs.cli(
        f"{kafka.topic_prefix}-passthrough", "bench.peers.passthrough", env, ctx.run_dir, group, out
    )
    return [p], [group]


def routers(count: int, **env: str) -> Starter:
    def start(ctx: Ctx, kafka: KafkaSettings) -> tuple[list[procs.Proc], list[str]]:
        group = f"{kafka.topic_prefix}-router"
        return [
            procs.router(f"{kafka.topic_prefix}-router{i}", kafka, group, ctx.run_dir, **env)
            for i in range(count)
        ], [group]

    return start


def _quix(ctx: Ctx, kafka: KafkaSettings) -> tuple[list[procs.Proc], list[str]]:
    group = f"{kafka.topic_prefix}-quix"
    return [quixenv.proc(kafka, group, ctx.run_dir)], [group]


async def _check_passthrough(ctx: Ctx, scenario: str, kafka: KafkaSettings, total: int) -> None:
    out = await read_all(kafka, [f"{kafka.topic_prefix}.{PASSTHROUGH_OUT}"], values=True)
    unique = len({r.value for r in out})
    ok = len(out) == total and unique == total
    ctx.check(scenario, "passthrough", ok, f"{len(out)} records, {unique} distinct, {total} in")


async def run_one(
    ctx: Ctx, scenario: str, name: str, start: Starter, partitions: int
) -> dict[str, Any]:
    kafka = ctx.kafka(partitions, label=name[:2])
    extra = (f"{kafka.topic_prefix}.{PASSTHROUGH_OUT}",) if name == "passthrough" else ()
    total = await ctx.backlog(kafka, ctx.sizes.drain_messages, extra)
    started, groups = start(ctx, kafka)
    for p in started:
        p.start()
    try:
        topics = Topics(kafka.topic_prefix)
        result = await drain(
            kafka, groups, topics.all_intake(), started, timeout_s=300 + total / 20
        )
    finally:
        for p in started:
            await p.astop()
    print(
        f"  [{scenario}] {name:>12}: {result.rate:8.0f} msg/s "
        f"(startup {result.startup_s:.1f}s, drain {result.drain_s:.1f}s)",
        flush=True,
    )
    summary: dict[str, Any] = {"prefix": kafka.topic_prefix, **result.summary()}
    if name == "passthrough":
        await _check_passthrough(ctx, scenario, kafka, total)
    else:
        # The quix-streams peer implements routing, not the SLA clock start.
        clock = name != "quix"
        report = await verify(kafka, topics, ctx.departments, expected_seqs=total, sla_clock=clock)
        ctx.verified(scenario, name, report)
        summary["outcomes"] = dict(report.outcomes)
    return summary


async def compare(
    ctx: Ctx,
    scenario: str,
    contenders: dict[str, Starter],
    baseline: str,
    partitions: int | None = None,
) -> dict[str, Any]:
    """Every contender once per round; per-round ratios to `baseline`, medians over rounds."""
    rounds: list[dict[str, Any]] = []
    for _ in range(ctx.sizes.rounds):
        rounds.append(
            {
                n: await run_one(ctx, scenario, n, s, partitions or ctx.partitions)
                for n, s in contenders.items()
            }
        )
    out: dict[str, Any] = {
        "rounds": rounds,
        "baseline": baseline,
        "rate": {},
        "ratio": {},
        "cpu_ms_per_msg": {},
        "cpu_ratio": {},
    }
    for name in contenders:
        out["rate"][name] = statistics.median(r[name]["rate"] for r in rounds)
        out["cpu_ms_per_msg"][name] = statistics.median(r[name]["cpu_ms_per_msg"] for r in rounds)
        if name != baseline:
            out["ratio"][f"{name}/{baseline}"] = _ratio(rounds, name, baseline, "rate")
            # CPU efficiency (baseline CPU per message / contender's): load-independent.
            out["cpu_ratio"][f"{name}/{baseline}"] = _ratio(
                rounds, baseline, name, "cpu_ms_per_msg"
            )
    return out


def _ratio(rounds: list[dict[str, Any]], top: str, bottom: str, key: str) -> float:
    ratios = [float(r[top][key]) / max(float(r[bottom][key]), 1e-9) for r in rounds]
    return round(statistics.median(ratios), 3)


async def scenario_1_2(ctx: Ctx, with_quix: bool) -> dict[str, Any]:
    contenders: dict[str, Starter] = {
        "passthrough": _passthrough,
        "router": routers(1),
        # The opt-in libuv loop (OMNIROUTE_EVENT_LOOP), A/B in the same round.
        "router_uvloop": routers(1, OMNIROUTE_EVENT_LOOP="uvloop"),
    }
    if with_quix:
        contenders["quix"] = _quix
    out = await compare(ctx, "1+2" if with_quix else "1", contenders, "passthrough")
    if with_quix:
        out["ratio"]["router/quix"] = _ratio(out["rounds"], "router", "quix", "rate")
        out["cpu_ratio"]["router/quix"] = _ratio(out["rounds"], "quix", "router", "cpu_ms_per_msg")
    return out


async def scenario_6(ctx: Ctx) -> dict[str, Any]:
    contenders = {"router_x1": routers(1), "router_x2": routers(2)}
    parts = ctx.sizes.scaling_partitions
    return await compare(ctx, "6", contenders, "router_x1", partitions=parts) | {
        "partitions": parts
    }
