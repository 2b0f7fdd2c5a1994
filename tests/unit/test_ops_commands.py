"""The pure parts of `omniroute deadletter | replay | status`; the Kafka parts are exercised in
tests/integration/test_ops_commands.py."""

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from intake import serde
from intake.deadletter import DeadLetter, Stage
from intake.events import EventType, LifecycleEvent
from intake.message import Message
from intake.topics import Topics
from omniroute.commands import ops_kafka as ok
from omniroute.commands.ops_redrive import REDRIVE_HEADER, Entry, plan
from omniroute.commands.ops_replay_diff import Dispatched, render, replay_one, summarize
from omniroute.commands.ops_status import fold_cases
from router.classifier import Classifier
from router.config import load_default_config
from router.config.loader import parse_config
from router.pipeline import Pipeline

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TOPICS = Topics("p")


def message(text: str, mid: str = "api:m-1") -> Message:
    return Message(
        channel="api", channel_message_id=mid.split(":")[1], id=mid, source="shop",
        received_at=NOW, routing_key="rk-1", text=text,
    )  # fmt: skip


def test_parse_time_ages_and_iso() -> None:
    assert ok.parse_time("90s", NOW) == NOW - timedelta(seconds=90)
    assert ok.parse_time("2d", NOW) == NOW - timedelta(days=2)
    assert ok.parse_time("2026-11-01T10:00:00") == datetime(2026, 11, 1, 10, tzinfo=UTC)
    with pytest.raises(ok.OpsError):
        ok.parse_time("yesterday")


def test_position_and_table() -> None:
    assert ok.at("2:17") == (2, 17)
    for bad in ("2", "a:1", "1:-3"):
        with pytest.raises(ok.OpsError):
            ok.at(bad)
    assert ok.table(["A", "BB"], [["xyz", 1]]).splitlines() == ["A    BB", "xyz  1"]


def entry(
    raw: bytes, topic: str | None = "p.intake.api", stage: Stage = Stage.ROUTER_PROCESS
) -> Entry:
    record = DeadLetter.of(
        raw, stage=stage, reason_code="processing_error", reason="boom", source="router",
        topic=topic, partition=1, offset=5,
    )  # fmt: skip
    return Entry(0, 42, record)


def test_redrive_plan_republishes_a_valid_message_with_its_key() -> None:
    raw = serde.dumps(message("hello"))
    topic, key, headers, problem = plan(entry(raw), None, None, TOPICS, force=False)
    assert (topic, key, problem) == ("p.intake.api", b"rk-1", "")
    assert (REDRIVE_HEADER, b"p.deadletter/0:42") in headers
    assert ("ce_id", b"api:m-1") in headers


def test_redrive_plan_skips_what_would_come_straight_back() -> None:
    *_, problem = plan(entry(b"{broken"), None, None, TOPICS, force=False)
    assert problem.startswith("still not valid")
    topic, key, _, problem = plan(entry(b"{broken"), None, None, TOPICS, force=True)
    assert (topic, key, problem) == ("p.intake.api", None, "")
    # A corrected payload replaces the raw bytes.
    fixed = serde.dumps(message("fixed"))
    assert plan(entry(b"{broken"), fixed, None, TOPICS, force=False)[3] == ""
    # Connector input never reached a topic: nothing to send it back to.
    *_, problem = plan(entry(b"x", None, Stage.CONNECTOR), None, None, TOPICS, force=False)
    assert "no source topic" in problem
    assert plan(Entry(0, 1, None, "bad"), None, None, TOPICS, force=True)[3]


def test_redrive_plan_validates_and_keys_lifecycle_events() -> None:
    event = LifecycleEvent(
        id="e-1", type=EventType.RESOLVED, case_id="c-7", department="billing",
        occurred_at=NOW, actor="tool",
    )  # fmt: skip
    dl = entry(serde.dumps(event), topic="p.events", stage=Stage.EVENTS)
    topic, key, _, problem = plan(dl, None, None, TOPICS, force=False)
    assert (topic, key, problem) == ("p.events", b"c-7", "")
    bad = entry(b'{"id": "e-2"}', topic="p.events", stage=Stage.EVENTS)
    assert plan(bad, None, None, TOPICS, force=False)[3].startswith("still not valid")


def test_fold_cases_open_resolved_reopened_transferred() -> None:
    def ev(kind: EventType, case: str, to: str | None = None) -> LifecycleEvent:
        return LifecycleEvent(
            id=f"{case}-{kind}", type=kind, case_id=case, department="billing",
            occurred_at=NOW, to_department=to, actor="tool",
        )  # fmt: skip

    dispatches = [("c1", "billing"), ("c2", "billing"), ("c3", "returns"), ("c1", "orders")]
    events = [
        ev(EventType.RESOLVED, "c1"),
        ev(EventType.TRANSFERRED, "c2", "complaints"),
        ev(EventType.RESOLVED, "c3"),
        ev(EventType.REOPENED, "c3"),
        ev(EventType.RESOLVED, "unknown-case"),
    ]
    assert fold_cases(dispatches, events) == {"complaints": 1, "returns": 1}


def candidate() -> str:
    text = resources.files("router.defaults").joinpath("routing.yaml").read_text("utf-8")
    return text.replace("    department: logistics\n", "    department: orders\n", 1)


def test_replay_diff_names_what_changes() -> None:
    live = Pipeline(Classifier(load_default_config()), TOPICS)
    new = Pipeline(Classifier(parse_config(candidate())), TOPICS)
    parcel = message("my parcel never arrived, the tracking shows nothing")
    decided = live.decide(parcel)
    assert decided.department == "logistics"
    # The baseline is read back from the decisions topic, as the router wrote it.
    before = serde.loads(Dispatched, serde.dumps(decided))
    row = replay_one(new, serde.dumps(parcel), "p.intake.api/0/7", before)
    assert row.after is not None and row.after.department == "orders"
    assert "department" in row.changes
    same = replay_one(live, serde.dumps(parcel), "p.intake.api/0/7", before)
    assert same.changes == ()
    reworded = before.model_copy(update={"sla_policy": "another wording"})
    assert replay_one(live, serde.dumps(parcel), "p.intake.api/0/7", reworded).changes == ()
    nobase = replay_one(new, serde.dumps(parcel), "p.intake.api/0/8", None)
    broken = replay_one(new, b"{", "p.intake.api/0/9", None)
    summary = summarize([row, same, nobase, broken])
    assert (summary.changed, summary.unchanged, summary.no_baseline, summary.undecidable) == (
        1, 1, 1, 1,
    )  # fmt: skip
    text = render([row, same, nobase, broken], summary, 10, "abc")
    assert "logistics -> orders: 1" in text
    assert "api:m-1 (p.intake.api/0/7): department logistics -> orders" in text


def test_replay_keeps_a_follow_up_with_its_case_owner() -> None:
    live = Pipeline(Classifier(load_default_config()), TOPICS)
    new = Pipeline(Classifier(parse_config(candidate())), TOPICS)
    parcel = message("where is my parcel? tracking shows nothing")
    owned = serde.loads(Dispatched, serde.dumps(live.decide(parcel))).model_copy(
        update={"department": "returns", "classified_department": "logistics", "contact_count": 2}
    )
    row = replay_one(new, serde.dumps(parcel), "p.intake.api/0/1", owned)
    assert row.after is not None and row.after.department == "returns"
