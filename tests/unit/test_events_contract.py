from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from intake import serde
from intake.events import EventType, LifecycleEvent

BASE = {
    "id": "e1",
    "type": "resolved",
    "case_id": "case-1",
    "department": "returns",
    "occurred_at": "2025-03-03T09:00:00+01:00",
    "actor": "zendesk-bridge",
}


def test_round_trip_and_key() -> None:
    e = LifecycleEvent.model_validate(BASE)
    assert e.schema_version == "1" and e.key == b"case-1"
    assert e.occurred_at == datetime(2025, 3, 3, 8, tzinfo=UTC)
    assert serde.loads(LifecycleEvent, serde.dumps(e)) == e


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_at": "2025-03-03T09:00:00"},  # no offset: ambiguous, rejected
        {"type": "closed"},
        {"case_id": "has spaces"},
        {"department": "Billing Dept"},
        {"actor": "Jane Doe <jane@example.com>"},  # a person, not a tool
        {"type": "transferred"},  # needs to_department
        {"to_department": "billing"},  # only for transfers
        {"extra": 1},
    ],
)
def test_invalid_events(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        LifecycleEvent.model_validate({**BASE, **change})


def test_event_types_are_a_small_closed_set() -> None:
    assert len(EventType) == 8
    assert {t.value for t in EventType} >= {"assigned", "first_response", "waiting_on_customer"}
