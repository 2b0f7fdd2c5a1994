"""Reading the customer directory from its compacted topic on a real broker: `open_topic` must
find every partition of the topic (a consumer without a subscription has no metadata of it)."""

import uuid

import pytest
from aiokafka import AIOKafkaProducer

from intake import serde
from intake.directory import Directory, DirectoryRecord
from intake.directory_load import open_topic, read_to_end
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics

pytestmark = pytest.mark.integration


def _record(n: int) -> DirectoryRecord:
    return DirectoryRecord(
        customer_id=f"c{n}", identity_keys=(uuid.uuid4().hex,), tier="vip" if n else "standard"
    )


async def test_open_topic_reads_every_partition(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    records = [_record(n) for n in range(3)]
    producer = AIOKafkaProducer(**client_kwargs(kafka_settings), acks="all")
    await producer.start()
    try:
        for partition, record in enumerate(records):  # one per partition: none may be missed
            await producer.send_and_wait(
                topics.customers,
                serde.dumps(record),
                key=record.customer_id.encode(),
                partition=partition,
            )
    finally:
        await producer.stop()

    directory = Directory()
    cons, partitions = await open_topic(kafka_settings, topics.customers)
    try:
        read = await read_to_end(directory, cons, partitions)
    finally:
        await cons.stop()

    assert sorted(tp.partition for tp in partitions) == [0, 1, 2]
    assert read == 3
    for record in records:
        assert directory.get(record.identity_keys[0]) == record


async def test_open_topic_on_a_missing_topic_finds_no_partitions(
    kafka_settings: KafkaSettings,
) -> None:
    cons, partitions = await open_topic(kafka_settings, f"{kafka_settings.topic_prefix}.absent")
    try:
        assert partitions == []
        assert await read_to_end(Directory(), cons, partitions) == 0
    finally:
        await cons.stop()
