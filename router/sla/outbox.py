"""Writing alerts (and escalation re-dispatches) to Kafka. An alert whose write failed stays in
the outbox and is retried on the next tick, because the tracker has already flipped the case's
flag and would never raise it again. Alert ids already on `omniroute.alerts` (read at startup)
are skipped, which is what makes a restart not repeat alerts."""

import asyncio
import logging
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from intake import serde
from intake.deadletter import DeadLetter
from intake.headers import Headers, cloudevent_headers
from intake.topics import Topics
from router.sla.alerts import TYPE_ALERT, TYPE_ESCALATION, Alert

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, producer: AIOKafkaProducer, topics: Topics, published: set[str]) -> None:
        self._producer = producer
        self._topics = topics
        self.published = published
        self._queue: list[Alert] = []
        self._deadletters: list[tuple[str, DeadLetter]] = []

    def deadletter(self, topic: str, record: DeadLetter) -> None:
        self._deadletters.append((topic, record))

    def fresh(self, alerts: list[Alert]) -> list[Alert]:
        """The alerts not published before (by this process or an earlier incarnation)."""
        new = [a for a in alerts if a.id not in self.published]
        self.published.update(a.id for a in new)
        self._queue += new
        return new

    async def flush(self, timeout_s: float = 10.0) -> None:
        if not self._queue and not self._deadletters:
            return
        batch, self._queue = self._queue, []
        dead, self._deadletters = self._deadletters, []
        try:
            async with asyncio.timeout(timeout_s):
                futures = [f for a in batch for f in await self._send(a)]
                for topic, record in dead:
                    value, headers = record.to_bytes(), record.headers()
                    futures.append(await self._producer.send(topic, value=value, headers=headers))
                await asyncio.gather(*futures)
        except (KafkaError, TimeoutError) as exc:
            log.warning("alerts not acknowledged (%s); retrying", type(exc).__name__)
            self._queue = batch + self._queue
            self._deadletters = dead + self._deadletters

    async def _send(self, alert: Alert) -> list["asyncio.Future[object]"]:
        value = serde.dumps(alert)
        out = [
            await self._producer.send(
                self._topics.alerts, value=value, key=alert.key, headers=_headers(alert, TYPE_ALERT)
            )
        ]
        target = alert.escalation.redispatch_to if alert.escalation else None
        if target is not None:
            headers = _headers(alert, TYPE_ESCALATION)
            out.append(
                await self._producer.send(
                    self._topics.dept(target), value=value, key=alert.key, headers=headers
                )
            )
        return out


def _headers(alert: Alert, kind: str) -> Headers:
    return cloudevent_headers(
        event_id=alert.id,
        source="/omniroute/sla-tracker",
        event_type=kind,
        time=datetime.now(UTC),
        subject=alert.case_id,
    )
