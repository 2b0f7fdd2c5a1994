"""Layer 1: the same channel message id seen again."""

from datetime import timedelta

from router.dedup.verdict import DedupLayer
from tests.unit.dedup_helpers import DAY, T0, message, restart, state


def test_redelivery_is_an_exact_duplicate_of_itself() -> None:
    s = state()
    first = s.apply(message("m1"), T0)
    s.record_dispatch(message("m1"), first, "logistics", T0)
    again = s.apply(message("m1", at=T0 + timedelta(minutes=5)), T0 + timedelta(minutes=5))
    assert first.kind == "new" and first.layer is None and first.contact_count == 1
    assert again.kind == "duplicate" and again.layer == DedupLayer.EXACT
    assert again.original_id == message("m1").id
    assert again.case_id == first.case_id and again.department == "logistics"
    assert again.contact_count == 1  # a redelivery is not another contact by the customer


def test_message_id_is_what_matters_not_the_text() -> None:
    s = state(near_enabled=False)
    s.apply(message("m1"), T0)
    edited = s.apply(message("m1", text="something else entirely"), T0)
    other = s.apply(message("m2"), T0)
    assert edited.kind == "duplicate" and other.kind == "new"


def test_window_edges() -> None:
    s = state(near_enabled=False, window_s=86_400)
    s.apply(message("m1"), T0)
    inside = s.apply(message("m1"), T0 + DAY)  # exactly the window: still inside
    assert inside.kind == "duplicate"
    s = state(near_enabled=False, window_s=86_400)
    s.apply(message("m1"), T0)
    outside = s.apply(message("m1"), T0 + DAY + timedelta(seconds=1))
    assert outside.kind == "new"


def test_window_counts_from_first_sight_not_from_redeliveries() -> None:
    # A redelivery does not refresh the message: a webhook retried for days still ends.
    s = state(near_enabled=False)
    s.apply(message("m1"), T0)
    s.apply(message("m1"), T0 + timedelta(hours=20))
    assert s.apply(message("m1"), T0 + DAY + timedelta(hours=1)).kind == "new"


def test_same_channel_id_on_another_channel_or_tenant_is_another_message() -> None:
    s = state(near_enabled=False)
    s.apply(message("m1"), T0)
    assert s.apply(message("m1", channel="webchat", email=None), T0).kind == "new"
    assert s.apply(message("m1", tenant="shop-b", email=None), T0).kind == "new"


def test_duplicate_straddling_a_restart() -> None:
    s = state()
    first = s.apply(message("m1"), T0)
    s.record_dispatch(message("m1"), first, "returns", T0)
    after = restart(s).apply(message("m1"), T0 + timedelta(hours=1))
    assert after.kind == "duplicate" and after.layer == DedupLayer.EXACT
    assert after.case_id == first.case_id and after.department == "returns"


def test_restart_does_not_stretch_the_window() -> None:
    s = state(near_enabled=False)
    s.apply(message("m1"), T0)
    assert restart(s).apply(message("m1"), T0 + DAY + timedelta(seconds=1)).kind == "new"
