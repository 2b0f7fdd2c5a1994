"""Router state: resident bytes per dedup key and restore time, compact tables vs a plain dict.

    .venv/bin/python bench/state_bench.py            # 1M keys
    .venv/bin/python bench/state_bench.py --keys 10000000
    .venv/bin/python bench/state_bench.py --mix      # also all layers (prints, threads, cases)

Prints figures, asserts nothing (CONTRIBUTING: speed/memory goals are benchmarks). Bytes are
what tracemalloc sees allocated by the structure after restore (numpy reports its buffers to
tracemalloc), cross-checked with the RSS growth. Restore time is timed without tracemalloc.
"""

import argparse
import gc
import os
import random
import struct
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import MessageDraft
from router.state import codec
from router.state.clock import from_ts
from router.state.partition import DedupSettings, PartitionState

Records = list[tuple[bytes, bytes | None]]
_TS = 220_000_000  # seconds since 2020: late 2026


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def uuids(n: int, seed: int) -> Iterator[int]:
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not secrets
    for _ in range(n):
        # uuid5-shaped: random bits with the version and variant bits set, like intake's ids.
        value = uuid.UUID(int=rng.getrandbits(128), version=5)
        yield value.int


def compact_records(n: int, mix: bool) -> Records:
    out: Records = []
    rng = random.Random(7)  # noqa: S311 - reproducible benchmark data, not secrets
    for i, u in enumerate(uuids(n, 1)):
        hi, lo = u >> 64, u & ((1 << 64) - 1)
        ts = _TS + i % 172_800  # two days of traffic: expiry has half of it to drop
        out.append(
            (codec.entry_key(codec.SEEN, hi), codec.entry_value(codec.SEEN, {"ts": ts, "case": hi}))
        )
        if not mix:
            continue
        # A plausible mix: most messages open a case, carry text and one or two thread keys.
        case = {"lo": lo, "ts": ts, "count": 1, "dept": 1}
        out.append((codec.entry_key(codec.CASE, hi), codec.entry_value(codec.CASE, case)))
        if rng.random() < 0.8:
            fp = {
                "ts": ts,
                "cust": rng.getrandbits(63) | 1,
                "lo": lo,
                "fa": rng.getrandbits(64),
                "fb": rng.getrandbits(64),
            }
            out.append((codec.entry_key(codec.PRINT, hi), codec.entry_value(codec.PRINT, fp)))
        for _ in range(1 + (rng.random() < 0.5)):
            key = codec.entry_key(codec.THREAD, rng.getrandbits(63) | 1)
            out.append((key, codec.entry_value(codec.THREAD, {"ts": ts, "case": hi})))
    out.append((codec.department_key(1), b"logistics"))
    return out


def dict_records(n: int) -> Records:
    pack = struct.Struct("<I16s").pack
    case = uuid.uuid4().bytes
    return [(str(uuid.UUID(int=u)).encode(), pack(_TS, case)) for u in uuids(n, 1)]


def restore_compact(records: Records) -> PartitionState:
    state = PartitionState(0, DedupSettings())
    for key, value in records:
        state.restore(key, value)
    len(state)  # merges the buffered records into the tables
    return state


def restore_dict(records: Records) -> dict[str, int]:
    # The plain design: message id -> first-seen time, as a dict restored record by record.
    state: dict[str, int] = {}
    for key, value in records:
        state[key.decode()] = int.from_bytes((value or b"")[:4], "little")
    return state


def restore_dict_with_case(records: Records) -> dict[str, tuple[int, str]]:
    # Same content as the compact exact layer: id -> (first seen, case id).
    state: dict[str, tuple[int, str]] = {}
    for key, value in records:
        raw = value or bytes(20)
        state[key.decode()] = (int.from_bytes(raw[:4], "little"), str(uuid.UUID(bytes=raw[4:])))
    return state


def measure(name: str, records: Records, restore: Callable[[Records], Any], keys: int) -> None:
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    state = restore(records)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    del state
    gc.collect()
    before_rss = rss()
    tracemalloc.start()
    state = restore(records)
    gc.collect()
    traced, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown = rss() - before_rss
    print(
        f"{name:34s} {traced / keys:7.1f} B/key   peak {peak / keys:7.1f} B/key   "
        f"RSS +{grown / keys:7.1f} B/key   restore {seconds:6.2f} s wall, {cpu:6.2f} s CPU "
        f"({len(records) / cpu / 1e6:5.2f} M records/CPU-s)"
    )
    if isinstance(state, PartitionState):
        tables = {
            "exact": state.exact.table,
            "near": state.near.table,
            "thread": state.threads.table,
            "cases": state.cases.table,
        }
        parts = ", ".join(
            f"{k} {len(t):,} rows {t.nbytes / max(len(t), 1):.1f} B/row"
            for k, t in tables.items()
            if len(t)
        )
        print(f"{'':34s} {parts}")
        started = time.perf_counter()
        state.expire(from_ts(_TS + 172_800))
        print(
            f"{'':34s} expire of half the rows: {time.perf_counter() - started:.2f} s, "
            f"{len(state.drain_changes()):,} tombstones"
        )


def measure_apply(n: int) -> None:
    """CPU per message of PartitionState.apply (fingerprint + all layers), messages prebuilt."""
    completer = Completer(IdentityKeyer(b"bench-identity-secret"))
    rng = random.Random(3)  # noqa: S311 - reproducible benchmark data, not secrets
    words = ("parcel", "order", "refund", "broken", "late", "tracking", "invoice", "never")
    start = datetime(2026, 11, 22, tzinfo=UTC)
    messages = []
    texts: dict[int, str] = {}
    for i in range(n):
        who = rng.randrange(max(n // 5, 1))  # ~5 contacts per customer in the window
        text = " ".join(rng.choice(words) for _ in range(rng.randint(4, 40)))
        if who in texts and rng.random() < 0.1:
            text = texts[who]  # the same complaint again, on some channel: a near-duplicate
        texts[who] = text
        cmid = f"m{rng.randrange(i)}" if i and rng.random() < 0.05 else f"m{i}"  # redelivery
        draft = MessageDraft.model_validate(
            {
                "channel": rng.choice(["email", "webchat", "social"]),
                "channel_message_id": cmid,
                "text": text,
                "customer": {
                    "email": f"c{who}@example.com",
                    "order_numbers": [f"A{who}-{rng.randrange(3)}"],
                },
                "thread": {"conversation_id": f"conv{who}-{rng.randrange(4)}"},
            }
        )
        messages.append(completer.complete(draft, "bench", start + timedelta(seconds=i)))
    state = PartitionState(0, DedupSettings())
    cpu = time.process_time()
    verdicts = [state.apply(m, m.received_at) for m in messages]
    cpu = time.process_time() - cpu
    kinds = [v.layer.value if v.layer else v.kind for v in verdicts]
    counts = {k: kinds.count(k) for k in ("new", "thread", "near", "exact")}
    print(f"apply: {cpu / n * 1e6:.0f} us CPU per message over {n:,} messages {counts}")


def calibrate() -> float:
    """CPU seconds of a fixed pure-Python loop: ~0.5 s on an idle 2.5 GHz core. On a shared,
    loaded machine CPU time inflates too; divide the figures by this ratio to compare."""
    cpu = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000, help="dedup keys (messages)")
    parser.add_argument("--mix", action="store_true", help="also restore all layers")
    parser.add_argument("--no-dict", action="store_true", help="skip the dict baselines")
    parser.add_argument("--apply", type=int, default=20_000, help="messages for the apply cost")
    args = parser.parse_args()
    n = args.keys
    print(
        f"{n:,} dedup keys, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.1f}, "
        f"calibration loop {calibrate():.2f} s CPU (idle 2.5 GHz core: ~0.5 s)"
    )
    measure("compact (exact layer)", compact_records(n, mix=False), restore_compact, n)
    if not args.no_dict:
        records = dict_records(n)
        measure("dict[str, int] (id -> ts)", records, restore_dict, n)
        measure("dict[str, (int, str)] (+case id)", records, restore_dict_with_case, n)
    if args.mix:
        records = compact_records(n, mix=True)
        print(f"all layers: {len(records):,} changelog records for {n:,} messages")
        measure("compact (all layers, per message)", records, restore_compact, n)
    if args.apply:
        measure_apply(args.apply)


if __name__ == "__main__":
    main()
