"""`omniroute topics ensure`: create missing topics idempotently and report what exists."""

import asyncio

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from intake.errors import KafkaUnavailable
from intake.kafka import admin
from intake.settings import KafkaSettings
from intake.topics import TopicSpec

_COMPACT = {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"}
_LISTED_WITHIN_S = 60.0


async def ensure_topics(settings: KafkaSettings, specs: list[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    client = admin(settings)
    await client.start()
    try:
        existing = set(await client.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(
                s.name,
                s.partitions,
                settings.replication_factor,
                topic_configs=dict(_COMPACT) if s.compacted else {},
            )
            for s in missing
        ]
        response = await client.create_topics(new)
        _raise_for_errors(response.to_object().get("topic_errors", []))
        created = [s.name for s in missing]
        await _until_listed(client, created)
        return created
    finally:
        await client.close()


async def _until_listed(client: AIOKafkaAdminClient, names: list[str]) -> None:
    """CreateTopics answers once the controller has committed the topics; the brokers list them
    in their metadata a little later (seconds on a loaded machine), and a consumer that
    subscribes in between is assigned nothing of them."""
    try:
        async with asyncio.timeout(_LISTED_WITHIN_S):
            while not set(names) <= set(await client.list_topics()):  # noqa: ASYNC110 - broker
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise KafkaUnavailable(f"created topics not listed after {_LISTED_WITHIN_S:.0f}s") from None


def _raise_for_errors(topic_errors: list[dict[str, object]]) -> None:
    for item in topic_errors:
        code = int(str(item.get("error_code", 0)))
        # Already-exists means another process won the race: the topic is there, which is all
        # an idempotent ensure needs.
        if code not in (0, TopicAlreadyExistsError.errno):
            error = for_code(code)
            detail = item.get("error_message") or error.message
            raise error(f"creating {item.get('topic')}: {detail}")


async def missing_topics(settings: KafkaSettings, names: list[str]) -> list[str]:
    client = admin(settings)
    await client.start()
    try:
        existing = set(await client.list_topics())
        return [n for n in names if n not in existing]
    finally:
        await client.close()


async def partitions(settings: KafkaSettings, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the (existing) topics, from the cluster metadata."""
    client = admin(settings)
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
