"""Integration fixtures: one real Apache Kafka broker for the whole session (the embedded local
broker, or an existing cluster named by OMNIROUTE_KAFKA_BOOTSTRAP), and a fresh topic prefix
per test so tests never see each other's records."""

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.admin import ensure_topics
from intake.settings import KafkaSettings
from intake.topics import Topics

DEPARTMENTS = [
    "customer_service",
    "technical_support",
    "complaints",
    "logistics",
    "returns",
    "billing",
    "orders",
    "triage",
]


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    existing = os.environ.get("OMNIROUTE_KAFKA_BOOTSTRAP")
    if existing:
        yield existing
        return
    from omniroute.localkafka import LocalKafka

    broker = LocalKafka(Path(tmp_path_factory.mktemp("kafka")))
    bootstrap = broker.start()
    try:
        yield bootstrap
    finally:
        broker.stop()


@pytest.fixture
def kafka_settings(kafka_bootstrap: str) -> KafkaSettings:
    """Settings with a unique topic prefix, topics created (3 partitions)."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    settings = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix, partitions=3)
    specs = Topics(prefix).specs(DEPARTMENTS, partitions=3)
    asyncio.run(ensure_topics(settings, specs))
    return settings


@pytest.fixture
def topics(kafka_settings: KafkaSettings) -> Topics:
    return Topics(kafka_settings.topic_prefix)
