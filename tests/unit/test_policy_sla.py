"""Priority signals and SLA deadlines: tier, channel, department, intent, kind, rules, repeat
contacts; explicit targets with business-hours calendars, holidays and customer time zones."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft
from intake.topics import Topics
from router.classifier import Classifier
from router.config import load_config
from router.config.loader import parse_config
from router.config.model import Priority
from router.config.routing import RoutingConfig
from router.decision import Decision
from router.dedup.verdict import Verdict
from router.pipeline import Pipeline

SHOP = load_config(Path(__file__).resolve().parents[1] / "fixtures" / "routing" / "shop")
MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


class Customer:
    def __init__(self, tier: str | None, time_zone: str | None = None) -> None:
        self.tier, self.time_zone = tier, time_zone

    def get(self, key: str) -> "Customer":
        return self


def msg(text: str, at: datetime = MONDAY_10, **kw: Any) -> Message:
    draft = MessageDraft.model_validate(
        {"channel": "email", "channel_message_id": text[:30] or "x", "text": text} | kw
    )
    return Completer(IdentityKeyer(b"k" * 16)).complete(draft, "test", at)


def decide(
    config: RoutingConfig, m: Message, customer: Customer | None = None, contacts: int = 1
) -> Decision:
    pipeline = Pipeline(Classifier(config, customers=customer), Topics(), clock=lambda: MONDAY_10)
    verdict = Verdict("new", None, None, m.id, None, contacts) if contacts > 1 else None
    return pipeline.decide(m, None, verdict)


PRIORITIES = """
departments: [orders, complaints]
classifier: {model: none}
priority:
  channels: {phone: high}
  departments: {complaints: high}
  intents: {cancel_order: urgent}
rules:
  - {id: cancel, department: orders, intent: cancel_order, keywords: [cancel]}
  - {id: moan, department: complaints, keywords: [moan]}
  - {id: legal, priority: urgent, keywords: [lawyer]}
"""


@pytest.mark.parametrize(
    ("text", "kw", "tier", "priority", "reason"),
    [
        ("hello", {}, None, Priority.NORMAL, "default"),
        ("hello", {}, "vip", Priority.HIGH, "tier:vip"),
        ("hello", {"channel": "phone"}, None, Priority.HIGH, "channel:phone"),
        ("moan", {}, None, Priority.HIGH, "department:complaints"),
        ("cancel", {}, None, Priority.URGENT, "intent:cancel_order"),
        ("moan, lawyer", {}, "vip", Priority.URGENT, "rule:legal"),
        (
            "missed",
            {"channel": "phone", "kind": "callback_request"},
            None,
            Priority.HIGH,
            "channel:phone",
        ),
    ],
)
def test_the_highest_signal_sets_priority_and_is_recorded(
    text: str, kw: dict[str, Any], tier: str | None, priority: Priority, reason: str
) -> None:
    d = decide(parse_config(PRIORITIES), msg(text, **kw), Customer(tier))
    assert (d.priority, d.priority_reason) == (priority, reason)
    assert f"priority:{priority.value}({reason})" in d.sla_policy


def test_a_missed_call_is_high_by_default() -> None:
    d = decide(
        parse_config("departments: [a]\nclassifier: {model: none}\n"),
        msg("", channel="phone", kind="callback_request"),
    )
    assert (d.priority, d.priority_reason) == (Priority.HIGH, "kind:callback_request")


def test_repeat_contacts_still_raise_priority() -> None:
    d = decide(parse_config("departments: [a]\nclassifier: {model: none}\n"), msg("x"), contacts=3)
    assert (d.priority, d.priority_reason) == (Priority.HIGH, "contacts:3")
    assert "contacts:3" in d.sla_policy


def test_office_hours_skip_the_night_and_the_holiday() -> None:
    # Monday 16:00 in Berlin: one hour left today, Tuesday is a holiday, seven more on Wednesday.
    d = decide(SHOP, msg("where is my parcel", at=datetime(2026, 1, 5, 15, 0, tzinfo=UTC)))
    assert d.sla_due_at == datetime(2026, 1, 7, 15, 0, tzinfo=UTC)
    assert (d.sla_target_seconds, d.sla_calendar) == (28800, "berlin")
    assert "target:email_office=28800s calendar:berlin@Europe/Berlin" in d.sla_policy


def test_vip_hours_count_in_the_customers_time_zone() -> None:
    # 05:00 in New York: the office there opens at 09:00 (14:00 UTC), one hour target.
    d = decide(SHOP, msg("where is my parcel"), Customer("vip", "America/New_York"))
    assert d.sla_due_at == datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    assert d.priority == Priority.HIGH and "target:vip_email" in d.sla_policy
    assert "@America/New_York" in d.sla_policy


def test_without_a_target_the_channel_default_runs_around_the_clock() -> None:
    d = decide(SHOP, msg("where is my parcel", channel="webchat"))
    assert d.sla_due_at == MONDAY_10 + timedelta(seconds=30) and d.sla_calendar is None


def test_targets_select_on_department_priority_and_language() -> None:
    config = parse_config("""
departments: [orders, logistics]
classifier: {model: none}
rules: [{id: p, department: logistics, keywords: [parcel, 快递]}]
sla:
  targets:
    - {id: zh_logistics, departments: [logistics], languages: [zh], seconds: 600}
    - {id: urgent_any, priorities: [urgent], seconds: 60}
""")
    assert "target:zh_logistics" in decide(config, msg("我的快递呢")).sla_policy
    assert "target:zh_logistics" not in decide(config, msg("my parcel")).sla_policy
    assert decide(config, msg("my parcel")).sla_due_at == MONDAY_10 + timedelta(days=1)
