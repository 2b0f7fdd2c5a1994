"""Startup checks on a real broker: missing topics refuse the start with their names, unless
topic creation is asked for (flag or environment); then they exist with omniroute's specs."""

import asyncio
import uuid

import pytest

from intake.admin import missing_topics
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute import startup
from omniroute.cli import main


@pytest.fixture
def fresh_prefix(kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch) -> KafkaSettings:
    prefix = f"st{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("OMNIROUTE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("OMNIROUTE_KAFKA_TOPIC_PREFIX", prefix)
    monkeypatch.setenv("OMNIROUTE_KAFKA_PARTITIONS", "2")
    return KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix, partitions=2)


def test_missing_topics_refuse_the_start(
    fresh_prefix: KafkaSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["router"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("omniroute router: missing Kafka topics: ")
    assert f"{fresh_prefix.topic_prefix}.intake.email" in err and "--create-topics" in err
    assert "\n" not in err


def test_create_topics_by_flag_or_environment(
    fresh_prefix: KafkaSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    kafka, _ = startup.prepare_intake(create=True)
    t = Topics(kafka.topic_prefix)
    assert asyncio.run(missing_topics(kafka, [t.intake("api"), t.events, t.deadletter])) == []
    # Intake made its own topics only: the router still refuses, naming a department queue.
    with pytest.raises(startup.StartupError, match=rf"{t.dept('customer_service')}"):
        startup.prepare_router(create=False)
    monkeypatch.setenv("OMNIROUTE_CREATE_TOPICS", "true")
    startup.prepare_router(create=False)
    specs = startup.router_specs(kafka, ["billing", "triage"])
    assert asyncio.run(missing_topics(kafka, [s.name for s in specs])) == []
