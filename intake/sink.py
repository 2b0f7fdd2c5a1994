"""The sink every connector delivers into: complete drafts, publish them, keep bad input.

`deliver` returns only after Kafka acknowledged every record, so a connector may then ack its
upstream (HTTP 2xx, SMTP 250, IMAP flag, CDR checkpoint); on `KafkaUnavailable` it must not.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from prometheus_client import CollectorRegistry

from intake.complete import Completer
from intake.deadletter import DeadLetter
from intake.errors import KafkaUnavailable
from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft
from intake.metrics import IntakeMetrics, Outcome
from intake.publisher import Ack, Publisher
from intake.publishing import open_publisher
from intake.settings import KafkaSettings


class Sink:
    """With `metrics`, deliveries are counted here (pull connectors); HTTP handlers count their
    own outcomes and get a sink without metrics, so nothing is counted twice."""

    def __init__(
        self, completer: Completer, publisher: Publisher, metrics: IntakeMetrics | None = None
    ) -> None:
        self.completer = completer
        self.publisher = publisher
        self.metrics = metrics

    def complete(
        self, drafts: list[MessageDraft], source: str, now: datetime | None = None
    ) -> list[Message]:
        return [self.completer.complete(d, source=source, now=now) for d in drafts]

    async def deliver(self, drafts: list[MessageDraft], source: str) -> list[Ack]:
        if not drafts:
            return []
        try:
            acks = await self.publisher.publish(self.complete(drafts, source))
        except KafkaUnavailable:
            self._count(drafts, Outcome.UNAVAILABLE)
            raise
        self._count(drafts, Outcome.ACCEPTED)
        return acks

    def _count(self, drafts: list[MessageDraft], outcome: Outcome) -> None:
        if self.metrics is not None:
            for draft in drafts:
                self.metrics.count(draft.channel, outcome)

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
    registry: CollectorRegistry | None = None,
) -> AsyncIterator[Sink]:
    """A sink with its own publisher, for pull connectors running outside the HTTP app:
    transactional unless OMNIROUTE_INTAKE_PUBLISHER says otherwise, so a batch retried after a
    Kafka outage never leaves a second copy on the intake topic (intake/publishing.py)."""
    async with open_publisher(kafka, name, ack_timeout_s) as publisher:
        metrics = IntakeMetrics(registry) if registry is not None else None
        keyer = IdentityKeyer(identity_secret, default_region)
        yield Sink(Completer(keyer), publisher, metrics)
