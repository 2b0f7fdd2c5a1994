"""The pipeline with a PartitionState: duplicates, follow-ups, case ids, changelog outputs."""

from datetime import timedelta
from typing import Any

import orjson
import pytest

from intake import serde
from intake.message import MessageKind
from intake.topics import Topics
from router.classifier import Classifier
from router.config import load_default_config
from router.config.loader import parse_config
from router.config.model import Priority
from router.pipeline import Pipeline, Source
from tests.unit.dedup_helpers import T0, message, state

CONFIG = load_default_config()
TOPICS = Topics("p")
SOURCE = Source("p.intake.email", 3, 10)


def pipeline(config: Any = CONFIG) -> Pipeline:
    return Pipeline(Classifier(config), TOPICS, clock=lambda: T0)


def test_without_state_nothing_changes() -> None:
    result = pipeline().process(message("m1", "I want a refund for the broken kettle"))
    assert [o.topic for o in result.outputs] == ["p.dept.returns", "p.decisions"]
    assert result.verdict is None and result.state_changes == []
    assert result.decision is not None and result.decision.case_id is None


def test_new_message_gets_a_case_and_changelog_records() -> None:
    s = state()
    result = pipeline().process(message("m1", "I want a refund for the broken kettle"), s)
    assert result.decision is not None and result.verdict is not None
    assert result.decision.case_id == result.verdict.case_id
    assert result.decision.contact_count == 1
    assert [o.topic for o in result.outputs] == ["p.dept.returns", "p.decisions", "p.events"]
    assert result.state_changes
    assert {(o.topic, o.partition) for o in result.state_changes} == {("p.router.state", 3)}
    dispatched = orjson.loads(result.outputs[0].value or b"")
    assert dispatched["decision"]["case_id"] == result.verdict.case_id
    # The SLA clock starts in the same transaction, keyed by case id like the tools' events.
    case = result.outputs[2]
    assert case.key == result.verdict.case_id.encode()
    assert dict(case.headers)["ce_type"] == b"io.omniroute.case_dispatched.v1"
    body = orjson.loads(case.value or b"")
    assert (body["kind"], body["contact_count"], body["department"]) == ("new", 1, "returns")
    assert body["sla_target_seconds"] == result.decision.sla_target_seconds


def test_duplicate_goes_to_duplicates_not_to_a_department() -> None:
    p, s = pipeline(), state()
    first = p.process(message("m1", "I want a refund for the broken kettle"), s)
    raw = serde.dumps(message("m1", "I want a refund for the broken kettle"))
    again = p.process_raw(raw, SOURCE, s)
    assert [o.topic for o in again.outputs] == ["p.duplicates"]
    out = again.outputs[0]
    assert out.key == message("m1").routing_key.encode()
    body = orjson.loads(out.value or b"")
    assert body["duplicate_of"] == message("m1").id and body["layer"] == "exact"
    assert first.verdict is not None and body["case_id"] == first.verdict.case_id
    assert body["message"]["id"] == message("m1").id and body["department"] == "returns"
    assert dict(out.headers)["ce_type"] == b"io.omniroute.duplicate.v1"
    assert again.decision is None and again.deadletter is None


def test_near_duplicate_record_points_at_the_original() -> None:
    p, s = pipeline(), state()
    p.process(message("e1"), s)
    result = p.process(message("c1", channel="webchat", at=T0 + timedelta(hours=1)), s)
    body = orjson.loads(result.outputs[0].value or b"")
    assert body["layer"] == "near" and body["duplicate_of"] == message("e1").id
    assert body["contact_count"] == 2
    assert result.state_changes  # the case counted one more contact


def test_follow_up_goes_to_the_case_owner_with_the_case_id() -> None:
    p, s = pipeline(), state()
    first = p.process(message("m1", "I want a refund", thread={"message_id_header": "<a@x>"}), s)
    reply = message("m2", "The invoice is wrong too", thread={"in_reply_to": "<a@x>"})
    result = p.process(reply, s)
    d = result.decision
    assert d is not None and first.decision is not None
    assert d.department == "returns" and d.classified_department == "billing"
    assert d.case_id == first.decision.case_id and d.contact_count == 2
    assert result.outputs[0].topic == "p.dept.returns"
    case = orjson.loads(result.outputs[-1].value or b"")
    assert (case["kind"], case["case_id"], case["contact_count"]) == ("follow_up", d.case_id, 2)


def test_follow_up_to_a_department_no_longer_configured_is_classified_afresh() -> None:
    s = state()
    old = parse_config("departments: [legacy]\nrules: [{id: r, department: legacy, keywords: [x]}]")
    pipeline(old).process(message("m1", "x marks it", thread={"message_id_header": "<a@x>"}), s)
    reply = message("m2", "I want a refund", thread={"in_reply_to": "<a@x>"})
    d = pipeline().process(reply, s).decision
    assert d is not None and d.department == "returns" and d.classified_department is None


def test_third_contact_raises_priority() -> None:
    p, s = pipeline(), state()
    priorities = []
    for i in range(3):
        m = message(
            f"m{i}", f"question number {i}", thread={"conversation_id": "conv"}, channel="webchat"
        )
        d = p.process(m, s).decision
        assert d is not None
        priorities.append((d.priority, d.contact_count))
    assert priorities == [(Priority.NORMAL, 1), (Priority.NORMAL, 2), (Priority.HIGH, 3)]


def test_repeat_contact_threshold_is_configurable() -> None:
    config = parse_config("departments: [a]\nsla: {repeat_contacts: 2, repeat_priority: urgent}\n")
    p, s = pipeline(config), state()
    p.process(message("m1", "one", thread={"conversation_id": "c"}, channel="webchat"), s)
    d = p.process(message("m2", "two", thread={"conversation_id": "c"}, channel="webchat"), s)
    assert d.decision is not None and d.decision.priority == Priority.URGENT
    assert "contacts:2" in d.decision.sla_policy


def test_auto_replies_do_not_touch_the_state() -> None:
    s = state()
    result = pipeline().process(message("m1", "I am out of office", kind=MessageKind.AUTO_REPLY), s)
    assert [o.topic for o in result.outputs] == ["p.decisions"]
    assert result.state_changes == [] and len(s) == 0


@pytest.mark.parametrize("raw", [b"", b"{}", b"\xff"])
def test_unreadable_records_still_deadletter_with_a_state(raw: bytes) -> None:
    result = pipeline().process_raw(raw, SOURCE, state())
    assert [o.topic for o in result.outputs] == ["p.deadletter"]
    assert result.state_changes == []


def test_classifier_failure_leaves_the_state_untouched() -> None:
    class Broken(Classifier):
        def classify(self, message: Any) -> Any:
            raise RuntimeError("model crashed")

    s = state()
    raw = serde.dumps(message("m1"))
    result = Pipeline(Broken(CONFIG), TOPICS).process_raw(raw, SOURCE, s)
    assert [o.topic for o in result.outputs] == ["p.deadletter"]
    assert len(s) == 0 and result.state_changes == []
    assert pipeline().process_raw(raw, SOURCE, s).verdict is not None


def test_failure_after_the_state_changed_still_writes_the_changelog() -> None:
    class Failing(Pipeline):
        def decide(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("policy bug")

    s = state()
    result = Failing(Classifier(CONFIG), TOPICS).process_raw(serde.dumps(message("m1")), SOURCE, s)
    assert [o.topic for o in result.outputs] == ["p.deadletter"]
    assert result.state_changes and len(s) > 0  # memory and changelog agree
