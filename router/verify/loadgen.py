"""Load generator for the exactly-once tests and the router benchmark.

Writes `messages` intake records, each with a unique sequence number (`lg_seq`), keyed by
customer with Kafka's default partitioner (as intake does), so one customer shares partition
number p across the five intake topics. A known share are exact duplicates (a redelivery: same
message id), near-duplicates (same customer and text, new channel id), auto-replies/bounces
(recorded, never dispatched) and poison records (not JSON: deadletter).
"""

import hashlib
import itertools
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka.partitioner import murmur2

from intake.complete import message_id
from intake.kafka import durable_producer, start_producer
from intake.message import Channel
from intake.settings import KafkaSettings
from intake.topics import Topics

TEXTS = [
    "Where is my parcel? Tracking has not updated for five days.",
    "I want a refund for order 10023, the shoes were too small.",
    "I was charged twice for the same order, please fix the payment.",
    "Please cancel my order before it ships.",
    "My blender stopped working after two weeks, is it under warranty?",
    "The courier was rude and left the package in the rain. Complaint!",
    "How do I reset my account password?",
    "我的快递三天了还没到，请帮我查一下物流",
    "Hello, just a question about sizes.",
]


@dataclass(frozen=True)
class LoadSpec:
    messages: int = 50_000
    customers: int = 3_000
    duplicate_share: float = 0.05
    near_duplicate_share: float = 0.05
    not_routed_share: float = 0.02
    poison_share: float = 0.01
    seed: int = 7


@dataclass(frozen=True)
class Loaded:
    records: int
    per_kind: dict[str, int]


def _partition(key: bytes, partitions: int) -> int:
    # Kafka's default partitioner (murmur2), which intake's producer uses too.
    hashed: int = murmur2(key)
    return (hashed & 0x7FFFFFFF) % partitions


def generate(
    spec: LoadSpec, topics: Topics, partitions: int
) -> Iterator[tuple[str, int, bytes, bytes, str]]:
    """(topic, partition, key, value, kind) for every record, in write order."""
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible test data, not secrets
    base = datetime(2026, 11, 1, tzinfo=UTC)
    channels = list(Channel)
    earlier: list[dict[str, object]] = []
    for seq in range(spec.messages):
        roll = rng.random()
        kind = "message"
        if earlier and roll < spec.duplicate_share:
            msg, kind = dict(rng.choice(earlier[-500:])), "duplicate"
        elif earlier and roll < spec.duplicate_share + spec.near_duplicate_share:
            msg, kind = dict(rng.choice(earlier[-500:])), "near_duplicate"
            msg["channel_message_id"] = f"lg-{seq}"
            msg["id"] = message_id("default", str(msg["channel"]), f"lg-{seq}")
        else:
            msg = _message(rng, seq, channels, spec.customers)
            earlier.append(msg)
        msg["metadata"] = {"lg_seq": seq}
        msg["received_at"] = (base + timedelta(milliseconds=seq)).isoformat()
        key = str(msg["routing_key"]).encode()
        topic = topics.intake(str(msg["channel"]))
        if kind == "message" and roll > 1 - spec.poison_share:
            value, kind = b'{"lg_seq": %d, "poison": ' % seq + rng.randbytes(16), "poison"
        elif kind == "message" and roll > 1 - spec.poison_share - spec.not_routed_share:
            msg["kind"] = rng.choice(["auto_reply", "bounce"])
            value, kind = orjson.dumps(msg), "not_routed"
        else:
            value = orjson.dumps(msg)
        yield topic, _partition(key, partitions), key, value, kind


def _message(
    rng: random.Random, seq: int, channels: list[Channel], customers: int
) -> dict[str, object]:
    customer = rng.randrange(customers)
    channel = rng.choice(channels).value
    return {
        "schema_version": "1",
        "channel": channel,
        "channel_message_id": f"lg-{seq}",
        "kind": "message",
        "tenant": "default",
        "customer": {"customer_id": f"cust-{customer}"},
        # A reference number per message: only the generated (near-)duplicates repeat content.
        "text": f"{rng.choice(TEXTS)} (ref {seq})",
        "id": message_id("default", channel, f"lg-{seq}"),
        "source": "loadgen",
        "routing_key": hashlib.sha256(f"cust-{customer}".encode()).hexdigest()[:32],
    }


async def produce(
    kafka: KafkaSettings, spec: LoadSpec, partitions: int, first: int = 0, count: int | None = None
) -> Loaded:
    """Write the load (or `count` records of it from sequence number `first`: a run that grows
    in phases) in large per-partition batches (idempotent, acks=all)."""
    topics = Topics(kafka.topic_prefix)
    stop = spec.messages if count is None else min(first + count, spec.messages)
    # The whole sequence is generated every time: duplicates refer back to earlier messages.
    load = itertools.islice(generate(spec, topics, partitions), first, stop)
    producer = durable_producer(kafka, f"loadgen-{uuid.uuid4().hex[:6]}", linger_ms=20)
    await start_producer(producer, kafka.connect_timeout_s)
    per_kind: dict[str, int] = defaultdict(int)
    batches: dict[tuple[str, int], Any] = {}
    futures = []
    count = 0
    try:
        for topic, partition, key, value, kind in load:
            per_kind[kind] += 1
            count += 1
            batch = batches.get((topic, partition))
            if batch is None:
                batch = batches[(topic, partition)] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None) is None:  # batch full
                futures.append(await producer.send_batch(batch, topic, partition=partition))
                batch = batches[(topic, partition)] = producer.create_batch()
                batch.append(key=key, value=value, timestamp=None)
        for (topic, partition), batch in batches.items():
            futures.append(await producer.send_batch(batch, topic, partition=partition))
        for future in futures:
            await future
    finally:
        await producer.stop()
    return Loaded(count, dict(per_kind))
