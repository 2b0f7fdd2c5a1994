"""Restore through Kafka: N dedup keys written to one changelog partition in transactions, then
restored by the router's own take-over path (Restorer, read_committed, up to the last stable
offset) into a PartitionState. Prints restore seconds, keys/s and resident bytes per key.

    .venv/bin/python bench/restore_bench.py [--keys 1000000]   (or via router_bench.py)
"""

import argparse
import asyncio
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.admin import ensure_topics
from intake.settings import KafkaSettings
from intake.topics import Topics, TopicSpec
from router.eos.record import Record
from router.eos.restore import Restorer
from router.eos.transactions import PartitionProducer
from router.state import codec
from router.state.partition import DedupSettings, PartitionState

_TS = 220_000_000  # seconds since 2020: late 2026
_PER_TXN = 20_000


def changelog(n: int) -> list[tuple[bytes, bytes]]:
    """What the exact-duplicate layer writes per message id: its upper 64 bits, time, case."""
    rng = random.Random(7)  # noqa: S311 - reproducible data
    out = []
    for i in range(n):
        hi = uuid.UUID(int=rng.getrandbits(128), version=5).int >> 64
        value = codec.entry_value(codec.SEEN, {"ts": _TS + i % 86_400, "case": hi})
        out.append((codec.entry_key(codec.SEEN, hi), value))
    return out


async def write(kafka: KafkaSettings, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = PartitionProducer(kafka, f"{kafka.topic_prefix}-writer", 0, 600_000)
    await producer.start([topic])
    try:
        for i in range(0, len(records), _PER_TXN):
            chunk = records[i : i + _PER_TXN]
            await producer.commit([Record(topic, k, v, [], 0) for k, v in chunk], {})
    finally:
        await producer.close()


async def state_figures(kafka: KafkaSettings, keys: int) -> None:
    # Its own changelog topic: the router benchmark before it filled the usual one.
    topic = f"{Topics(kafka.topic_prefix).router_state}.bench"
    await ensure_topics(kafka, [TopicSpec(topic, 1, compacted=True)])
    records = changelog(keys)
    started = time.monotonic()
    await write(kafka, topic, records)
    print(f"changelog: {keys} keys written in {time.monotonic() - started:.1f}s")
    del records
    state = PartitionState(0, DedupSettings())
    started = time.monotonic()
    count = await Restorer(kafka, topic, 3600).restore([0], lambda _, k, v: state.restore(k, v))
    entries = len(state)  # merges the restored records into the tables
    elapsed = time.monotonic() - started
    print(f"restore of {count} changelog records ({entries} keys): {elapsed:.1f}s")
    per_key = state.resident_bytes() / max(entries, 1)
    print(f"  = {entries / elapsed:,.0f} keys/s; resident {per_key:.1f} B/key")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--bootstrap", required=True)
    args = parser.parse_args()
    prefix = f"restore{uuid.uuid4().hex[:6]}"
    kafka = KafkaSettings(bootstrap=args.bootstrap, topic_prefix=prefix)
    asyncio.run(state_figures(kafka, args.keys))


if __name__ == "__main__":
    main()
