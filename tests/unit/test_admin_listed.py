"""ensure_topics returns only once the brokers list what it created (intake/admin.py)."""

from typing import cast

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from intake import admin
from intake.errors import KafkaUnavailable


class LaggingMetadata:
    """list_topics answers without the new topics for the first `lag` calls."""

    def __init__(self, lag: int) -> None:
        self.lag = lag
        self.calls = 0

    async def list_topics(self) -> list[str]:
        self.calls += 1
        return ["old"] if self.calls <= self.lag else ["old", "a", "b"]


async def test_waits_until_every_created_topic_is_listed() -> None:
    metadata = LaggingMetadata(lag=3)
    await admin._until_listed(cast(AIOKafkaAdminClient, metadata), ["a", "b"])
    assert metadata.calls == 4


async def test_topics_never_listed_fail_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(admin, "_LISTED_WITHIN_S", 0.2)
    with pytest.raises(KafkaUnavailable, match="not listed"):
        await admin._until_listed(cast(AIOKafkaAdminClient, LaggingMetadata(lag=10**6)), ["a"])
