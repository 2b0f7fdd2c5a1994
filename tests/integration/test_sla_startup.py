"""`omniroute sla-tracker` start-up on a real broker: without its topics (the compacted
changelog `omniroute.sla.state` among them) it refuses to start with one line naming them,
unless topic creation is asked for; then the changelog exists, compacted."""

import asyncio
import uuid

import pytest
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from intake.kafka import admin
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.cli import main
from omniroute.commands.sla import _prepare


@pytest.fixture
def fresh_prefix(kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch) -> KafkaSettings:
    prefix = f"sl{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("OMNIROUTE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("OMNIROUTE_KAFKA_TOPIC_PREFIX", prefix)
    monkeypatch.setenv("OMNIROUTE_KAFKA_PARTITIONS", "2")
    return KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix, partitions=2)


async def cleanup_policy(kafka: KafkaSettings, topic: str) -> str:
    client = admin(kafka)
    await client.start()
    try:
        [described] = await client.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic)]
        )
        entries = described.resources[0][4]
        return next(str(e[1]) for e in entries if e[0] == "cleanup.policy")
    finally:
        await client.close()


def test_missing_topics_refuse_the_start_unless_created(
    fresh_prefix: KafkaSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sla-tracker"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("omniroute sla-tracker: missing Kafka topics: ")
    assert "--create-topics" in err and "\n" not in err
    kafka, _, _ = _prepare(create=True)
    changelog = Topics(kafka.topic_prefix).sla_state
    assert asyncio.run(cleanup_policy(kafka, changelog)) == "compact"
