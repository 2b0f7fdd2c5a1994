"""Router throughput (dedup + exactly-once) against a plain aiokafka transactional pass-through,
on the same topics and data in the same run; then state bytes per key and restore time.

    .venv/bin/python bench/router_bench.py [--messages 50000] [--keys 1000000]

Uses OMNIROUTE_KAFKA_BOOTSTRAP if set, else starts an embedded broker in a temporary directory.
Both contenders read the same intake records from the beginning under their own consumer group,
commit a transaction every commit interval (100 ms) with the input offsets in it, and are timed
from start to the moment their group's committed offsets reach the end of the intake topics.
The ratio router / pass-through is the figure that matters; absolute rates depend on the box.
"""

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from prometheus_client import CollectorRegistry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.restore_bench import state_figures
from intake.admin import ensure_topics
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics, TopicSpec
from router.pipeline import Source
from router.runner import Runner
from router.service import build_runner
from router.settings import RouterSettings
from router.verify import Rec, read_all, verify, wait_caught_up
from router.verify.loadgen import LoadSpec, produce

PARTITIONS = 6
INTERVAL_S = 0.1


async def passthrough(kafka: KafkaSettings, group: str, out: str, stop: asyncio.Event) -> None:
    """The textbook loop: poll, copy each record, every interval commit offsets + outputs."""
    topics = Topics(kafka.topic_prefix)
    cons = AIOKafkaConsumer(
        *topics.all_intake(),
        **client_kwargs(kafka),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=500,
    )
    prod = AIOKafkaProducer(
        **client_kwargs(kafka),
        transactional_id=f"{group}-tx",
        acks="all",
        linger_ms=5,
        max_batch_size=512 * 1024,
    )
    await prod.start()
    await cons.start()
    offsets: dict[TopicPartition, OffsetAndMetadata] = {}
    last = time.monotonic()
    await prod.begin_transaction()
    try:
        while not stop.is_set():
            batches = await cons.getmany(timeout_ms=100, max_records=500)
            for tp, records in batches.items():
                for r in records:
                    await prod.send(out, r.value, r.key, partition=tp.partition)
                offsets[tp] = OffsetAndMetadata(records[-1].offset + 1, "")
            if offsets and time.monotonic() - last >= INTERVAL_S:
                await prod.send_offsets_to_transaction(offsets, group)
                await prod.commit_transaction()
                await prod.begin_transaction()
                offsets, last = {}, time.monotonic()
    finally:
        with contextlib.suppress(Exception):
            await prod.abort_transaction()
        await cons.stop()
        await prod.stop()


async def timed(kafka: KafkaSettings, group: str, run: asyncio.Task[None], total: int) -> float:
    started = time.monotonic()
    try:
        await wait_caught_up(kafka, group, Topics(kafka.topic_prefix).all_intake(), 1800)
    finally:
        if run.done():
            run.result()
    return total / (time.monotonic() - started)


def pipeline_alone(runner: Runner, inputs: list[Rec]) -> float:
    """The router's CPU ceiling: the same records through the same pipeline and dedup state,
    no Kafka at all. router / this = what exactly-once and Kafka I/O cost on top."""
    states = {p: runner.state_factory(p) for p in range(PARTITIONS)}
    started = time.perf_counter()
    for r in inputs:
        source = Source(r.topic, r.partition, r.offset)
        runner.pipeline.process_raw(r.value or b"", source, states[r.partition])
    return len(inputs) / (time.perf_counter() - started)


async def bench(kafka: KafkaSettings, messages: int, keys: int, config: Path | None) -> None:
    topics = Topics(kafka.topic_prefix)
    settings = RouterSettings(
        group_id=f"{kafka.topic_prefix}-router", http_port=0, config_path=config
    )
    runner = build_runner(settings, kafka, CollectorRegistry())
    departments = runner.pipeline.classifier.config.all_departments()
    out = f"{kafka.topic_prefix}.bench.passthrough"
    specs = [*topics.specs(departments, PARTITIONS), TopicSpec(out, PARTITIONS)]
    await ensure_topics(kafka, specs)
    loaded = await produce(kafka, LoadSpec(messages=messages), PARTITIONS)
    print(f"intake: {loaded.records} records {loaded.per_kind}")
    print(f"routing config: {config or 'built-in default'}; commit interval {INTERVAL_S}s")

    stop = asyncio.Event()
    group = f"{kafka.topic_prefix}-passthrough"
    task = asyncio.create_task(passthrough(kafka, group, out, stop))
    plain = await timed(kafka, group, task, loaded.records)
    stop.set()
    await task
    print(f"pass-through (aiokafka transactional consume->produce): {plain:8.0f} msg/s")

    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    routed = await timed(kafka, settings.group_id, task, loaded.records)
    stop.set()
    await task
    print(f"router (dedup + exactly-once):                          {routed:8.0f} msg/s")
    print(f"ratio router / pass-through:                            {routed / plain:8.2f}")
    inputs = await read_all(kafka, topics.all_intake(), values=True)
    alone = pipeline_alone(runner, inputs)
    print(f"pipeline + dedup alone, no Kafka (CPU ceiling):         {alone:8.0f} msg/s")
    print(f"router / pipeline alone (exactly-once + I/O overhead):  {routed / alone:8.2f}")
    report = await verify(kafka, topics, departments, loaded.records)
    print(f"verifier: {'OK' if report.ok else 'FAILED'}: {report.summary()}")
    if keys:
        await state_figures(kafka, keys)


@contextlib.contextmanager
def broker() -> Iterator[str]:
    existing = os.environ.get("OMNIROUTE_KAFKA_BOOTSTRAP")
    if existing:
        yield existing
        return
    from omniroute.localkafka import LocalKafka

    with tempfile.TemporaryDirectory(prefix="router-bench-") as tmp, LocalKafka(Path(tmp)) as k:
        yield k.bootstrap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=1_000_000, help="0 skips the state figures")
    parser.add_argument("--config", type=Path, help="routing YAML (default: the built-in one)")
    args = parser.parse_args()
    with broker() as bootstrap:
        prefix = f"bench{uuid.uuid4().hex[:6]}"
        kafka = KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix, partitions=PARTITIONS)
        asyncio.run(bench(kafka, args.messages, args.keys, args.config))


if __name__ == "__main__":
    main()
