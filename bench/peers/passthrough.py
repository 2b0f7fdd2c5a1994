"""The baseline: the textbook aiokafka transactional consume -> produce loop, no processing.

    OMNIROUTE_KAFKA_BOOTSTRAP=... OMNIROUTE_KAFKA_TOPIC_PREFIX=... \
        python -m bench.peers.passthrough GROUP OUT_TOPIC

Reads every intake topic read_committed from the beginning, copies each record to OUT_TOPIC
(same partition), and every 100 ms (the router's default commit interval) commits one
transaction with the outputs and the input offsets. Same batch size as the router (500).
"""

import asyncio
import contextlib
import sys
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.signals import run_until_signal

INTERVAL_S = 0.1
BATCH = 500


async def passthrough(kafka: KafkaSettings, group: str, out: str, stop: asyncio.Event) -> None:
    cons = AIOKafkaConsumer(
        *Topics(kafka.topic_prefix).all_intake(),
        **client_kwargs(kafka),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=BATCH,
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
            batches = await cons.getmany(timeout_ms=100, max_records=BATCH)
            for tp, records in batches.items():
                for r in records:
                    await prod.send(
                        out, r.value, r.key, partition=tp.partition, headers=list(r.headers)
                    )
                offsets[tp] = OffsetAndMetadata(records[-1].offset + 1, "")
            if offsets and time.monotonic() - last >= INTERVAL_S:
                await prod.send_offsets_to_transaction(offsets, group)
                await prod.commit_transaction()
                await prod.begin_transaction()
                offsets, last = {}, time.monotonic()
        if offsets:  # SIGTERM: what was copied is committed, as the router does
            await prod.send_offsets_to_transaction(offsets, group)
            await prod.commit_transaction()
    finally:
        with contextlib.suppress(Exception):  # nothing open after a clean stop
            await prod.abort_transaction()
        await cons.stop()
        await prod.stop()


def main() -> None:
    group, out = sys.argv[1], sys.argv[2]
    run_until_signal(lambda stop: passthrough(KafkaSettings(), group, out, stop))


if __name__ == "__main__":
    main()
