"""Reading topics back in tests, the way a department tool would: a plain aiokafka consumer
with read_committed, so only what was really committed counts."""

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from intake.kafka import client_kwargs
from intake.settings import KafkaSettings


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


async def read_records(
    settings: KafkaSettings,
    topics: list[str],
    expect: int,
    timeout_s: float = 30.0,
    settle_s: float = 0.0,
) -> list[Record]:
    """Read from the beginning until `expect` records arrived (or time out), then keep reading
    `settle_s` more seconds so that unexpected extra records are caught too."""
    consumer = AIOKafkaConsumer(
        *topics,
        **client_kwargs(settings),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
        group_id=None,
    )
    await consumer.start()
    out: list[Record] = []
    loop = asyncio.get_running_loop()
    try:
        deadline = loop.time() + timeout_s
        while loop.time() < deadline and len(out) < expect:
            await _poll(consumer, out)
        settle_until = loop.time() + settle_s
        while loop.time() < settle_until:
            await _poll(consumer, out)
    finally:
        await consumer.stop()
    return out


async def _poll(consumer: AIOKafkaConsumer, out: list[Record]) -> None:
    batches = await consumer.getmany(timeout_ms=200)
    for records in batches.values():
        out.extend(
            Record(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers))
            for r in records
        )
