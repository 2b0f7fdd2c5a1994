"""The router's `dispatched` record: the bytes it writes read back as the contract model, with
the decision's target, calendar and zone."""

from datetime import UTC, datetime, timedelta

from intake import serde
from intake.message import Channel, Message
from router.classifier import Layer
from router.config.model import Priority
from router.decision import Decision
from router.sla.dispatched import CaseDispatched, calendar_zone, case_dispatched, dispatched_record

T0 = datetime(2025, 3, 7, 16, tzinfo=UTC)


def decision(policy: str, calendar: str | None, **extra: object) -> Decision:
    return Decision(
        message_id="m2",
        department="billing",
        layer=Layer.RULES,
        confidence=1.0,
        priority=Priority.HIGH,
        sla_due_at=T0 + timedelta(days=3),
        sla_policy=policy,
        sla_target_seconds=7200,
        sla_calendar=calendar,
        case_id="case-1",
        contact_count=2,
        config_version="v1",
        decided_at=T0 + timedelta(seconds=1),
        **extra,  # type: ignore[arg-type]
    )


MESSAGE = Message(
    channel=Channel.EMAIL, channel_message_id="m2", id="m2", source="test",
    received_at=T0, occurred_at=T0 - timedelta(minutes=5), routing_key="k", text="hello",
)  # fmt: skip


def test_record_bytes_read_back_as_the_model() -> None:
    d = decision("priority:high(default) channel:email=7200s calendar:office@Asia/Tokyo", "office")
    key, value, headers = dispatched_record(MESSAGE, d, follow_up=True)
    record = serde.loads(CaseDispatched, value)
    assert record == case_dispatched(MESSAGE, d, "follow_up")
    assert key == b"case-1" and dict(headers)["ce_type"] == b"io.omniroute.case_dispatched.v1"
    assert (record.kind, record.contact_count, record.sla_target_seconds) == ("follow_up", 2, 7200)
    assert record.started_at == T0 - timedelta(minutes=5)  # when the customer acted
    assert (record.sla_calendar, record.calendar_timezone) == ("office", "Asia/Tokyo")


def test_no_calendar_no_zone() -> None:
    d = decision("priority:high(default) channel:email=7200s", None)
    record = serde.loads(CaseDispatched, dispatched_record(MESSAGE, d, follow_up=False)[1])
    assert record.sla_calendar is None and record.calendar_timezone is None
    assert record.kind == "new"


def test_zone_is_read_from_the_policy_text_of_its_own_calendar() -> None:
    d = decision("priority:normal(default) target:t=60s calendar:office@Europe/Berlin", "office")
    assert calendar_zone(d) == "Europe/Berlin"
    assert calendar_zone(decision("priority:normal(default) target:t=60s", "office")) is None
