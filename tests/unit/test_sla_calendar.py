from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from intake.events import EventType
from router.sla import calendar
from router.sla.alerts import AlertKind
from router.sla.config import BusinessCalendar, SlaTrackerConfig
from router.sla.tracker import SlaTracker
from tests.unit.test_sla_helpers import DEPARTMENTS, dispatch, event, secs

OFFICE = BusinessCalendar()  # Mon-Fri 09:00-17:00 UTC


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


def test_tracker_uses_department_calendar() -> None:
    config = SlaTrackerConfig(calendars={"complaints": OFFICE})
    tr = SlaTracker(config, DEPARTMENTS)
    saturday = datetime(2025, 3, 8, 12, tzinfo=UTC)
    tr.on_dispatch(*dispatch("c1", 3600, at=saturday, department="complaints"))
    tr.on_dispatch(*dispatch("c2", 3600, at=saturday, department="logistics"))
    alerts = tr.tick(saturday + secs(7200))
    assert [(a.case_id, a.kind) for a in alerts] == [("c2", AlertKind.BREACHED)]
    monday_0910 = datetime(2025, 3, 10, 9, 10, tzinfo=UTC)
    u = tr.on_event(event("c1", EventType.FIRST_RESPONSE, monday_0910, department="complaints"))
    assert u.observations[0].seconds == 600 and u.observations[0].met
