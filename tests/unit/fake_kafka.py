"""In-memory stand-ins for the unit tier (integration tests use the real broker)."""

from collections.abc import AsyncIterator

from aiohttp import web

from intake.deadletter import DeadLetter
from intake.errors import KafkaUnavailable
from intake.http import state
from intake.http.app import KafkaContext
from intake.message import Message
from intake.publisher import Ack
from intake.readiness import KafkaProbe
from intake.sink import Sink


class FakePublisher:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.deadletters: list[DeadLetter] = []
        self.down = False

    async def publish(self, messages: list[Message]) -> list[Ack]:
        if self.down:
            raise KafkaUnavailable("Kafka did not acknowledge: KafkaTimeoutError")
        start = len(self.messages)
        self.messages += messages
        return [Ack(m.id, f"t.{m.channel.value}", 0, start + i) for i, m in enumerate(messages)]

    async def publish_deadletter(self, record: DeadLetter) -> None:
        if self.down:
            raise KafkaUnavailable("down")
        self.deadletters.append(record)


def fake_kafka_context(publisher: FakePublisher) -> KafkaContext:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        app[state.PUBLISHER] = publisher  # type: ignore[assignment]
        app[state.SINK] = Sink(app[state.COMPLETER], publisher)  # type: ignore[arg-type]

        async def check() -> None:
            if publisher.down:
                raise KafkaUnavailable("down")

        probe = KafkaProbe(check, interval_s=3600)
        await probe.probe_once()
        app[state.PROBE] = probe
        yield

    return ctx
