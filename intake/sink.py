"""The sink every connector delivers into: complete drafts, publish them, keep bad input.

`deliver` returns only after Kafka acknowledged every record, so a connector may then ack its
upstream (HTTP 2xx, SMTP 250, IMAP flag, CDR checkpoint); on `KafkaUnavailable` it must not.
"""

from datetime import datetime

from intake.complete import Completer
from intake.deadletter import DeadLetter
from intake.message import Message, MessageDraft
from intake.publisher import Ack, Publisher


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
