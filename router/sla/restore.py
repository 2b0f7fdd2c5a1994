"""Startup of the standalone tracker: which alerts exist already, and up to where each input
partition was already counted.

The standalone tracker keeps its case state in memory. On start it rebuilds that state by
replaying its inputs from the beginning; records before the group's committed offset are
*replayed* (state only: no metrics, no alerts), later ones are *live*. Alerts are read back from
`omniroute.alerts` so none is raised twice. This needs input retention longer than the longest
open case; the transactional runner's changelog (see `router/sla/consumer.py`) removes that.
"""

from aiokafka import AIOKafkaConsumer, TopicPartition

from intake import serde
from intake.errors import InvalidInput
from intake.kafka import admin, consumer
from intake.settings import KafkaSettings
from router.sla.alerts import Alert


async def partitions(kafka: KafkaSettings, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the (existing) topics, from the cluster metadata."""
    client = admin(kafka)
    await client.start()
    try:
        described = await client.describe_topics(topics)
    finally:
        await client.close()
    return sorted(
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t["error_code"] == 0
        for p in t["partitions"]
    )


async def published_alert_ids(kafka: KafkaSettings, topic: str) -> set[str]:
    tps = await partitions(kafka, [topic])
    if not tps:
        return set()
    reader = consumer(
        kafka, "sla-restore", enable_auto_commit=False, isolation_level="read_committed"
    )
    await reader.start()
    try:
        reader.assign(tps)
        await reader.seek_to_beginning(*tps)
        return await _read_ids(reader, await reader.end_offsets(tps))
    finally:
        await reader.stop()


async def _read_ids(reader: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> set[str]:
    ids: set[str] = set()
    remaining = {tp for tp, end in ends.items() if end > 0}
    # Bounded: each poll either returns records (progress) or the partition is at its end.
    for _ in range(1_000_000):
        if not remaining:
            break
        batches = await reader.getmany(timeout_ms=500)
        for records in batches.values():
            for record in records:
                try:
                    ids.add(serde.loads(Alert, record.value or b"").id)
                except InvalidInput:
                    continue  # not ours to judge; the alerts topic has other writers
        for tp in list(remaining):
            if await reader.position(tp) >= ends[tp]:
                remaining.discard(tp)
    return ids


async def replay_boundaries(
    cons: AIOKafkaConsumer, tps: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """Offsets below which records were already counted: the committed offset, or for a
    partition without one, the current end (history builds state but is not counted as new).
    That end is committed at once, so records arriving on a quiet partition while the tracker is
    down are counted by the next incarnation instead of being taken for history."""
    ends = await cons.end_offsets(tps)
    out: dict[TopicPartition, int] = {}
    for tp in tps:
        committed = await cons.committed(tp)
        out[tp] = ends[tp] if committed is None else committed
    fresh = {tp: ends[tp] for tp in tps if out[tp] == ends[tp]}
    if fresh:
        await cons.commit(fresh)
    return out
