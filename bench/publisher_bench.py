"""Cost of the transactional group-commit publisher against the idempotent one, on a real broker.

    .venv/bin/python bench/publisher_bench.py                    # starts a local broker
    OMNIROUTE_KAFKA_BOOTSTRAP=host:port .venv/bin/python bench/publisher_bench.py
    .venv/bin/python bench/publisher_bench.py --sequential 300 --concurrent 32 --requests 3000

Per mode: latency of one-message publishes sent one after another (p50/p99: the cost a lone
adapter sees) and throughput with `--concurrent` publishers in flight (group commit shares one
transaction among them). Prints figures, asserts nothing (CONTRIBUTING: benchmarks print).
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.admin import ensure_topics
from intake.message import Channel, Message
from intake.publisher import Publisher
from intake.publishing import PublisherSettings, open_publisher
from intake.settings import KafkaSettings
from intake.topics import Topics


def message(n: int, run: str) -> Message:
    return Message(
        channel=Channel.API,
        channel_message_id=f"{run}-{n}",
        id=f"{run}-{n}",
        source="bench",
        received_at=datetime.now(UTC),
        routing_key=f"customer-{n % 997}",
        text="where is my parcel? order 4711 was due on Monday " * 4,
    )


async def sequential(pub: Publisher, count: int, run: str) -> list[float]:
    times = []
    for n in range(count):
        started = time.perf_counter()
        await pub.publish([message(n, run)])
        times.append(time.perf_counter() - started)
    return times


async def concurrent(pub: Publisher, workers: int, total: int, run: str) -> float:
    counter = iter(range(total))

    async def worker() -> None:
        for n in counter:
            await pub.publish([message(n, run)])

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return total / (time.perf_counter() - started)


async def bench(kafka: KafkaSettings, args: argparse.Namespace) -> None:
    await ensure_topics(kafka, Topics(kafka.topic_prefix).specs(["triage"], partitions=6))
    for mode in args.modes:
        settings = PublisherSettings(publisher=mode)
        async with open_publisher(kafka, "bench", 30.0, settings) as pub:
            await sequential(pub, 20, f"warm-{mode}")  # connections, metadata, first txn
            lat = sorted(await sequential(pub, args.sequential, f"seq-{mode}-{uuid.uuid4()}"))
            rate = await concurrent(pub, args.concurrent, args.requests, f"con-{mode}")
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        print(
            f"{mode:>13}: sequential p50 {p50:6.1f} ms  p99 {p99:6.1f} ms | "
            f"{args.concurrent} concurrent: {rate:7.0f} msg/s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--modes", nargs="+", default=["idempotent", "transactional"], metavar="MODE"
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    existing = os.environ.get("OMNIROUTE_KAFKA_BOOTSTRAP")
    if existing:
        asyncio.run(bench(KafkaSettings(bootstrap=existing, topic_prefix=prefix), args))
        return
    from omniroute.localkafka import LocalKafka

    with tempfile.TemporaryDirectory() as tmp, LocalKafka(Path(tmp)) as broker:
        kafka = KafkaSettings(bootstrap=broker.bootstrap, topic_prefix=prefix)
        asyncio.run(bench(kafka, args))


if __name__ == "__main__":
    main()
