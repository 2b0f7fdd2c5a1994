"""Waiting until every record of some topics has a decided transaction.

A consume-transform-produce transaction commits its input offsets and its outputs together, but
the coordinator writes the commit markers to each partition separately: a group's committed
offsets (the marker on `__consumer_offsets`) do not prove that the markers on its output
partitions are written too. The verifier reads the outputs only once the last stable offset of
every output partition has reached its high watermark, so nothing it reads past is still
undecided. A transaction that never gets its markers (a hanging transaction, see
`deploy/kafka/README.md`) fails the wait with the partitions it holds back, instead of showing
up as "missing" outcomes.
"""

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from intake.errors import KafkaUnavailable
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from router.verify.read import partitions_of


def _ends_reader(kafka: KafkaSettings, isolation_level: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **client_kwargs(kafka),
        group_id=None,
        enable_auto_commit=False,
        isolation_level=isolation_level,
    )


async def undecided(
    stable: AIOKafkaConsumer, written: AIOKafkaConsumer, tps: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """Records per partition between the last stable offset and the high watermark."""
    lso = await stable.end_offsets(tps)
    hwm = await written.end_offsets(tps)
    return {tp: hwm[tp] - lso[tp] for tp in tps if hwm[tp] > lso[tp]}


async def wait_decided(kafka: KafkaSettings, topics: list[str], timeout_s: float) -> None:
    """Until no record of `topics` waits for its transaction's outcome, at most `timeout_s`
    (an open transaction of a dead producer is aborted by the coordinator after the producer's
    transaction timeout)."""
    tps = await partitions_of(kafka, topics)
    stable = _ends_reader(kafka, "read_committed")
    written = _ends_reader(kafka, "read_uncommitted")
    await stable.start()
    await written.start()
    pending: dict[TopicPartition, int] = {}
    try:
        async with asyncio.timeout(timeout_s):
            while pending := await undecided(stable, written, tps):  # noqa: ASYNC110 - broker state
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise KafkaUnavailable(
            f"transactions still undecided after {timeout_s:.0f}s: {pending}"
        ) from None
    finally:
        await stable.stop()
        await written.stop()
