"""`Pipeline.process_batch`: the same outputs and state as `process_raw` record by record."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from intake import serde
from intake.message import Message, MessageKind
from intake.topics import Topics
from router.classifier import Classification, Classifier
from router.config import load_default_config
from router.pipeline import Pipeline, Result, Source
from tests.unit.dedup_helpers import COMPLAINT, T0, message, state

pytestmark = pytest.mark.unit

CONFIG = load_default_config()
TOPICS = Topics("p")
HOUR = timedelta(hours=1)


def records() -> list[bytes]:
    """New, exact and near duplicates, a follow-up, an auto-reply, poison, CJK, short text."""
    thread = {"thread": {"conversation_id": "conv-1"}}
    return [
        serde.dumps(message("m1", COMPLAINT)),
        serde.dumps(message("m2", "I want a refund for the broken kettle", at=T0 + HOUR)),
        serde.dumps(message("m1", COMPLAINT)),  # redelivery
        b"{}",
        serde.dumps(message("c1", COMPLAINT, channel="webchat", at=T0 + 2 * HOUR, **thread)),
        serde.dumps(message("c2", "any news?", channel="webchat", at=T0 + 3 * HOUR, **thread)),
        serde.dumps(message("a1", "out of office", kind=MessageKind.AUTO_REPLY, at=T0 + HOUR)),
        serde.dumps(
            message("z1", "我的快递三天了还没到，请帮我查一下物流。订单12345", at=T0 + HOUR)
        ),
        serde.dumps(message("z2", "我的快递三天了还没到,请帮我查一下物流 订单12345", at=T0 + HOUR)),
        serde.dumps(message("s1", "ok", at=T0 + 4 * HOUR)),
    ]


def sources(n: int) -> list[Source]:
    return [Source("p.intake.email", 3, offset) for offset in range(n)]


def flat(results: Sequence[Result]) -> list[Any]:
    """Every output byte, except a deadletter's (stamped with the wall clock): its reason."""
    return [
        (o.topic, o.key, o.value, o.headers, o.partition)
        if r.deadletter is None
        else (o.topic, r.deadletter.reason)
        for r in results
        for o in (*r.outputs, *r.state_changes)
    ]


@pytest.mark.parametrize("size", [1, 3, 10])
def test_batches_equal_one_by_one(size: int) -> None:
    p, raws, where = Pipeline(Classifier(CONFIG), TOPICS, clock=lambda: T0), records(), sources(10)
    one_state, batch_state = state(), state()
    single = [p.process_raw(raw, src, one_state) for raw, src in zip(raws, where, strict=True)]
    batched: list[Result] = []
    for i in range(0, len(raws), size):
        batched += p.process_batch(raws[i : i + size], where[i : i + size], batch_state)
    assert flat(batched) == flat(single)
    assert [r.verdict for r in batched] == [r.verdict for r in single]
    kinds = [r.verdict.kind if r.verdict else None for r in single]
    assert kinds.count("duplicate") == 3 and "follow_up" in kinds  # every path was taken
    assert len(one_state) == len(batch_state)


def test_a_classifier_failure_in_a_batch_deadletters_only_its_message() -> None:
    class Fragile(Classifier):
        def classify_many(self, messages: Sequence[Message]) -> list[Classification]:
            raise RuntimeError("model crashed")

        def classify(self, message: Message) -> Classification:
            if message.text == "poison":
                raise RuntimeError("model crashed")
            return super().classify(message)

    raws = [
        serde.dumps(message("m1", COMPLAINT)),
        serde.dumps(message("m2", "poison", at=T0 + HOUR)),
        serde.dumps(message("m3", "I want a refund for the broken kettle", at=T0 + HOUR)),
    ]
    s = state()
    results = Pipeline(Fragile(CONFIG), TOPICS).process_batch(raws, sources(3), s)
    assert [r.outputs[0].topic for r in results] == [
        "p.dept.logistics",
        "p.deadletter",
        "p.dept.returns",
    ]
    assert results[1].state_changes == []  # as if never seen
    assert s.near.fingerprint(message("m2", "poison")) is None  # no prints left behind
