"""What the operations commands (deadletter, replay, status) share: bounded reads of topic
ranges, time arguments, plain-text tables.

Every read is bounded twice: by the end offsets taken when the command starts (a busy topic
cannot keep a command reading forever) and by a deadline. Reads are read_committed, the way
department tools see the topics: an aborted router transaction is not history.
"""

import asyncio
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition

from intake.kafka import client_kwargs
from intake.settings import KafkaSettings

Ranges = dict[TopicPartition, tuple[int, int]]  # [start, end) per partition
# aiokafka ships no type information: its records are Any to mypy whatever we write here.
Record: TypeAlias = Any

_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class OpsError(Exception):
    """A misuse or an unmet precondition, printed as one line (exit 2)."""


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """ISO 8601 (naive = UTC) or an age such as 90s, 30m, 6h, 2d."""
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(text.strip())
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise OpsError(f"not a time: {text!r} (ISO 8601, or an age like 30m, 6h, 2d)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@asynccontextmanager
async def reader(kafka: KafkaSettings) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer with no group: reading never moves anyone's committed offsets."""
    consumer = AIOKafkaConsumer(
        **client_kwargs(kafka),
        client_id=f"{kafka.client_id}-ops",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def partitions(consumer: AIOKafkaConsumer, topics: Iterable[str]) -> list[TopicPartition]:
    """Partitions of the topics that exist (missing topics are skipped)."""
    # The consumer's own metadata cache only knows topics it was asked about; a full fetch
    # (what consumer.topics() does, but keeping the partitions) knows them all.
    cluster = await consumer._client.fetch_all_metadata()
    out = []
    for topic in topics:
        found = cluster.partitions_for_topic(topic) or set()
        out += [TopicPartition(topic, p) for p in sorted(found)]
    return out


async def ranges(
    consumer: AIOKafkaConsumer,
    tps: Sequence[TopicPartition],
    since: datetime | None = None,
    until: datetime | None = None,
) -> Ranges:
    """[first, end) per partition: from the first record at/after `since` (else the beginning)
    to the first at/after `until` (else today's end)."""
    if not tps:
        return {}
    begin = await consumer.beginning_offsets(list(tps))
    end = await consumer.end_offsets(list(tps))
    start = await _offsets_at(consumer, tps, since, end) if since else begin
    stop = await _offsets_at(consumer, tps, until, end) if until else end
    return {tp: (max(start[tp], begin[tp]), stop[tp]) for tp in tps}


async def _offsets_at(
    consumer: AIOKafkaConsumer,
    tps: Sequence[TopicPartition],
    when: datetime,
    end: dict[TopicPartition, int],
) -> dict[TopicPartition, int]:
    ms = int(when.timestamp() * 1000)
    found = await consumer.offsets_for_times(dict.fromkeys(tps, ms))
    return {tp: found[tp].offset if found.get(tp) is not None else end[tp] for tp in tps}


async def read(
    consumer: AIOKafkaConsumer, span: Ranges, timeout_s: float = 60.0
) -> AsyncIterator[Record]:
    """Every record in `span`, partition by partition in offset order."""
    todo = {tp: r for tp, r in span.items() if r[0] < r[1]}
    if not todo:
        return
    consumer.assign(list(todo))
    for tp, (start, _) in todo.items():
        consumer.seek(tp, start)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while todo:
        if loop.time() > deadline:
            left = ", ".join(f"{tp.topic}/{tp.partition}" for tp in todo)
            raise OpsError(f"reading timed out after {timeout_s:g}s; unfinished: {left}")
        batches = await consumer.getmany(*todo, timeout_ms=500)
        for tp, records in batches.items():
            end = todo.get(tp, (0, -1))[1]
            for record in records:
                if record.offset < end:
                    yield record
        # Transaction markers take offsets too: done is "position reached end", not "saw the
        # record at end - 1".
        for tp in list(todo):
            if await consumer.position(tp) >= todo[tp][1]:
                del todo[tp]
                consumer.pause(tp)


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    text = [[str(c) for c in header], *([str(c) for c in row] for row in rows)]
    widths = [max(len(r[i]) for r in text) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in text
    )


def at(text: str) -> tuple[int, int]:
    """`PARTITION:OFFSET`."""
    partition, sep, offset = text.partition(":")
    if not sep or not partition.isdigit() or not offset.isdigit():
        raise OpsError(f"expected PARTITION:OFFSET, got {text!r}")
    return int(partition), int(offset)
