from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from intake.complete import Completer
from intake.errors import KafkaUnavailable
from intake.identity import IdentityKeyer
from intake.message import MessageDraft
from intake.metrics import IntakeMetrics
from intake.sink import Sink
from tests.unit.fake_kafka import FakePublisher

DRAFT = MessageDraft(channel="email", channel_message_id="<a@b>", text="hi")  # type: ignore[arg-type]


def sample(registry: CollectorRegistry, outcome: str) -> float | None:
    return registry.get_sample_value(
        "omniroute_intake_messages_total", {"channel": "email", "outcome": outcome}
    )


async def test_metered_sink_counts_accepted_and_unavailable() -> None:
    registry = CollectorRegistry()
    publisher = FakePublisher()
    sink = Sink(Completer(IdentityKeyer(b"k" * 16)), publisher, IntakeMetrics(registry))  # type: ignore[arg-type]
    await sink.deliver([DRAFT, DRAFT], "imap")
    publisher.down = True
    with pytest.raises(KafkaUnavailable):
        await sink.deliver([DRAFT], "imap")
    assert sample(registry, "accepted") == 2
    assert sample(registry, "unavailable") == 1


async def test_sink_without_metrics_counts_nothing() -> None:
    sink = Sink(Completer(IdentityKeyer(b"k" * 16)), FakePublisher())  # type: ignore[arg-type]
    assert await sink.deliver([], "x") == []
    assert len(await sink.deliver([DRAFT], "x")) == 1
    assert sink.complete([DRAFT], "x", datetime.now(UTC))[0].source == "x"
