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
must be on Kafka exactly once. A finished run is recorded in bench/results/<stamp>Z.soak.json
and BENCHMARKS.md is regenerated with it (--no-record: neither).
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

from bench import machine, report, soak_record
from bench.soak_procs import Proc, free_port, lag_of, start_intake, start_router
from bench.soak_record import Sample, SoakRecord, summarise, summary_lines
from bench.soak_verify import Tally, closing_checks
from intake.http.auth import hash_token
from intake.settings import KafkaSettings

ROOT = Path(__file__).resolve().parents[1]
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


def sample(
    procs: dict[str, Proc], t_s: float, lag: float | None, answers: dict[str, int]
) -> Sample:
    return Sample(
        t_s=round(t_s, 1),
        rss_mib={name: proc.rss_mib() for name, proc in procs.items()},
        fds={name: proc.fds() for name, proc in procs.items()},
        lifetime={name: proc.starts for name, proc in procs.items()},
        lag=lag,
        answers=dict(sorted(answers.items())),
    )


def print_sample(s: Sample) -> None:
    lag = "-" if s.lag is None else f"{s.lag:.0f}"
    print(
        f"{s.t_s:5.0f} {s.rss_mib['intake']:14.1f} {s.fds['intake']:10d} "
        f"{s.rss_mib['router']:14.1f} {s.fds['router']:10d} {lag:>10} {s.answers}",
        flush=True,
    )


async def soak(bootstrap: str, args: argparse.Namespace, record: SoakRecord) -> None:
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
    stop = asyncio.Event()
    driver = asyncio.create_task(drive(base, args.rate, args.customers, stop, tally))
    started = time.monotonic()
    print(
        "t_s   intake_rss_mib intake_fds router_rss_mib router_fds router_lag answers", flush=True
    )
    try:
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            await asyncio.sleep(args.interval)
            elapsed = time.monotonic() - started
            row = sample(procs, elapsed, await lag_of(router_port), tally.answers)
            record.samples.append(row)
            print_sample(row)
            restarts = len(record.restarts)
            if args.restart_every and elapsed >= (restarts + 1) * args.restart_every * 60:
                name = ("router", "intake")[restarts % 2]
                record.restarts.append((round(elapsed, 1), name))
                print(f"{elapsed:5.0f} restarting {name}", flush=True)
                await asyncio.to_thread(procs[name].restart)
        stop.set()
        await driver
        record.summary = summarise(record.samples, after_s=2 * args.window_s)
        record.summary["answers"] = dict(sorted(tally.answers.items()))
        print(f"answers {record.summary['answers']}, restarts {len(record.restarts)}")
        print("\n".join(summary_lines(record.summary)))
        kafka = KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix)
        record.checks = await closing_checks(kafka, group, tally.accepted, tally.refused)
        print(f"soak verdict: {'OK' if record.ok else 'FAILED'}", flush=True)
    finally:
        stop.set()
        await driver
        for proc in procs.values():
            proc.stop()


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
    parser.add_argument(
        "--no-record", action="store_true", help="do not write bench/results/*.soak.json"
    )
    args = parser.parse_args()
    print(f"soak: {args.minutes} min at {args.rate}/s, {os.cpu_count()} cores, logs {args.logs}")
    settings = {k: v for k, v in vars(args).items() if k not in ("logs", "no_record")}
    command = "python -m bench.soak " + " ".join(
        f"--{k.replace('_', '-')} {v:g}" for k, v in settings.items()
    )
    record = SoakRecord(command, settings, machine.describe(), machine.load())
    existing = os.environ.get("OMNIROUTE_KAFKA_BOOTSTRAP")
    if existing:
        record.machine["kafka"] = f"existing cluster at {existing}"
        asyncio.run(soak(existing, args, record))
    else:
        from omniroute.localkafka import LocalKafka

        with tempfile.TemporaryDirectory() as tmp, LocalKafka(Path(tmp)) as broker:
            asyncio.run(soak(broker.bootstrap, args, record))
    record.load_after = machine.load()
    if record.checks and not args.no_record:  # a run cut short records nothing
        print(f"recorded in {soak_record.write(ROOT, record)}; {report.write(ROOT)} regenerated")


if __name__ == "__main__":
    main()
