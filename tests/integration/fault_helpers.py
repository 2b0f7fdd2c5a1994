"""Fault tests need a broker of their own that they may stop and restart (the session broker
is shared by every other test): a dedicated `LocalKafka` per test module."""

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake.admin import ensure_topics
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.localkafka import LocalKafka
from tests.integration.conftest import DEPARTMENTS


@dataclass
class Restartable:
    broker: LocalKafka
    bootstrap: str

    async def stop(self, *, crash: bool = False) -> None:
        """A clean stop (controlled shutdown), or SIGKILL with `crash`."""
        await asyncio.to_thread(self.broker.stop, crash=crash)

    async def start(self) -> None:
        await asyncio.to_thread(self.broker.start, 180.0)

    async def settings(self, **overrides: object) -> KafkaSettings:
        """Fresh topic prefix, topics created (3 partitions)."""
        prefix = f"f{uuid.uuid4().hex[:8]}"
        fields: dict[str, object] = {"bootstrap": self.bootstrap, "topic_prefix": prefix}
        settings = KafkaSettings.model_validate(fields | {"partitions": 3} | overrides)
        await ensure_topics(settings, Topics(prefix).specs(DEPARTMENTS, partitions=3))
        return settings


@pytest.fixture(scope="module")
def restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restartable]:
    broker = LocalKafka(Path(tmp_path_factory.mktemp("fault-kafka")))
    bootstrap = broker.start(timeout=180.0)
    try:
        yield Restartable(broker, bootstrap)
    finally:
        broker.stop()


async def until(condition: Callable[[], bool], limit_s: float, what: str) -> None:
    """Poll until `condition()` holds, failing after `limit_s`."""
    try:
        async with asyncio.timeout(limit_s):
            while not condition():  # noqa: ASYNC110 - the condition is outside asyncio's view
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {limit_s:.0f}s") from None
