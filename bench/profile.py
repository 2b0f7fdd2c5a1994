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
from bench.measure import drain
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


def _frame(raw: str) -> str:
    return re.sub(r":\d+\)$", ")", raw)


def summarise(path: Path, top: int = 15) -> dict[str, Any]:
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
        parts[_component(frames)] += n

    def share(counter: Counter[str], limit: int = top) -> list[tuple[str, float]]:
        return [(k, round(100 * v / max(total, 1), 1)) for k, v in counter.most_common(limit)]

    return {
        "samples": total,
        "components": share(parts),
        "self": share(own),
        "inclusive": [x for x in share(inclusive, 200) if "router/" in x[0]][:top],
    }


def _component(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, marks in COMPONENTS:
            if any(m in frame for m in marks):
                return name
    return "other"


async def profile_router(ctx: Ctx) -> dict[str, Any]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    kafka = ctx.kafka(label="prof")
    await ctx.backlog(kafka, ctx.sizes.drain_messages)
    group = f"{kafka.topic_prefix}-router"
    out = ctx.run_dir / "router.pyspy.txt"
    router = procs.router(f"{kafka.topic_prefix}-router", kafka, group, ctx.run_dir)
    router.start()
    sampler = procs.Proc(
        "py-spy",
        [
            spy,
            "record",
            "--pid",
            str(router.pid),
            "--rate",
            "100",
            "--format",
            "raw",
            "-o",
            str(out),
            "--nonblocking",
        ],
        {},
        ctx.run_dir,
    )
    sampler.start()
    try:
        topics = Topics(kafka.topic_prefix)
        result = await drain(kafka, [group], topics.all_intake(), [router], timeout_s=1800)
    finally:
        if sampler.proc is not None and sampler.alive():
            sampler.proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            await asyncio.to_thread(sampler.proc.wait, 60)
        await router.astop()
    summary = summarise(out) if out.exists() else {"error": sampler.log_path.read_text()[-500:]}
    # The raw stacks (MBs) stay in the run directory: `--keep-logs DIR` keeps them for a flame
    # graph; the results file gets the summary.
    return {"drain": result.summary(), **summary}
