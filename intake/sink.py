"""The sink every connector delivers into: complete drafts, publish them, keep bad input.

`deliver` returns only after Kafka acknowledged every record, so a connector may then ack its
upstream (HTTP 2xx, SMTP 250, IMAP flag, CDR checkpoint); on `KafkaUnavailable` it must not.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from intake.complete import Completer
from intake.deadletter import DeadLetter
from intake.identity import IdentityKeyer
from intake.kafka import durable_producer, start_producer
from intake.message import Message, MessageDraft
from intake.publisher import Ack, Publisher
from intake.settings import KafkaSettings
from intake.topics import Topics


class Sink:
    def __init__(self, completer: Completer, publisher: Publisher) -> None:
        self.completer = completer
        self.publisher = publisher

    def complete(
        self, drafts: list[MessageDraft], source: str, now: datetime | None = None
    ) -> list[Message]:
        return [self.completer.complete(d, source=source, now=now) for d in drafts]

    async def deliver(self, drafts: list[MessageDraft], source: str) -> list[Ack]:
        if not drafts:
            return []
        return await self.publisher.publish(self.complete(drafts, source))

    async def deadletter(self, record: DeadLetter) -> None:
        await self.publisher.publish_deadletter(record)


@asynccontextmanager
async def open_sink(
    kafka: KafkaSettings,
    *,
    name: str,
    identity_secret: bytes,
    default_region: str = "US",
    ack_timeout_s: float = 10.0,
) -> AsyncIterator[Sink]:
    """A sink with its own durable producer, for pull connectors running outside the HTTP app."""
    producer = durable_producer(kafka, name)
    await start_producer(producer, kafka.connect_timeout_s)
    try:
        publisher = Publisher(producer, Topics(kafka.topic_prefix), ack_timeout_s)
        yield Sink(Completer(IdentityKeyer(identity_secret, default_region)), publisher)
    finally:
        await producer.stop()
