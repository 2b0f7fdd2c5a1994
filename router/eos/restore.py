"""Rebuilding partition state from the compacted changelog `omniroute.router.state`.

Partition p of the changelog is written only inside transactions of `<group>-p<p>`, and restore
runs after this owner's InitProducerId, which completed any transaction a previous owner left
open. The read_committed end offset (the last stable offset) captured at the start is therefore
the end of everything committed for p: reading up to it yields exactly the state that matches
the committed input offsets.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from intake.errors import KafkaUnavailable
from intake.kafka import consumer
from intake.settings import KafkaSettings

log = logging.getLogger(__name__)

# (partition, key, value); value None is a tombstone.
Sink = Callable[[int, bytes, bytes | None], None]


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
    def __init__(self, cons: AIOKafkaConsumer, topic: str, timeout_s: float) -> None:
        self._cons = cons
        self._topic = topic
        self._timeout_s = timeout_s

    async def restore(self, partitions: Iterable[int], sink: Sink) -> int:
        """Feed every committed changelog record of `partitions` to `sink`; returns the count."""
        tps = [TopicPartition(self._topic, p) for p in sorted(set(partitions))]
        if not tps:
            return 0
        cons = self._cons
        cons.assign(tps)
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._read(tps, sink)
        except TimeoutError as exc:
            raise KafkaUnavailable(
                f"restoring {self._topic} {[tp.partition for tp in tps]} took over "
                f"{self._timeout_s:.0f}s"
            ) from exc
        finally:
            cons.assign([])

    async def _read(self, tps: list[TopicPartition], sink: Sink) -> int:
        cons = self._cons
        ends: dict[TopicPartition, int] = await cons.end_offsets(tps)
        starts: dict[TopicPartition, int] = await cons.beginning_offsets(tps)
        todo = {tp for tp in tps if ends[tp] > starts[tp]}
        if todo:
            await cons.seek_to_beginning(*todo)
        count = 0
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
            # The position, not the last record, decides: commit markers and aborted records
            # occupy offsets that read_committed never returns.
            for tp in list(todo):
                if await cons.position(tp) >= ends[tp]:
                    todo.discard(tp)
        return count
