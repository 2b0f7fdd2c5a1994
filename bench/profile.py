"""Where the router's CPU goes: py-spy samples a router process (from outside, no code
change, little overhead) while it drains a backlog; the stacks are summarised per function
(self and inclusive share) and per component (the leaf-most frame that belongs to one).

    .venv/bin/python -m bench.run --quick --scenarios 1 --profile
"""

import asyncio
import re
import shutil
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench import procs
from bench.context import Ctx
from bench.measure import drain, group_offsets
from intake.kafka import admin
from intake.settings import KafkaSettings
from intake.topics import Topics

# Leaf-most frame wins: a sample in orjson under serde.dumps counts as "encode".
COMPONENTS = [
    ("keyword rules", ("router/rules.py",)),
    ("statistical model + language", ("router/classify/", "router/scoring.py")),
    ("dedup / threading state", ("router/state/", "router/dedup/")),
    ("decode + validate (pydantic)", ("model_validate_json", "serde.py:loads", "loads (intake")),
    ("encode (model_dump + orjson)", ("dumps (intake/serde.py)", "model_dump")),
    ("policy + decision", ("router/policy.py", "router/decision.py", "router/config/")),
    ("pipeline glue", ("router/pipeline.py",)),
    ("transactions + Kafka client", ("aiokafka/", "router/eos/")),
    ("runner loop", ("router/runner.py",)),
    ("event loop + sockets", ("asyncio/", "selectors.py", "uvloop")),
]


INTAKE = [
    ("validation (pydantic drafts)", ("intake/http/validation.py", "validate_python")),
    ("completion: ids + identity HMACs", ("intake/complete.py", "intake/identity.py")),
    ("encode (model_dump + orjson)", ("intake/serde.py", "model_dump")),
    ("publisher (transactional group commit)", ("intake/txn_", "intake/publish")),
    ("auth, rate limit, idempotency", ("intake/http/auth.py", "ratelimit.py", "idempotency")),
    ("metrics + logging", ("prometheus_client", "omniroute/logs.py", "logging/")),
    ("aiokafka", ("aiokafka/",)),
    ("aiohttp (HTTP parsing, routing)", ("aiohttp/", "multidict", "yarl")),
    ("event loop + sockets", ("asyncio/", "selectors.py", "uvloop")),
]


def _frame(raw: str) -> str:
    return re.sub(r":\d+\)$", ")", raw)


def summarise(
    path: Path, top: int = 15, components: list[tuple[str, tuple[str, ...]]] = COMPONENTS
) -> dict[str, Any]:
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(f) for f in stack.split(";")]
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
        parts[_component(frames, components)] += n

    def share(counter: Counter[str], limit: int = top) -> list[tuple[str, float]]:
        return [(k, round(100 * v / max(total, 1), 1)) for k, v in counter.most_common(limit)]

    return {
        "samples": total,
        "components": share(parts),
        "self": share(own),
        "inclusive": [x for x in share(inclusive, 200) if "router/" in x[0] or "intake/" in x[0]][
            :top
        ],
    }


def _component(frames: list[str], components: list[tuple[str, tuple[str, ...]]]) -> str:
    for frame in reversed(frames):
        for name, marks in components:
            if any(m in frame for m in marks):
                return name
    return "other"


def _sampler(ctx: Ctx, target: procs.Proc, out: Path) -> procs.Proc:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    argv = [spy, "record", "--pid", str(target.pid), "--rate", "100", "--format", "raw"]
    return procs.Proc(
        f"py-spy-{out.stem}", [*argv, "-o", str(out), "--nonblocking"], {}, ctx.run_dir
    ).start()


async def _stop(sampler: procs.Proc) -> None:
    if sampler.proc is not None and sampler.alive():
        sampler.proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        await asyncio.to_thread(sampler.proc.wait, 60)


async def _first_commit(kafka: KafkaSettings, group: str, proc: procs.Proc) -> None:
    client = admin(kafka)
    await client.start()
    try:
        async with asyncio.timeout(300):
            while not await group_offsets(client, group):
                proc.check()
                await asyncio.sleep(0.2)
    finally:
        await client.close()


async def profile_router(ctx: Ctx) -> dict[str, Any]:
    kafka = ctx.kafka(label="prof")
    await ctx.backlog(kafka, ctx.sizes.drain_messages)
    group = f"{kafka.topic_prefix}-router"
    out = ctx.run_dir / "router.pyspy.txt"
    router = procs.router(f"{kafka.topic_prefix}-router", kafka, group, ctx.run_dir)
    router.start()
    await _first_commit(kafka, group, router)  # steady state only: start-up is not the path
    sampler = _sampler(ctx, router, out)
    try:
        topics = Topics(kafka.topic_prefix)
        result = await drain(kafka, [group], topics.all_intake(), [router], timeout_s=1800)
    finally:
        await _stop(sampler)
        await router.astop()
    # The raw stacks (MBs) stay in the run directory: `--keep-logs DIR` keeps them for a flame
    # graph; the results file gets the summary.
    summary = summarise(out) if out.exists() else {"error": sampler.log_path.read_text()[-500:]}
    return {"drain": result.summary(), **summary}


async def profile_intake(ctx: Ctx) -> dict[str, Any]:
    """Intake under wrk, single-message POSTs (its slowest case against the plain producer)."""
    from bench.s_http import bodies, wrk
    from bench.s_latency import intake_env, wait_ready

    kafka = ctx.kafka(label="profi")
    await ctx.topics(kafka)
    port = procs.free_port()
    out = ctx.run_dir / "intake.pyspy.txt"
    with procs.cli(
        "intake-prof", "omniroute.cli", intake_env(kafka, port), ctx.run_dir, "intake"
    ) as intake:
        await wait_ready(f"http://127.0.0.1:{port}/readyz", intake)
        url = f"http://127.0.0.1:{port}/v1/messages"
        body_file = bodies(ctx, 1, ctx.run_dir / "bodies-prof.jsonl")
        sampler = _sampler(ctx, intake, out)
        try:
            load = await wrk(url, body_file, ctx.sizes.wrk_seconds, ctx.run_dir / "wrk-prof.log")
        finally:
            await _stop(sampler)
    summary = summarise(out, components=INTAKE) if out.exists() else {"error": "no samples"}
    return {"wrk": load, **summary}
