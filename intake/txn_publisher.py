"""The transactional publisher: a 2xx means committed, a 503 means a read_committed reader
(the router) will never see the record.

The idempotent producer cannot take back a send that timed out: its retries may still write
the record after the adapter got 503, and the adapter's retry then writes it a second time.
Here every record is written in a Kafka transaction (`Committer`, group commit) and
acknowledged only after the commit; a failed transaction is aborted or fenced. The one
unknowable case, a commit sent but never answered, is kept in a `DoubtLog` and settled when
the sender retries, so a retried message lands on the intake topic exactly once.
"""

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaProducer

from intake.deadletter import DeadLetter
from intake.errors import KafkaUnavailable
from intake.publisher import Ack, Outgoing, Publisher
from intake.topics import Topics
from intake.txn_committer import Committer, Confirm
from intake.txn_doubt import Reader
from intake.txn_producer import retrieve

log = logging.getLogger(__name__)

# Settled in-doubt records that did commit, kept for retries that come after the settlement.
_KEEP_SETTLED = 100_000


class TxnPublisher(Publisher):
    def __init__(
        self,
        factory: Callable[[], AIOKafkaProducer],
        topics: Topics,
        ack_timeout_s: float,
        reader: Reader,
        *,
        linger_s: float = 0.002,
        max_records: int = 2000,
        confirm: Confirm | None = None,
    ) -> None:
        # No producer of its own: the committer creates (and re-creates) it.
        super().__init__(None, topics, ack_timeout_s)
        self.committer = Committer(
            factory, ack_timeout_s, linger_s=linger_s, max_records=max_records, confirm=confirm
        )
        self._reader = reader
        # A read-back runs in the background and outlives the request that started it: on a
        # slow broker it may need longer than one request may wait, and each retry would
        # otherwise start over and time out again, never settling.
        self._reads: dict[str, asyncio.Task[None]] = {}
        self._committed: OrderedDict[str, Ack] = OrderedDict()
        self._read_timeout_s = max(30.0, 10 * ack_timeout_s)
        self.closers: list[Callable[[], Awaitable[None]]] = []  # run after the committer

    async def start(self, timeout_s: float) -> None:
        """Bounded wait for the broker at startup, like `intake.kafka.start_producer`."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            try:
                await self.committer.ready()
                break
            except KafkaUnavailable:
                if asyncio.get_running_loop().time() >= deadline:
                    raise
                await asyncio.sleep(1.0)
        self.committer.start()

    async def close(self) -> None:
        await self.committer.close()
        for close in self.closers:
            await close()

    async def check(self) -> None:
        # ready() also re-creates the producer once Kafka is back, so an instance taken out
        # of the load balancer by a failed probe comes back without any request.
        producer = await self.committer.ready()
        await producer.client.fetch_all_metadata()

    async def publish_records(self, records: list[Outgoing]) -> list[Ack]:
        known = await self._settle([r.message_id for r in records])
        fresh = await self.committer.submit([r for r in records if r.message_id not in known])
        acks = iter(fresh)
        return [known.get(r.message_id) or next(acks) for r in records]

    async def publish_deadletter(self, record: DeadLetter) -> None:
        topic = self._topics.deadletter
        out = Outgoing("", topic, None, record.to_bytes(), record.headers())
        await self.committer.submit([out])

    async def _settle(self, ids: list[str]) -> dict[str, Ack]:
        """Acks of retried ids whose in-doubt transaction did commit; the others were aborted
        and are written anew."""
        doubtful = self.committer.doubt.lookup(ids)
        if doubtful:
            await self.committer.ready()
            # The committer drops its producer after an unanswered commit, so a newer generation
            # exists here and its InitProducerId has finished the old transaction either way.
            if any(gen >= self.committer.slot.generation for _, gen in doubtful):
                raise KafkaUnavailable("an earlier commit is still unsettled")
            await self._await_reads([ack for ack, _ in doubtful])
        return {i: ack for i in ids if (ack := self._committed.get(i)) is not None}

    async def _await_reads(self, acks: list[Ack]) -> None:
        fresh = [a for a in acks if a.message_id not in self._reads]
        if fresh:
            task = asyncio.get_running_loop().create_task(self._read_back(fresh))
            task.add_done_callback(retrieve)
            self._reads.update(dict.fromkeys((a.message_id for a in fresh), task))
        tasks = {self._reads[a.message_id] for a in acks if a.message_id in self._reads}
        try:
            async with asyncio.timeout(self._timeout):
                await asyncio.gather(*(asyncio.shield(t) for t in tasks))
        except TimeoutError:
            raise KafkaUnavailable("an earlier commit is still being settled") from None

    async def _read_back(self, acks: list[Ack]) -> None:
        try:
            committed = await self._reader(acks, self._read_timeout_s)
        except KafkaUnavailable as exc:
            # The retry that comes next starts a new read-back; say why this one failed.
            log.warning("in-doubt records not settled yet: %s", exc)
            raise
        else:
            self._committed.update((a.message_id, a) for a in acks if a.message_id in committed)
            while len(self._committed) > _KEEP_SETTLED:
                self._committed.popitem(last=False)
            self.committer.doubt.forget(a.message_id for a in acks)
            log.info("settled %d in-doubt records: %d were committed", len(acks), len(committed))
        finally:
            for ack in acks:
                self._reads.pop(ack.message_id, None)
