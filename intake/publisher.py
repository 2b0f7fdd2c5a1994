"""Publishing completed messages to their intake topic, acknowledging only after Kafka did."""

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import RecordMetadata

from intake import serde
from intake.deadletter import DeadLetter
from intake.errors import KafkaUnavailable
from intake.headers import TYPE_MESSAGE, Headers, cloudevent_headers
from intake.message import Message
from intake.topics import Topics


@dataclass(frozen=True, slots=True)
class Ack:
    """Where Kafka stored a record; returned to adapters so they can audit delivery."""

    message_id: str
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record to write. `message_id` names it in the Ack ("" for records, like
    deadletters, that carry no exactly-once promise)."""

    message_id: str
    topic: str
    key: bytes | None
    value: bytes
    headers: Headers


def message_headers(message: Message) -> Headers:
    return cloudevent_headers(
        event_id=message.id,
        source=f"/omniroute/intake/{message.source}",
        event_type=TYPE_MESSAGE,
        time=message.received_at,
    )


class Publisher:
    """Sends messages and waits for the broker's acknowledgement with a bounded wait
    (idempotent producer; `intake.txn_publisher.TxnPublisher` is the transactional variant).

    A timed-out send may still be written later by the producer's retries; the caller reports
    failure (503) and the sender retries with the same channel message id, which yields the
    same message id, so the router's exact-dedup layer absorbs the possible second copy (the
    intake topic then holds two). The transactional publisher closes that gap.
    """

    def __init__(self, producer: AIOKafkaProducer, topics: Topics, ack_timeout_s: float) -> None:
        self._producer = producer
        self._topics = topics
        self._timeout = ack_timeout_s

    async def publish(self, messages: list[Message]) -> list[Ack]:
        return await self.publish_records([outgoing(m, self._topics) for m in messages])

    async def publish_records(self, records: list[Outgoing]) -> list[Ack]:
        """Any records (messages, lifecycle events) with the same guarantee as messages."""
        try:
            async with asyncio.timeout(self._timeout):
                futures = [await self._send(r) for r in records]
                metas: list[RecordMetadata] = await asyncio.gather(*futures)
        except (KafkaError, TimeoutError) as exc:
            raise KafkaUnavailable(f"Kafka did not acknowledge: {type(exc).__name__}") from exc
        return [
            Ack(r.message_id, meta.topic, meta.partition, meta.offset)
            for r, meta in zip(records, metas, strict=True)
        ]

    async def publish_deadletter(self, record: DeadLetter) -> None:
        """Deadletters have no key: they are not per-customer, and a bad record may not even
        have a readable customer."""
        try:
            async with asyncio.timeout(self._timeout):
                await self._producer.send_and_wait(
                    self._topics.deadletter, value=record.to_bytes(), headers=record.headers()
                )
        except (KafkaError, TimeoutError) as exc:
            raise KafkaUnavailable(f"deadletter not acknowledged: {type(exc).__name__}") from exc

    async def check(self) -> None:
        """Readiness: cluster metadata can be fetched (raises otherwise)."""
        await self._producer.client.fetch_all_metadata()

    async def close(self) -> None:
        await self._producer.stop()

    async def _send(self, record: Outgoing) -> "asyncio.Future[RecordMetadata]":
        fut: asyncio.Future[RecordMetadata] = await self._producer.send(
            record.topic, value=record.value, key=record.key, headers=record.headers
        )
        return fut


def outgoing(message: Message, topics: Topics) -> Outgoing:
    return Outgoing(
        message.id,
        topics.intake(message.channel),
        message.routing_key.encode(),
        serde.dumps(message),
        message_headers(message),
    )
