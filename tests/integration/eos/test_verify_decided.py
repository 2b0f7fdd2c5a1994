"""The verifier waits for undecided transactions on the output topics before it reads them
(router/verify/decided.py): an open transaction keeps it waiting, its commit lets it go."""

import uuid

import pytest
from aiokafka import AIOKafkaProducer

from intake.errors import KafkaUnavailable
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.verify.decided import wait_decided


async def test_an_open_transaction_is_waited_for_until_it_commits(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    producer = AIOKafkaProducer(
        **client_kwargs(kafka_settings),
        transactional_id=f"decided-{uuid.uuid4().hex[:8]}",
        acks="all",
    )
    await producer.start()
    try:
        await wait_decided(kafka_settings, [topics.deadletter], 30.0)  # nothing written yet
        await producer.begin_transaction()
        await (await producer.send(topics.deadletter, b"undecided", partition=1))
        with pytest.raises(KafkaUnavailable, match="undecided"):
            await wait_decided(kafka_settings, [topics.deadletter], 2.0)
        await producer.commit_transaction()
        await wait_decided(kafka_settings, [topics.deadletter], 30.0)
    finally:
        await producer.stop()
