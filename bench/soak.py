"""Soak: steady traffic through real `omniroute intake` and `omniroute router` processes for a
bounded time, with periodic restarts, sampling resident memory, open file descriptors and the
router's lag every interval. Not in CI (CONTRIBUTING: benchmarks print, never assert).

    .venv/bin/python bench/soak.py --minutes 30 --rate 50 --restart-every 10   # the soak
    .venv/bin/python bench/soak.py --minutes 3 --rate 50 --restart-every 1 --interval 20
    OMNIROUTE_KAFKA_BOOTSTRAP=host:port .venv/bin/python bench/soak.py ...  # existing broker

Starts a local broker unless OMNIROUTE_KAFKA_BOOTSTRAP is set; only 127.0.0.1 is contacted.
Restarts alternate between the router and the intake process (SIGTERM, then start again), so
both recovery paths run under load. Each sample prints a line and the summary compares memory
in the first and last third (after the state windows filled): "flat" is what we look for.
Customers repeat (one of `--customers`), so the router's dedup and case state fill up and stay.
The dedup window (OMNIROUTE_DEDUP_WINDOW_S, 24 h in production) is set to `--window-s` (300 s by
default) so the windows fill, and expiry runs, within the run; the memory slope is taken over the
rows after twice that, within each process lifetime (a restart's step is not a leak). At the end
the router must catch up, the exactly-once verifier must pass, and every message answered 2xx
must be on Kafka exactly once.
"""

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

from bench.soak_procs import Proc, free_port, lag_of, start_intake, start_router
from bench.soak_verify import Tally, closing_checks, slope_mib_per_hour
from intake.http.auth import hash_token
from intake.settings import KafkaSettings

TOKEN = "omr_soak-token-000000000000000000000000000"  # noqa: S105 - a local test token


async def drive(base: str, rate: float, customers: int, stop: asyncio.Event, tally: Tally) -> None:
    """Open-loop at `rate` req/s: a slow answer does not slow the offered load down."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        pending: set[asyncio.Task[None]] = set()
        n, started = 0, time.monotonic()
        while not stop.is_set():
            n += 1
            msg_id = f"soak-{uuid.uuid4().hex}"
            body = {
                "channel": "api",
                "channel_message_id": msg_id,
                "text": f"where is my order A-{n % 5000}? it was due last week",
                "customer": {"email": f"customer{n % customers}@example.com"},
            }
            post = session.post(f"{base}/v1/messages", json=body, headers=headers)
            task = asyncio.create_task(_answer(post, msg_id, tally))
            pending.add(task)
            task.add_done_callback(pending.discard)
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        await asyncio.gather(*pending, return_exceptions=True)


async def _answer(post: "aiohttp.client._RequestContextManager", msg_id: str, tally: Tally) -> None:
    try:
        async with post as resp:
            tally.record(str(resp.status), msg_id)
    except (aiohttp.ClientError, TimeoutError):
        tally.record("conn", msg_id)


def sample(procs: dict[str, Proc]) -> dict[str, tuple[float, int, int]]:
    out = {}
    for name, proc in procs.items():
        out[name] = (proc.rss_mib(), proc.fds(), proc.starts)
    return out


async def soak(bootstrap: str, args: argparse.Namespace) -> None:
    env = dict(os.environ)
    prefix, group = f"soak{uuid.uuid4().hex[:6]}", f"soak-router-{uuid.uuid4().hex[:6]}"
    env.update(
        OMNIROUTE_KAFKA_BOOTSTRAP=bootstrap,
        OMNIROUTE_KAFKA_TOPIC_PREFIX=prefix,
        OMNIROUTE_ROUTER_GROUP_ID=group,
        OMNIROUTE_DEDUP_WINDOW_S=str(args.window_s),
        OMNIROUTE_INTAKE_TOKENS=f'[{{"name": "soak", "sha256": "{hash_token(TOKEN)}"}}]',
        OMNIROUTE_LOG_FORMAT="json",
    )
    intake_port, router_port = free_port(), free_port()
    logs = Path(args.logs)
    procs = {
        "intake": start_intake(env, intake_port, logs),
        "router": start_router(env, router_port, logs),
    }
    base = f"http://127.0.0.1:{intake_port}"
    tally = Tally()
    stats = tally.answers
    stop = asyncio.Event()
    driver = asyncio.create_task(drive(base, args.rate, args.customers, stop, tally))
    rows: list[tuple[float, dict[str, tuple[float, int, int]], float | None]] = []
    started = time.monotonic()
    restarts = 0
    print(
        "t_s   intake_rss_mib intake_fds router_rss_mib router_fds router_lag answers", flush=True
    )
    try:
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            await asyncio.sleep(args.interval)
            elapsed = time.monotonic() - started
            row = sample(procs)
            lag = await lag_of(router_port)
            rows.append((elapsed, row, lag))
            print(
                f"{elapsed:5.0f} {row['intake'][0]:14.1f} {row['intake'][1]:10d} "
                f"{row['router'][0]:14.1f} {row['router'][1]:10d} "
                f"{'-' if lag is None else f'{lag:.0f}':>10} {dict(sorted(stats.items()))}",
                flush=True,
            )
            if args.restart_every and elapsed >= (restarts + 1) * args.restart_every * 60:
                name = ("router", "intake")[restarts % 2]
                restarts += 1
                print(f"{elapsed:5.0f} restarting {name}", flush=True)
                await asyncio.to_thread(procs[name].restart)
        stop.set()
        await driver
        summarise(rows, stats, restarts, after_s=2 * args.window_s)
        kafka = KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix)
        ok = await closing_checks(kafka, group, tally.accepted, tally.refused)
        print(f"soak verdict: {'OK' if ok else 'FAILED'}", flush=True)
    finally:
        stop.set()
        await driver
        for proc in procs.values():
            proc.stop()


def _slope_text(late: list[tuple[float, float, int]]) -> str:
    slope = slope_mib_per_hour(late)
    if math.isnan(slope):  # a run shorter than the settle time: nothing to fit
        return "n/a (too few samples after it; run longer)"
    return f"{slope:+.1f} MiB/h (within process lifetimes)"


def summarise(
    rows: list[tuple[float, dict[str, tuple[float, int, int]], float | None]],
    stats: dict[str, int],
    restarts: int,
    after_s: float,
) -> None:
    third = max(1, len(rows) // 3)
    print(f"answers {dict(sorted(stats.items()))}, restarts {restarts}")
    for name in ("intake", "router"):
        first = [r[1][name][0] for r in rows[:third]]
        last = [r[1][name][0] for r in rows[-third:]]
        fds = [r[1][name][1] for r in rows]
        late = [(r[0], r[1][name][0], r[1][name][2]) for r in rows if r[0] >= after_s]
        print(
            f"{name}: rss first third {sum(first) / len(first):.1f} MiB, last third "
            f"{sum(last) / len(last):.1f} MiB, max {max(r[1][name][0] for r in rows):.1f} MiB; "
            f"fds {min(fds)}..{max(fds)}; slope after {after_s:.0f} s {_slope_text(late)}"
        )
    lags = [r[2] for r in rows if r[2] is not None]
    if lags:
        print(f"router lag: max {max(lags):.0f}, last {lags[-1]:.0f} records")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=50, help="requests per second")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument(
        "--window-s", type=int, default=300, help="dedup window (OMNIROUTE_DEDUP_WINDOW_S)"
    )
    parser.add_argument("--interval", type=float, default=60, help="seconds between samples")
    parser.add_argument("--restart-every", type=float, default=10, help="minutes; 0 = never")
    parser.add_argument("--logs", default=tempfile.mkdtemp(prefix="soak-logs-"))
    args = parser.parse_args()
    print(f"soak: {args.minutes} min at {args.rate}/s, {os.cpu_count()} cores, logs {args.logs}")
    existing = os.environ.get("OMNIROUTE_KAFKA_BOOTSTRAP")
    if existing:
        asyncio.run(soak(existing, args))
        return
    from omniroute.localkafka import LocalKafka

    with tempfile.TemporaryDirectory() as tmp, LocalKafka(Path(tmp)) as broker:
        asyncio.run(soak(broker.bootstrap, args))


if __name__ == "__main__":
    main()
