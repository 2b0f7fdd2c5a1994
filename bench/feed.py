"""Writing the mix to Kafka directly (the backlog for drain runs) and the VIP directory.

Drafts are completed exactly as intake completes them (`intake.complete.Completer`: message id,
keyed routing key), so a preloaded backlog is byte-for-byte what the HTTP path would have
written, minus the receive time.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka.partitioner import murmur2

from bench.mix import Item, MixSpec, customer_id, vip_customers
from intake import serde
from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.kafka import durable_producer, start_producer
from intake.message import Customer, MessageDraft
from intake.publisher import message_headers
from intake.settings import KafkaSettings
from intake.topics import Topics

# intake's default identity secret: the bench intake process runs with it too, so keys match.
SECRET = b"omniroute-development-identity-secret"


@dataclass(frozen=True, slots=True)
class Out:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def keyer() -> IdentityKeyer:
    return IdentityKeyer(SECRET, "US")


def complete(items: Iterable[Item], topics: Topics) -> list[Out]:
    completer = Completer(keyer())
    out = []
    for item in items:
        message = completer.complete(MessageDraft.model_validate(item.draft), source="bench")
        key = message.routing_key.encode()
        headers = message_headers(message)
        out.append(Out(topics.intake(message.channel), key, serde.dumps(message), headers))
    return out


def directory(spec: MixSpec, topics: Topics) -> list[Out]:
    """VIP customers as `omniroute.customers` records (identity HMACs only, tier vip)."""
    k = keyer()
    out = []
    for n in vip_customers(spec):
        cid = customer_id(n)
        keys = k.identity_keys("default", Customer(customer_id=cid, email=f"{cid}@example.com"))
        record = {"customer_id": cid, "tenant": "default", "identity_keys": keys, "tier": "vip"}
        out.append(Out(topics.customers, cid.encode(), serde.dumps_obj(record), []))
    return out


def partition_of(key: bytes, partitions: int) -> int:
    # Kafka's default partitioner (murmur2), which intake's producer uses too.
    hashed: int = murmur2(key)
    return (hashed & 0x7FFFFFFF) % partitions


async def write(kafka: KafkaSettings, records: list[Out], partitions: int) -> None:
    """Large per-partition batches, idempotent and acks=all: the backlog is in place (and
    committed) before any contender starts."""
    producer = durable_producer(kafka, f"bench-feed-{uuid.uuid4().hex[:6]}", linger_ms=20)
    await start_producer(producer, kafka.connect_timeout_s)
    batches: dict[tuple[str, int], Any] = {}
    futures = []
    try:
        for r in records:
            slot = (r.topic, partition_of(r.key, partitions))
            batch = batches.get(slot)
            if batch is None:
                batch = batches[slot] = producer.create_batch()
            if batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:
                futures.append(await producer.send_batch(batch, slot[0], partition=slot[1]))
                batch = batches[slot] = producer.create_batch()
                batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers)
        for (topic, partition), batch in batches.items():
            futures.append(await producer.send_batch(batch, topic, partition=partition))
        for future in futures:
            await future
    finally:
        await producer.stop()
