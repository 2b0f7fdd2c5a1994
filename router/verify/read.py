"""Reading topics to their end the way a department tool does (read_committed), and waiting for
a consumer group to catch up. Shared by the exactly-once tests and the benchmarks."""

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from intake.errors import KafkaUnavailable
from intake.kafka import admin, client_kwargs
from intake.settings import KafkaSettings


@dataclass(frozen=True, slots=True)
class Rec:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: dict[str, bytes]
    value: bytes | None


def _reader(kafka: KafkaSettings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **client_kwargs(kafka),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )


async def partitions_of(kafka: KafkaSettings, topics: list[str]) -> list[TopicPartition]:
    client = admin(kafka)
    await client.start()
    try:
        described = await client.describe_topics(topics)
    finally:
        await client.close()
    return sorted(
        TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
    )


async def end_offsets(kafka: KafkaSettings, topics: list[str]) -> dict[TopicPartition, int]:
    """Last stable offsets: the end of what read_committed readers can see today."""
    tps = await partitions_of(kafka, topics)
    cons = _reader(kafka)
    await cons.start()
    try:
        ends: dict[TopicPartition, int] = await cons.end_offsets(tps)
        return ends
    finally:
        await cons.stop()


async def read_all(
    kafka: KafkaSettings, topics: list[str], *, values: bool, timeout_s: float = 120.0
) -> list[Rec]:
    """Every committed record of `topics`, up to the end offsets seen at the start."""
    records, _ = await read_since(kafka, topics, {}, values=values, timeout_s=timeout_s)
    return records


async def read_since(
    kafka: KafkaSettings,
    topics: list[str],
    since: dict[TopicPartition, int],
    *,
    values: bool,
    timeout_s: float = 120.0,
) -> tuple[list[Rec], dict[TopicPartition, int]]:
    """The committed records of `topics` from `since` (the ends an earlier call returned; the
    log start where absent) up to the end offsets seen at the start, and those end offsets.
    Below a partition's last stable offset nothing changes any more, so a growing run can be
    read piece by piece."""
    tps = await partitions_of(kafka, topics)
    cons = _reader(kafka)
    await cons.start()
    out: list[Rec] = []
    try:
        ends: dict[TopicPartition, int] = await cons.end_offsets(tps)
        todo = {tp for tp in tps if ends[tp] > since.get(tp, 0)}
        cons.assign(sorted(todo))
        for tp in todo:
            if tp in since:
                cons.seek(tp, since[tp])
            else:
                await cons.seek_to_beginning(tp)
        async with asyncio.timeout(timeout_s):
            while todo:
                batches = await cons.getmany(timeout_ms=200, max_records=20_000)
                for tp, records in batches.items():
                    out.extend(
                        Rec(
                            tp.topic,
                            tp.partition,
                            r.offset,
                            r.key,
                            dict(r.headers),
                            r.value if values else None,
                        )
                        for r in records
                        if r.offset < ends[tp]
                    )
                for tp in list(todo):
                    if await cons.position(tp) >= ends[tp]:
                        todo.discard(tp)
    finally:
        await cons.stop()
    return out, {tp: max(end, since.get(tp, 0)) for tp, end in ends.items()}


class GroupOffsets:
    """Polls a group's committed offsets over one admin connection (a new client per poll
    would cost more CPU than the router under test can spare on a small machine)."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self._kafka = kafka
        self._client: AIOKafkaAdminClient | None = None

    async def committed(self, group_id: str) -> dict[TopicPartition, int]:
        """{} while the group coordinator is unavailable (a broker restart): callers poll,
        and a retriable error is just "no news yet"."""
        try:
            if self._client is None:
                self._client = admin(self._kafka)
                await self._client.start()
            offsets = await self._client.list_consumer_group_offsets(group_id)
        except KafkaError as exc:
            if not exc.retriable:
                raise
            await self.close()
            return {}
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()


async def committed_offsets(kafka: KafkaSettings, group_id: str) -> dict[TopicPartition, int]:
    watch = GroupOffsets(kafka)
    try:
        return await watch.committed(group_id)
    finally:
        await watch.close()


async def wait_caught_up(
    kafka: KafkaSettings, group_id: str, topics: list[str], timeout_s: float
) -> float:
    """Wait until `group_id` committed the end of `topics`; returns when (loop time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    ends = await end_offsets(kafka, topics)
    watch = GroupOffsets(kafka)
    try:
        while True:
            done = await watch.committed(group_id)
            behind = sum(max(end - done.get(tp, 0), 0) for tp, end in ends.items())
            if behind == 0:
                return loop.time()
            if loop.time() >= deadline:
                raise KafkaUnavailable(f"group {group_id} still {behind} records behind")
            await asyncio.sleep(0.2)
    finally:
        await watch.close()
