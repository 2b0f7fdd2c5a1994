"""The benchmark suite: one command, every scenario measured against its baseline in the same run.

    .venv/bin/python -m bench.run [--quick] [--scenarios 1,2,3,4,5,6] [--profile]

1 router vs plain aiokafka transactional pass-through (backlog drain, msg/s, ratio)
2 router vs the same logic as a quix-streams exactly-once application (msg/s, ratio)
3 end-to-end latency HTTP ingest -> department topic at 10, 25, 50 and 80 % of the router's peak
4 HTTP ingest with wrk (single messages and batches) vs a plain aiokafka producer behind aiohttp
5 dedup state: resident bytes per key and restore time (bench/state_bench.py, restore_bench.py)
6 scaling: 1 vs 2 router processes on more partitions

Uses OMNIROUTE_KAFKA_BOOTSTRAP if set, else starts an embedded broker in a temporary directory.
Writes bench/results/<timestamp>.json, then regenerates BENCHMARKS.md and bench/plots/*.png.
Exit status 1 if the correctness gate failed on any run (lost or doubled records), whatever
the speed. Not part of CI: figures depend on the machine (see BENCHMARKS.md).
"""

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench import machine
from bench.context import FULL, QUICK, Ctx
from bench.texts import load_pools

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


@contextlib.contextmanager
def broker(run_dir: Path) -> Iterator[str]:
    existing = os.environ.get("OMNIROUTE_KAFKA_BOOTSTRAP")
    if existing:
        yield existing
        return
    from omniroute.localkafka import LocalKafka

    # Default heap (512m) is what `omniroute kafka start` gives a developer; same here.
    with LocalKafka(run_dir / "kafka") as kafka:
        yield kafka.bootstrap


async def scenarios(ctx: Ctx, wanted: set[int], profile: bool) -> None:
    from bench import s_http, s_latency, s_micro, s_state, s_throughput

    r = ctx.results
    if wanted & {1, 2}:
        print("scenario 1/2: backlog drain", flush=True)
        r["throughput"] = await s_throughput.scenario_1_2(ctx, with_quix=2 in wanted)
        r["micro"] = s_micro.micro(ctx)
    if 3 in wanted:
        print("scenario 3: end-to-end latency", flush=True)
        r["latency"] = await s_latency.scenario_3(ctx)
    if 4 in wanted:
        print("scenario 4: HTTP ingest (wrk)", flush=True)
        r["http"] = await s_http.scenario_4(ctx)
    if 5 in wanted:
        print("scenario 5: dedup state", flush=True)
        r["state"] = await s_state.scenario_5(ctx)
    if 6 in wanted:
        print("scenario 6: scaling", flush=True)
        r["scaling"] = await s_throughput.scenario_6(ctx)
    if profile:
        from bench import profile as prof

        print("profile: router drain under py-spy", flush=True)
        r["profile"] = await prof.profile_router(ctx)
        print("profile: intake under wrk with py-spy", flush=True)
        r["profile_intake"] = await prof.profile_intake(ctx)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (minutes, not an hour)")
    parser.add_argument("--scenarios", default="1,2,3,4,5,6", help="comma list of 1..6")
    parser.add_argument("--profile", action="store_true", help="also profile a router drain")
    parser.add_argument("--no-shared", action="store_true", help="built-in texts only")
    parser.add_argument("--no-report", action="store_true", help="skip BENCHMARKS.md/plots")
    parser.add_argument("--keep-logs", type=Path, help="keep process logs here (else a temp dir)")
    args = parser.parse_args()
    # SIGTERM (a timeout, an operator) unwinds like Ctrl-C: every child process is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Fresh topics answer NotLeaderForPartition for a moment; aiokafka retries and logs each.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    wanted = {int(s) for s in args.scenarios.split(",") if s.strip()}
    sizes = QUICK if args.quick else FULL
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    started = time.monotonic()
    record: dict[str, Any] = {
        "started_at": stamp,
        "command": " ".join([".venv/bin/python -m bench.run", *sys.argv[1:]]),
        "mode": "quick" if args.quick else "full",
        "sizes": sizes.__dict__,
        "machine": machine.describe(),
        "load_before": machine.load(),
    }
    with tempfile.TemporaryDirectory(prefix="omniroute-bench-") as tmp:
        run_dir = args.keep_logs or Path(tmp)
        run_dir.mkdir(parents=True, exist_ok=True)
        with broker(run_dir) as bootstrap:
            pools = load_pools(seed=11, use_shared=not args.no_shared)
            ctx = Ctx(bootstrap, run_dir, sizes, pools)
            record["texts"] = pools.source
            try:
                asyncio.run(scenarios(ctx, wanted, args.profile))
            finally:
                record |= ctx.results
                record["gate"] = ctx.gate
                record["gate_ok"] = all(g["ok"] for g in ctx.gate)
                record["load_after"] = machine.load()
                record["seconds"] = round(time.monotonic() - started, 1)
                RESULTS.mkdir(parents=True, exist_ok=True)
                path = RESULTS / f"{stamp}.json"
                path.write_bytes(orjson.dumps(record, option=orjson.OPT_INDENT_2))
                print(f"results: {path.relative_to(ROOT)}", flush=True)
    if not args.no_report:
        from bench import report

        report.write(ROOT)
    print("correctness gate:", "PASSED" if record["gate_ok"] else "FAILED", flush=True)
    return 0 if record["gate_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
