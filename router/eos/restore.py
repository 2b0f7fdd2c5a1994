"""Rebuilding partition state from the compacted changelog `omniroute.router.state`.

Partition p of the changelog is written only inside transactions of `<group>-p<p>`, and restore
runs after this owner's InitProducerId, which completed any transaction a previous owner left
open. The read_committed end offset (the last stable offset) captured at the start is therefore
the end of everything committed for p: reading up to it yields exactly the state that matches
the committed input offsets.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from intake.errors import KafkaUnavailable
from intake.kafka import consumer, start_producer
from intake.settings import KafkaSettings

log = logging.getLogger(__name__)

# (partition, key, value); value None is a tombstone.
Sink = Callable[[int, bytes, bytes | None], None]
_STALL_S = 30.0
_REPORT_S = 10.0


def restore_consumer(kafka: KafkaSettings) -> AIOKafkaConsumer:
    return consumer(
        kafka,
        "router-restore",
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
        fetch_max_bytes=32 * 1024 * 1024,
    )


class Restorer:
    """A fresh consumer per restore: take-overs are rare, and nothing from an earlier one (a
    position, a fetch in flight, a broken connection) can leak into the next."""

    def __init__(self, kafka: KafkaSettings, topic: str, timeout_s: float) -> None:
        self._kafka = kafka
        self._topic = topic
        self._timeout_s = timeout_s

    async def restore(self, partitions: Iterable[int], sink: Sink) -> int:
        """Feed every committed changelog record of `partitions` to `sink`; returns the count."""
        tps = [TopicPartition(self._topic, p) for p in sorted(set(partitions))]
        if not tps:
            return 0
        cons = restore_consumer(self._kafka)
        try:
            async with asyncio.timeout(self._timeout_s):
                await start_producer(cons, self._timeout_s)
                cons.assign(tps)
                return await _read(cons, tps, sink)
        except TimeoutError as exc:
            where = f"{self._topic} {[tp.partition for tp in tps]}"
            raise KafkaUnavailable(f"restoring {where} timed out") from exc
        finally:
            with contextlib.suppress(Exception):
                await cons.stop()


async def _read(cons: AIOKafkaConsumer, tps: list[TopicPartition], sink: Sink) -> int:
    ends: dict[TopicPartition, int] = await cons.end_offsets(tps)
    starts: dict[TopicPartition, int] = await cons.beginning_offsets(tps)
    todo = {tp for tp in tps if ends[tp] > starts[tp]}
    for tp in todo:
        cons.seek(tp, starts[tp])
    count = 0
    positions = dict(starts)
    progress_at = report_at = time.monotonic()
    while todo:
        batches = await cons.getmany(*todo, timeout_ms=200, max_records=10_000)
        for tp, records in batches.items():
            end = ends[tp]
            for r in records:
                if r.offset >= end:
                    break
                if r.key is not None:
                    sink(tp.partition, r.key, r.value)
                    count += 1
        now = time.monotonic()
        # The position, not the last record, decides: commit markers and aborted records
        # occupy offsets that read_committed never returns.
        for tp in list(todo):
            # Bounded: a position that never becomes valid must fail this take-over (which is
            # retried), not hang it.
            position = await asyncio.wait_for(cons.position(tp), _STALL_S)
            if position > positions[tp]:
                positions[tp], progress_at = position, now
            if position >= ends[tp]:
                todo.discard(tp)
        if todo and now - progress_at > _STALL_S:
            raise KafkaUnavailable(f"restore stalled at {_where(positions, ends, todo)}")
        if todo and now - report_at > _REPORT_S:
            report_at = now
            log.info("restoring: %s", _where(positions, ends, todo))
    return count


def _where(
    positions: dict[TopicPartition, int], ends: dict[TopicPartition, int], todo: set[TopicPartition]
) -> str:
    return ", ".join(f"{tp.topic}/{tp.partition} {positions[tp]}/{ends[tp]}" for tp in sorted(todo))
