"""A transaction's records as whole batches, one per (topic, partition).

aiokafka's `send` costs tens of microseconds per record (a coroutine, size estimate, pure-Python
partitioner, per-record future); appending to a `BatchBuilder` costs a few. The router knows
every record of a transaction at commit time, so it partitions them itself (Kafka's default
partitioner, see `partitioner`) and hands over complete batches.
"""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError

from router.eos.partitioner import partition_for
from router.eos.record import Record


async def send_batched(
    producer: AIOKafkaProducer,
    records: Sequence[Record],
    partitions: Mapping[str, int],
    keyless_partition: int,
) -> list["asyncio.Future[Any]"]:
    """Queue every record; returns the batches' delivery futures."""
    batches: dict[tuple[str, int], Any] = {}
    futures = []
    for r in records:
        if r.partition is not None:
            partition = r.partition
        elif r.key is None:
            partition = keyless_partition
        else:
            partition = partition_for(r.key, partitions[r.topic])
        slot = (r.topic, partition)
        batch = batches.get(slot)
        if batch is None:
            batch = batches[slot] = producer.create_batch()
        if batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:
            futures.append(await producer.send_batch(batch, r.topic, partition=partition))
            batch = batches[slot] = producer.create_batch()
            if batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:
                raise MessageSizeTooLargeError(f"a record for {r.topic} exceeds the batch size")
    for (topic, partition), batch in batches.items():
        futures.append(await producer.send_batch(batch, topic, partition=partition))
    return futures
