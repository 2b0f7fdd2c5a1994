"""CloudEvents headers: constants are encoded once, times formatted per datetime object."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from intake.headers import cloudevent_headers, header

pytestmark = pytest.mark.unit


def stamp(time: datetime, subject: str | None = None) -> dict[str, bytes]:
    return dict(
        cloudevent_headers(
            event_id="m1", source="/omniroute/router", event_type="t.v1", time=time, subject=subject
        )
    )


def test_each_time_is_its_own_even_for_the_same_instant() -> None:
    utc = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    shifted = utc.astimezone(timezone(timedelta(hours=8)))
    assert stamp(utc)["ce_time"] == b"2026-11-22T10:00:00+00:00"
    assert stamp(shifted)["ce_time"] == b"2026-11-22T18:00:00+08:00"
    assert stamp(utc)["ce_time"] == b"2026-11-22T10:00:00+00:00"
    later = utc + timedelta(microseconds=1)
    assert stamp(later)["ce_time"] == b"2026-11-22T10:00:00.000001+00:00"


def test_all_attributes_and_the_optional_subject() -> None:
    utc = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    plain = cloudevent_headers(event_id="m1", source="/s", event_type="t.v1", time=utc)
    assert [k for k, _ in plain] == [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "content-type",
    ]
    assert stamp(utc, "returns")["ce_subject"] == b"returns"
    assert stamp(utc, "billing")["ce_subject"] == b"billing"
    assert header(plain, "ce_source") == "/s" and header(plain, "ce_id") == "m1"
