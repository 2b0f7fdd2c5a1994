"""Group commit: requests that arrive while a transaction is being written share the next one,
so one EndTxn round trip serves them all and the cost per request stays small under load.

Owns the transactional producer. A failed transaction is aborted; if that fails too (the
broker is gone) the producer is dropped and re-created with the same transactional id, whose
InitProducerId bumps the epoch so the coordinator aborts whatever the old one left open.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import RecordMetadata

from intake.errors import KafkaUnavailable
from intake.publisher import Ack, Outgoing
from intake.txn_doubt import DoubtLog
from intake.txn_producer import ProducerSlot, retrieve

log = logging.getLogger(__name__)

FAILURES = (KafkaError, KafkaUnavailable, TimeoutError, OSError, AssertionError)
# (acks of a committed transaction, timeout) -> visible to read_committed readers in time?
Confirm = Callable[[list[Ack], float], Awaitable[bool]]


class CommitUnconfirmed(KafkaUnavailable):
    """EndTxn(COMMIT) was answered, but the records did not become readable in time."""


@dataclass(slots=True)
class _Request:
    records: list[Outgoing]
    done: "asyncio.Future[list[Ack]]"
    taken: bool = False  # in a transaction: only its (bounded) outcome may answer it


@dataclass(slots=True)
class _Attempt:
    acks: list[Ack] = field(default_factory=list)
    committing: bool = False  # EndTxn(COMMIT) sent: from here on a failure leaves doubt


class Committer:
    def __init__(
        self,
        factory: Callable[[], AIOKafkaProducer],
        timeout_s: float,
        *,
        linger_s: float = 0.002,
        max_records: int = 2000,
        confirm: Confirm | None = None,
    ) -> None:
        self.slot = ProducerSlot(factory, timeout_s)
        self._confirm = confirm
        self._timeout = timeout_s
        self._linger = linger_s
        self._max = max_records
        self._queue: deque[_Request] = deque()
        self._current: list[_Request] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.doubt = DoubtLog()

    @property
    def idle(self) -> bool:
        """No request queued and no transaction (nor its abort or reset) running."""
        return not self._queue and not self._current

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        """Let queued requests and the running transaction finish (bounded), then stop."""
        self._closing = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._timeout):
                while not self.idle:  # noqa: ASYNC110 - drained by _run
                    await asyncio.sleep(0.01)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        _fail([*self._queue, *self._current], KafkaUnavailable("publisher stopped"))
        self._queue.clear()
        await self.slot.reset()

    async def submit(self, records: list[Outgoing]) -> list[Ack]:
        if not records:
            return []
        if self._closing:
            raise KafkaUnavailable("publisher stopping")
        request = _Request(records, asyncio.get_running_loop().create_future())
        request.done.add_done_callback(retrieve)  # a caller that went away still "reads" it
        self._queue.append(request)
        self._wakeup.set()
        try:
            async with asyncio.timeout(self._timeout):
                return await asyncio.shield(request.done)
        except TimeoutError:
            if request.taken:
                return await request.done
            self._queue.remove(request)
            raise KafkaUnavailable("Kafka did not acknowledge: no transaction in time") from None

    async def ready(self) -> AIOKafkaProducer:
        return await self.slot.ready()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if self._linger > 0:
                await asyncio.sleep(self._linger)  # let concurrent requests join
            while self._queue:
                self._current = self._take()
                await self._commit(self._current)
                self._current = []

    def _take(self) -> list[_Request]:
        batch: list[_Request] = []
        count = 0
        while self._queue and (not batch or count + len(self._queue[0].records) <= self._max):
            request = self._queue.popleft()
            request.taken = True
            batch.append(request)
            count += len(request.records)
        return batch

    async def _commit(self, batch: list[_Request]) -> None:
        attempt = _Attempt()
        generation = self.slot.generation
        try:
            async with asyncio.timeout(self._timeout):
                producer = await self.ready()
                generation = self.slot.generation
                await self._transaction(producer, [r for q in batch for r in q.records], attempt)
        except Exception as exc:  # any failure: answer 503, never leave a caller hanging
            if not isinstance(exc, FAILURES):
                log.exception("unexpected failure in a transaction")
            if attempt.committing:
                self.doubt.add(attempt.acks, generation)
                log.warning("commit of %d records unanswered (%r)", len(attempt.acks), exc)
            _fail(batch, KafkaUnavailable(f"Kafka did not commit: {type(exc).__name__}"))
            if attempt.committing or not await self.slot.abort():
                await self.slot.reset()
            return
        acks = iter(attempt.acks)
        for request in batch:
            mine = [next(acks) for _ in request.records]  # consumed even if nobody waits
            if not request.done.done():
                request.done.set_result(mine)

    async def _transaction(
        self, producer: AIOKafkaProducer, records: list[Outgoing], attempt: _Attempt
    ) -> None:
        await producer.begin_transaction()
        futures: list[asyncio.Future[RecordMetadata]] = []
        for r in records:
            future = await producer.send(r.topic, value=r.value, key=r.key, headers=r.headers)
            future.add_done_callback(retrieve)
            futures.append(future)
        metas: list[RecordMetadata] = await asyncio.gather(*futures)
        attempt.acks = [
            Ack(r.message_id, m.topic, m.partition, m.offset)
            for r, m in zip(records, metas, strict=True)
        ]
        attempt.committing = True
        await producer.commit_transaction()
        # A broker in controlled shutdown was seen to answer EndTxn(COMMIT) and come back with
        # the transaction aborted: 2xx only once read_committed readers can see the records.
        if self._confirm is not None and not await self._confirm(attempt.acks, self._timeout):
            raise CommitUnconfirmed("commit acknowledged but not visible to read_committed")


def _fail(batch: list[_Request], exc: KafkaUnavailable) -> None:
    for request in batch:
        if not request.done.done():
            request.done.set_exception(exc)
