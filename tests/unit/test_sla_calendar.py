from datetime import UTC, date, datetime

import pytest
import yaml
from pydantic import ValidationError

from intake import serde
from intake.events import EventType
from intake.message import Channel, Message
from intake.topics import Topics
from router.classifier import Classifier
from router.config import load_default_config
from router.config.loader import parse_config
from router.pipeline import Pipeline
from router.sla import calendar
from router.sla.alerts import AlertKind
from router.sla.config import BusinessCalendar, SlaTrackerConfig
from router.sla.dispatched import CaseDispatched
from router.sla.tracker import SlaTracker
from router.state.partition import DedupSettings, PartitionState
from tests.unit.test_sla_helpers import DEPARTMENTS, dispatch, event, secs

OFFICE = BusinessCalendar()  # Mon-Fri 09:00-17:00 UTC
FRIDAY_4PM = datetime(2025, 3, 7, 16, tzinfo=UTC)


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_around_the_clock_without_calendar() -> None:
    assert calendar.elapsed(None, 0, 100) == 100
    assert calendar.reach(None, 0, 100) == 100


def test_deadline_skips_nights_and_weekends() -> None:
    friday_4pm = ts(2025, 3, 7, 16)
    assert calendar.reach(OFFICE, friday_4pm, 2 * 3600) == ts(2025, 3, 10, 10)
    assert calendar.elapsed(OFFICE, friday_4pm, ts(2025, 3, 10, 10)) == 2 * 3600
    saturday = ts(2025, 3, 8, 12)
    assert calendar.reach(OFFICE, saturday, 600) == ts(2025, 3, 10, 9, 10)


def test_holidays_are_closed() -> None:
    cal = BusinessCalendar(holidays=(date(2025, 3, 10),))
    assert calendar.reach(cal, ts(2025, 3, 7, 16), 2 * 3600) == ts(2025, 3, 11, 10)


def test_local_hours_follow_daylight_saving() -> None:
    berlin = BusinessCalendar(timezone="Europe/Berlin")
    # EU summer time starts on Sunday 2025-03-30: 09:00 local is 08:00 UTC before, 07:00 after.
    assert calendar.reach(berlin, ts(2025, 3, 28, 15, 30), 3600) == ts(2025, 3, 31, 7, 30)
    assert calendar.elapsed(berlin, ts(2025, 3, 28, 0), ts(2025, 3, 29, 0)) == 8 * 3600


def test_pauses_are_cut_out_of_open_hours_only() -> None:
    monday_9 = ts(2025, 3, 3, 9)
    pause = [(ts(2025, 3, 3, 16), ts(2025, 3, 4, 10))]  # 1 h open + the night + 1 h open
    assert calendar.elapsed(OFFICE, monday_9, ts(2025, 3, 4, 12), pause) == 9 * 3600
    assert calendar.reach(OFFICE, monday_9, 8 * 3600, pause) == ts(2025, 3, 4, 11)


def test_split_and_24h_ranges() -> None:
    cal = BusinessCalendar(hours={"mon": ("08:00-12:00", "13:00-24:00")})
    monday = ts(2025, 3, 3)
    assert calendar.elapsed(cal, monday, monday + 86400) == 15 * 3600
    assert calendar.reach(cal, monday, 5 * 3600) == ts(2025, 3, 3, 14)


@pytest.mark.parametrize(
    "bad",
    [
        {"timezone": "Mars/Olympus"},
        {"hours": {"mon": ("09:00-12:00", "11:00-13:00")}},
        {"hours": {"mon": ("12:00-09:00",)}},
        {"hours": {"mon": ("09:00-24:30",)}},
        {"hours": {}},
    ],
)
def test_invalid_calendars_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BusinessCalendar.model_validate(bad)


def test_unreachable_target_is_bounded() -> None:
    cal = BusinessCalendar(hours={"mon": ("09:00-09:01",)})
    assert calendar.reach(cal, 0, 10**9) == calendar.FOREVER


def test_tracker_counts_on_the_calendar_the_decision_named() -> None:
    tr = SlaTracker(SlaTrackerConfig(), DEPARTMENTS, {"office": OFFICE})
    saturday = datetime(2025, 3, 8, 12, tzinfo=UTC)
    tr.on_dispatched(dispatch("c1", 3600, at=saturday, calendar="office"))
    tr.on_dispatched(dispatch("c2", 3600, at=saturday))  # no calendar: around the clock
    alerts = tr.tick(saturday + secs(7200))
    assert [(a.case_id, a.kind) for a in alerts] == [("c2", AlertKind.BREACHED)]
    assert tr.cases["c1"].due_at == ts(2025, 3, 10, 10)
    monday_0910 = datetime(2025, 3, 10, 9, 10, tzinfo=UTC)
    u = tr.on_event(event("c1", EventType.FIRST_RESPONSE, monday_0910))
    assert u.observations[0].seconds == 600 and u.observations[0].met


def test_business_hours_are_counted_once_with_a_routing_calendar() -> None:
    """The router's deadline already skips closed hours; the tracker must count the decision's
    target in business seconds, not the wall-clock span to that deadline again."""
    data = load_default_config().model_dump(mode="json", exclude={"version"})
    data["sla"]["calendars"] = {"office": OFFICE.model_dump(mode="json")}
    data["sla"]["default_calendar"] = "office"
    data["sla"]["first_response_seconds"]["social"] = 7200
    config = parse_config(yaml.safe_dump(data))
    pipeline = Pipeline(Classifier(config), Topics("p"), clock=lambda: FRIDAY_4PM)
    message = Message(
        channel=Channel.SOCIAL, channel_message_id="m1", id="m1", source="test",
        received_at=FRIDAY_4PM, routing_key="k-1", text="hello there",
    )  # fmt: skip
    result = pipeline.process(message, PartitionState(0, DedupSettings()))
    [case] = [o for o in result.outputs if o.topic == "p.events"]
    record = serde.loads(CaseDispatched, case.value or b"")
    assert record.sla_calendar == "office"
    target = record.sla_target_seconds
    assert 3600 < target <= 7200  # more than Friday's last open hour
    due = calendar.reach(OFFICE, FRIDAY_4PM.timestamp(), target)
    assert record.due_at.timestamp() == due and due > FRIDAY_4PM.timestamp() + 2 * 86400
    tr = SlaTracker(SlaTrackerConfig(), DEPARTMENTS, {"office": OFFICE})
    tr.on_dispatched(record)
    r = tr.cases[record.case_id]
    assert r.target_s == target and r.due_at == due  # not the wall-clock span, counted again
    before = datetime.fromtimestamp(due - 1, UTC)
    assert [a.kind for a in tr.tick(before)] == [AlertKind.AT_RISK]
    assert [a.kind for a in tr.tick(datetime.fromtimestamp(due, UTC))] == [AlertKind.BREACHED]


def test_customer_time_zone_of_the_decision_is_kept() -> None:
    tr = SlaTracker(SlaTrackerConfig(), DEPARTMENTS, {"office": OFFICE})
    tr.on_dispatched(dispatch("c1", 3600, at=FRIDAY_4PM, calendar="office", zone="Asia/Tokyo"))
    # 09:00-17:00 Tokyo is 00:00-08:00 UTC: Friday 16:00 UTC is closed until Monday 00:00 UTC.
    assert tr.cases["c1"].due_at == ts(2025, 3, 10, 1)
