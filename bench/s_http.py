"""Scenario 4: HTTP ingest under wrk (Debian's `wrk`), single-message POSTs and batches, against
a plain aiokafka producer behind aiohttp (`bench.peers.plain_ingest`) in the same run.

wrk is closed-loop (a fixed number of connections, each sending its next request when the last
one is answered), which is what peak request throughput means. Bodies are pre-generated from
the traffic mix and cycled by a Lua script; the variants alternate intake / plain so drift in
the machine's load hits both. Any non-2xx answer is counted and reported.
"""

import asyncio
import re
from pathlib import Path
from typing import Any

import orjson

from bench import procs
from bench.context import Ctx
from bench.s_latency import TOKEN, intake_env, wait_ready

LUA = Path(__file__).resolve().parent / "wrk" / "post.lua"
BATCH = 20
CONNECTIONS = 32
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    return float(m.group(1)) * _UNIT[m.group(2)] if m else float("nan")


def parse_wrk(out: str) -> dict[str, Any]:
    res: dict[str, Any] = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        res["requests_s"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+)(\w+)", out):
        res["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    res["socket_errors"] = m.group(1).strip() if m else ""
    for q in ("50", "90", "99"):
        if m := re.search(rf"^\s+{q}%\s+(\S+)", out, re.MULTILINE):
            res[f"p{q}_ms"] = round(_ms(m.group(1)), 2)
    return res


def bodies(ctx: Ctx, batch: int, path: Path, count: int = 4000) -> Path:
    items = ctx.items(count * batch, seed=31)
    with path.open("wb") as f:
        for i in range(count):
            chunk = [it.draft for it in items[i * batch : (i + 1) * batch]]
            f.write(orjson.dumps(chunk if batch > 1 else chunk[0]) + b"\n")
    return path


async def wrk(url: str, body_file: Path, seconds: int, log: Path) -> dict[str, Any]:
    env = {"BENCH_BODIES": str(body_file), "BENCH_TOKEN": TOKEN}
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(LUA), url]
    p = procs.Proc(log.stem, argv, env, log.parent)
    code = await _finish(p, seconds + 60)
    out = p.log_path.read_text(errors="replace")
    return parse_wrk(out) | {"exit": code}


async def _finish(p: procs.Proc, timeout_s: float) -> int | None:
    p.start()
    assert p.proc is not None
    proc = p.proc
    try:
        return await asyncio.wait_for(asyncio.to_thread(proc.wait), timeout_s)
    except TimeoutError:
        return p.stop(5)


def _publisher_mode() -> str:
    """Which publisher intake runs with by default (the bench sets none): recorded, since a
    transactional publish costs a round trip more than the plain producer's."""
    try:
        from intake.publishing import PublisherSettings
    except ImportError:
        return "idempotent"
    return str(PublisherSettings().publisher)


async def scenario_4(ctx: Ctx) -> dict[str, Any]:
    kafka = ctx.kafka(label="http")
    await ctx.topics(kafka)
    files = {n: bodies(ctx, n, ctx.run_dir / f"bodies-{n}.jsonl") for n in (1, BATCH)}
    ports = {n: procs.free_port() for n in ("intake", "intake_uvloop", "plain")}
    uvloop = {"OMNIROUTE_EVENT_LOOP": "uvloop"}
    servers = {
        "intake": procs.cli(
            "intake-http",
            "omniroute.cli",
            intake_env(kafka, ports["intake"]),
            ctx.run_dir,
            "intake",
        ),
        "intake_uvloop": procs.cli(
            "intake-http-uvloop",
            "omniroute.cli",
            intake_env(kafka, ports["intake_uvloop"]) | uvloop,
            ctx.run_dir,
            "intake",
        ),
        "plain": procs.cli(
            "plain-ingest",
            "bench.peers.plain_ingest",
            procs.kafka_env(kafka),
            ctx.run_dir,
            str(ports["plain"]),
        ),
    }
    out: dict[str, Any] = {
        "connections": CONNECTIONS,
        "batch": BATCH,
        "runs": {},
        "intake_publisher": _publisher_mode(),
    }
    with servers["intake"], servers["intake_uvloop"], servers["plain"]:
        for name, port in ports.items():
            await wait_ready(f"http://127.0.0.1:{port}/readyz", servers[name])
            # Warm-up: connections, metadata, first batches (and the JIT-less Python caches).
            await wrk(
                f"http://127.0.0.1:{port}/v1/messages",
                files[1],
                2,
                ctx.run_dir / f"wrk-warm-{name}.log",
            )
        for size in (1, BATCH):
            for name, port in ports.items():
                label = f"{name}_{'single' if size == 1 else f'batch{size}'}"
                res = await wrk(
                    f"http://127.0.0.1:{port}/v1/messages",
                    files[size],
                    ctx.sizes.wrk_seconds,
                    ctx.run_dir / f"wrk-{label}.log",
                )
                res["messages_s"] = round(res.get("requests_s", 0.0) * size, 1)
                out["runs"][label] = res
                print(
                    f"  [4] {label:>20}: {res.get('requests_s', 0):8.0f} req/s "
                    f"{res['messages_s']:8.0f} msg/s p99 {res.get('p99_ms')} ms "
                    f"non-2xx {res['non_2xx']}",
                    flush=True,
                )
    runs = out["runs"]
    out["ratio"] = {}
    for kind in ("single", f"batch{BATCH}"):
        for a, b in (("intake", "plain"), ("intake_uvloop", "intake")):
            rate = runs[f"{a}_{kind}"]["messages_s"] / max(runs[f"{b}_{kind}"]["messages_s"], 1e-9)
            out["ratio"][f"{a}/{b} {kind}"] = round(rate, 3)
    for label, res in runs.items():
        ok = res["non_2xx"] == 0 and res.get("requests", 0) > 0
        ctx.check("4", label, ok, f"{res.get('requests', 0)} requests, {res['non_2xx']} non-2xx")
    return out
