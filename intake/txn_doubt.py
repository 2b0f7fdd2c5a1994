"""Transactions whose outcome is unknown, and how to learn it afterwards.

When EndTxn(COMMIT) was sent but its answer never came (the broker went away mid-commit), the
records may or may not be committed. The request is answered 503, as for any unacknowledged
record, and the message ids are remembered here with the offsets their records got. When a
sender retries one of them, the publisher first finishes the old transaction (InitProducerId
with the same transactional id completes or aborts it) and reads the offsets back with a
read_committed consumer: a committed record is acknowledged as it is, without writing it again,
so a retried message lands on the intake topic exactly once.
"""

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from intake.errors import KafkaUnavailable
from intake.kafka import client_kwargs
from intake.publisher import Ack
from intake.settings import KafkaSettings

log = logging.getLogger(__name__)

# (acks to check, timeout) -> ids of the acks whose record is committed
Reader = Callable[[list[Ack], float], Awaitable[set[str]]]


class DoubtLog:
    """Bounded: past `max_entries` the oldest doubts are forgotten (a retry of one of those is
    written again and the router's exact dedup absorbs the second copy)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[Ack, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, acks: Iterable[Ack], generation: int) -> None:
        """`generation` = the producer generation that ran the transaction: only a later one
        proves the transaction finished."""
        for ack in acks:
            if ack.message_id:
                self._entries[ack.message_id] = (ack, generation)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def lookup(self, ids: Iterable[str]) -> list[tuple[Ack, int]]:
        return [entry for i in ids if (entry := self._entries.get(i)) is not None]

    def forget(self, ids: Iterable[str]) -> None:
        for message_id in ids:
            self._entries.pop(message_id, None)


def _by_partition(acks: list[Ack]) -> dict[TopicPartition, dict[int, str]]:
    out: dict[TopicPartition, dict[int, str]] = {}
    for ack in acks:
        out.setdefault(TopicPartition(ack.topic, ack.partition), {})[ack.offset] = ack.message_id
    return out


async def _stable(
    consumer: AIOKafkaConsumer, wanted: dict[TopicPartition, dict[int, str]], seen: dict[str, str]
) -> bool:
    lso = await consumer.end_offsets(list(wanted))  # read_committed: the last stable offsets
    seen.update(
        {
            f"{tp.topic}/{tp.partition}": f"last stable offset {lso[tp]}, needs > {max(o)}"
            for tp, o in wanted.items()
        }
    )
    return all(lso[tp] > max(offsets) for tp, offsets in wanted.items())


async def committed_ids(
    kafka: KafkaSettings, acks: list[Ack], timeout_s: float, window_s: float = 1.0
) -> set[str]:
    """Which of these records a read_committed consumer sees. Once the last stable offset (LSO)
    is past them their transaction is decided; a committed record below the LSO is returned by
    the first fetches, so one not returned within `window_s` was aborted. (The position alone
    cannot decide: a fetch of nothing but aborted records and markers need not move it.)
    Raises KafkaUnavailable when the LSO does not pass them within `timeout_s`."""
    wanted = _by_partition(acks)
    consumer = AIOKafkaConsumer(
        **client_kwargs(kafka),
        client_id=f"{kafka.client_id}-intake-doubt",
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    found: set[str] = set()
    seen = {"stage": "connecting"}  # for the error: how far it got
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout_s):
            await consumer.start()
            seen["stage"] = "waiting for the last stable offsets"
            tps = list(wanted)
            while not await _stable(consumer, wanted, seen):  # noqa: ASYNC110 - broker state
                await asyncio.sleep(0.05)
            seen["stage"] = "reading"
            consumer.assign(tps)
            for tp, offsets in wanted.items():
                consumer.seek(tp, min(offsets))
            until = loop.time() + window_s
            while len(found) < len(acks) and loop.time() < until:
                for tp, records in (await consumer.getmany(timeout_ms=100)).items():
                    found.update(wanted[tp][r.offset] for r in records if r.offset in wanted[tp])
    except (KafkaError, TimeoutError, OSError) as exc:
        seen |= await _high_watermarks(kafka, list(wanted))
        raise KafkaUnavailable(f"outcome of an earlier commit unknown: {exc!r} {seen}") from exc
    finally:
        try:
            await asyncio.wait_for(consumer.stop(), 5.0)
        except (KafkaError, TimeoutError, OSError) as exc:  # the answer above stands
            log.debug("doubt reader did not stop cleanly: %r", exc)
    return found


async def _high_watermarks(kafka: KafkaSettings, tps: list[TopicPartition]) -> dict[str, str]:
    """For the error only: a last stable offset stuck below the high watermark is an open
    transaction; one at the high watermark means the records are not in the log."""
    consumer = AIOKafkaConsumer(**client_kwargs(kafka), group_id=None, enable_auto_commit=False)
    try:
        async with asyncio.timeout(5.0):
            await consumer.start()
            ends = await consumer.end_offsets(tps)
        return {f"{tp.topic}/{tp.partition} high watermark": str(end) for tp, end in ends.items()}
    except (KafkaError, TimeoutError, OSError) as exc:
        return {"high watermark": repr(exc)}
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.stop(), 5.0)
