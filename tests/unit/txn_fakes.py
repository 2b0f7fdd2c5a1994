"""An in-memory stand-in for aiokafka's transactional producer, with switches for the failures
the transactional publisher must survive (the real broker is in tests/integration)."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import KafkaConnectionError

from intake.message import Channel, Message
from intake.publisher import Ack


@dataclass(frozen=True)
class Meta:
    topic: str
    partition: int
    offset: int


@dataclass
class Broker:
    """What the fake cluster holds, shared by every producer the publisher creates."""

    down: bool = False
    sends_hang: bool = False
    commit_lost: bool = False  # EndTxn reaches the broker (commits) but the answer never comes
    abort_fails: bool = False
    committed: list[tuple[str, bytes]] = field(default_factory=list)
    log_size: int = 0
    inits: int = 0
    transactions: int = 0
    aborts: int = 0

    def ids(self) -> list[bytes]:
        return [value for _, value in self.committed]


class FakeTxnProducer:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.pending: list[tuple[str, bytes]] = []
        self.client = self
        self.stopped = False

    async def fetch_all_metadata(self) -> None:
        if self.broker.down:
            raise KafkaConnectionError("down")

    async def start(self) -> None:
        if self.broker.down:
            raise KafkaConnectionError("down")
        self.broker.inits += 1

    async def stop(self) -> None:
        self.stopped = True

    async def close(self) -> None:
        self.stopped = True

    async def begin_transaction(self) -> None:
        self.pending = []

    async def send(
        self, topic: str, value: bytes, key: Any, headers: Any
    ) -> "asyncio.Future[Meta]":
        future: asyncio.Future[Meta] = asyncio.get_running_loop().create_future()
        if not self.broker.sends_hang and not self.broker.down:
            future.set_result(Meta(topic, 0, self.broker.log_size))
            self.broker.log_size += 1
            self.pending.append((topic, value))
        return future

    async def commit_transaction(self) -> None:
        self.broker.transactions += 1
        if self.broker.commit_lost:
            self.broker.committed += self.pending
            await asyncio.sleep(3600)
        self.broker.committed += self.pending

    async def abort_transaction(self) -> None:
        self.broker.aborts += 1
        if self.broker.abort_fails or self.broker.down:
            raise KafkaConnectionError("down")


def message(n: int) -> Message:
    return Message(
        channel=Channel.API,
        channel_message_id=f"c{n}",
        id=f"m{n}",
        source="unit",
        received_at=datetime(2024, 3, 4, tzinfo=UTC),
        routing_key=f"k{n}",
    )


class Reader:
    """The read-back of in-doubt offsets, answered from the fake broker's committed log."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.calls = 0

    async def __call__(self, acks: list[Ack], timeout_s: float) -> set[str]:
        self.calls += 1
        values = b"".join(self.broker.ids())
        return {a.message_id for a in acks if f'"id":"{a.message_id}"'.encode() in values}
