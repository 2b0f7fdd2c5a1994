"""The transactional producer the intake publisher uses, and how to get rid of one for sure."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from intake.errors import KafkaUnavailable
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings

log = logging.getLogger(__name__)


def txn_producer(
    kafka: KafkaSettings, name: str, transactional_id: str, ack_timeout_s: float
) -> AIOKafkaProducer:
    # The broker aborts a transaction left open longer than this. Ours last at most the ack
    # timeout; an instance that died mid-transaction holds back read_committed readers of the
    # partitions it touched until then (or until its successor, same id, re-initialises).
    txn_timeout_ms = max(10_000, int(ack_timeout_s * 3000))
    return AIOKafkaProducer(
        **client_kwargs(kafka),
        client_id=f"{kafka.client_id}-{name}",
        transactional_id=transactional_id,
        transaction_timeout_ms=txn_timeout_ms,
        acks="all",
        # Requests are grouped by the publisher before the transaction starts; lingering in
        # the producer as well would only add latency to every commit.
        linger_ms=0,
        max_batch_size=256 * 1024,
    )


async def discard(producer: AIOKafkaProducer | None, timeout_s: float) -> None:
    """Stop a producer within `timeout_s`. With the broker gone, `stop()` waits for batches
    that can never be delivered, so past the bound the sender task is cancelled outright;
    whatever it left open is aborted by the next InitProducerId with the same id."""
    if producer is None:
        return
    try:
        await asyncio.wait_for(producer.stop(), timeout_s)
        return
    except Exception as exc:  # any failure here: fall through to the forced close
        log.info("producer did not stop within %.1fs (%r); closing it", timeout_s, exc)
    sender: Any = getattr(producer, "_sender", None)
    task = getattr(sender, "sender_task", None)
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), timeout_s)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(producer.client.close(), timeout_s)


def retrieve(future: "asyncio.Future[Any]") -> None:
    """Done callback: mark a failure as seen, so a future whose waiter went away (a cancelled
    request) does not log 'exception was never retrieved'."""
    if not future.cancelled():
        future.exception()


class ProducerSlot:
    """The one transactional producer in use, created on demand and replaced after a failure.
    `generation` counts successful initialisations: each fenced the ones before it."""

    def __init__(self, factory: Callable[[], AIOKafkaProducer], timeout_s: float) -> None:
        self._factory = factory
        self._timeout = timeout_s
        self._lock = asyncio.Lock()
        self.current: AIOKafkaProducer | None = None
        self.generation = 0

    async def ready(self) -> AIOKafkaProducer:
        # Shielded: a caller that times out (the readiness probe, a request) must not cancel a
        # start half-way, which would leak a connected producer.
        return await asyncio.shield(self._ensure())

    async def _ensure(self) -> AIOKafkaProducer:
        async with self._lock:
            if self.current is not None:
                return self.current
            producer = self._factory()
            try:
                # start() = bootstrap + InitProducerId, which fences (aborts) what an earlier
                # producer with this transactional id left open.
                await asyncio.wait_for(producer.start(), self._timeout)
            except (KafkaError, TimeoutError, OSError, AssertionError) as exc:
                await discard(producer, 1.0)
                raise KafkaUnavailable(f"transactional producer not ready: {exc!r}") from exc
            self.current = producer
            self.generation += 1
            return producer

    async def abort(self) -> bool:
        producer = self.current
        if producer is None:
            return False
        try:
            await asyncio.wait_for(producer.abort_transaction(), min(self._timeout, 5.0))
        except Exception as exc:  # aiokafka raises plain errors on a bad state too
            log.info("abort failed (%r); re-creating the transactional producer", exc)
            return False
        return True

    async def reset(self) -> None:
        async with self._lock:
            producer, self.current = self.current, None
        await discard(producer, min(self._timeout, 5.0))
