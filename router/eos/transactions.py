"""One transactional producer per input partition number.

aiokafka speaks the transaction protocol at v0: TxnOffsetCommit carries no group generation or
member id (no KIP-447), so the group coordinator cannot reject offsets from a member that lost
its partitions. Fencing therefore rests on the transactional id alone: `<group>-p<p>` is owned by
whoever owns partition number p. A new owner's InitProducerId bumps the epoch, which makes the
coordinator abort (or finish) the previous owner's open transaction first and reject every later
request carrying the old epoch (ProducerFenced). The old owner cannot write another record, nor
move an offset, for p.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, ProducerFenced
from aiokafka.structs import OffsetAndMetadata

from intake.errors import KafkaUnavailable, OmnirouteError
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from router.eos.batches import send_batched
from router.eos.record import SOURCE_HEADER, Record

# Re-exported: callers imported them from here before `record` existed.
__all__ = [
    "SOURCE_HEADER",
    "PartitionFenced",
    "PartitionProducer",
    "Record",
    "TransactionFailed",
    "init_producers",
]

log = logging.getLogger(__name__)


class PartitionFenced(OmnirouteError):
    """A newer owner initialised this partition's transactional id: we are a zombie for it."""


class TransactionFailed(OmnirouteError):
    """The transaction was aborted (or its outcome is unknown); state must be rebuilt from the
    changelog and offsets, which hold exactly what was committed."""

    retriable = True


def transactional_id(group_id: str, partition: int) -> str:
    return f"{group_id}-p{partition}"


class PartitionProducer:
    def __init__(
        self,
        kafka: KafkaSettings,
        group_id: str,
        partition: int,
        transaction_timeout_ms: int,
    ) -> None:
        self.partition = partition
        self.group_id = group_id
        self.transactional_id = transactional_id(group_id, partition)
        self._timeout_s = kafka.connect_timeout_s
        self._txn_timeout_s = transaction_timeout_ms / 1000
        self._partitions: dict[str, int] = {}
        self._producer = AIOKafkaProducer(
            **client_kwargs(kafka),
            client_id=f"{kafka.client_id}-router-p{partition}",
            transactional_id=self.transactional_id,
            transaction_timeout_ms=transaction_timeout_ms,
            acks="all",
            # A whole commit interval of outputs is handed over at once; large batches keep
            # `send` from waiting on the first (muted until AddPartitionsToTxn) batch.
            max_batch_size=512 * 1024,
            linger_ms=5,
        )

    async def start(self, topics: Sequence[str] = ()) -> None:
        """InitProducerId: fences the previous owner. The broker answers CONCURRENT_TRANSACTIONS
        (aiokafka retries) until that owner's open transaction is completed, so once this returns
        the committed offsets and the changelog of p are final and safe to read. `topics` are
        the output topics: their metadata is fetched now, not one by one in the first commit."""
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._producer.start()
                for topic in topics:
                    await self._partitions_of(topic)
        except (TimeoutError, KafkaError) as exc:
            await self.close()
            raise KafkaUnavailable(f"{self.transactional_id}: init failed: {exc!r}") from exc

    async def commit(
        self, records: Sequence[Record], offsets: Mapping[TopicPartition, int]
    ) -> None:
        """Outputs + state changelog + input offsets in one transaction, or none of them."""
        try:
            # Past the transaction timeout the broker aborts it anyway; waiting longer (a broker
            # that never comes back) would only hide the failure.
            async with asyncio.timeout(self._txn_timeout_s):
                await self._transaction(records, offsets)
        except (ProducerFenced, PartitionFenced) as exc:
            raise PartitionFenced(f"{self.transactional_id} fenced: {exc!r}") from exc
        except (KafkaError, AssertionError, OSError, TimeoutError) as exc:
            await self._abort()
            raise TransactionFailed(f"{self.transactional_id}: {exc!r}") from exc

    async def _transaction(
        self, records: Sequence[Record], offsets: Mapping[TopicPartition, int]
    ) -> None:
        prod = self._producer
        for topic in {r.topic for r in records} - self._partitions.keys():
            await self._partitions_of(topic)
        await prod.begin_transaction()
        waits: list[Awaitable[Any]] = []
        waits += await send_batched(prod, records, self._partitions, self.partition)
        if offsets:
            commit = {tp: OffsetAndMetadata(o, "") for tp, o in offsets.items()}
            waits.append(prod.send_offsets_to_transaction(commit, self.group_id))
        results = await asyncio.gather(*waits, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            # aiokafka never marks the transaction failed when one batch fails, so an
            # EndTxn(COMMIT) now could commit a transaction with a hole in it.
            raise errors[0]
        await prod.commit_transaction()
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s committed %d records, offsets %s",
                self.transactional_id,
                len(records),
                {f"{tp.topic}/{tp.partition}": o for tp, o in offsets.items()},
            )

    async def _partitions_of(self, topic: str) -> None:
        self._partitions[topic] = len(await self._producer.partitions_for(topic))

    async def _abort(self) -> None:
        # Best effort: if this fails too, the next owner's InitProducerId (ours, after a reset)
        # aborts the transaction anyway.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._producer.abort_transaction(), self._timeout_s)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._producer.stop(), self._timeout_s)


async def init_producers(
    kafka: KafkaSettings,
    group_id: str,
    numbers: Sequence[int],
    transaction_timeout_ms: int,
    topics: Sequence[str] = (),
) -> list[PartitionProducer]:
    """InitProducerId for each partition number, concurrently. Returns the producers that
    started (each fenced its previous owner); a number that failed is logged and left for the
    next take-over attempt, which the caller's owner retries."""
    producers = [PartitionProducer(kafka, group_id, p, transaction_timeout_ms) for p in numbers]
    results = await asyncio.gather(*(p.start(topics) for p in producers), return_exceptions=True)
    started = []
    for producer, error in zip(producers, results, strict=True):
        if error is None:
            started.append(producer)
        else:
            log.warning("%s not taken over yet: %r", producer.transactional_id, error)
    return started
