"""A restart in the middle of cases: records go through their changelog encoding into a fresh
tracker, the remaining events (and replays of old ones) arrive, and nothing is counted twice."""

from intake.events import EventType
from router.sla.alerts import AlertKind
from router.sla.config import SlaTrackerConfig
from router.sla.record import decode, encode
from router.sla.tracker import SlaTracker
from tests.unit.test_sla_helpers import DEPARTMENTS, T0, dispatch, event, secs


def fresh() -> SlaTracker:
    return SlaTracker(SlaTrackerConfig(), DEPARTMENTS)


def restart(tr: SlaTracker) -> SlaTracker:
    records, _ = tr.drain_dirty()
    blobs = [encode(r) for r in records]
    assert all(len(b) < 256 for b in blobs)
    new = fresh()
    new.restore(decode(b) for b in blobs)
    return new


def test_encoding_round_trips() -> None:
    tr = fresh()
    tr.on_dispatched(dispatch("c1", 100))
    tr.on_event(event("c1", EventType.WAITING_ON_CUSTOMER, T0 + secs(10)))
    tr.on_event(event("c1", EventType.CUSTOMER_REPLIED, T0 + secs(20)))
    tr.tick(T0 + secs(95))
    before = tr.cases["c1"]
    again = fresh()
    again.restore([decode(encode(before))])  # deadlines are recomputed, not stored
    assert again.cases["c1"] == before


def test_restart_mid_case_counts_everything_once() -> None:
    tr = fresh()
    first = dispatch("c1", 100)
    tr.on_dispatched(first)
    tr.on_dispatched(dispatch("c2", 100))
    pause = event("c1", EventType.WAITING_ON_CUSTOMER, T0 + secs(10))
    tr.on_event(pause)
    alerts = tr.tick(T0 + secs(85))
    assert [(a.case_id, a.kind) for a in alerts] == [("c2", AlertKind.AT_RISK)]

    tr = restart(tr)
    # Redelivered inputs from before the restart change nothing.
    assert tr.on_dispatched(first).observations == []
    assert tr.on_event(pause).observations == []
    assert tr.tick(T0 + secs(86)) == []  # c2's at-risk is not raised again
    [breach] = tr.tick(T0 + secs(100))
    assert (breach.case_id, breach.kind) == ("c2", AlertKind.BREACHED)

    tr.on_event(event("c1", EventType.CUSTOMER_REPLIED, T0 + secs(40)))
    u = tr.on_event(event("c1", EventType.FIRST_RESPONSE, T0 + secs(60)))
    assert [(o.seconds, o.met) for o in u.observations] == [(30.0, True)]

    tr = restart(tr)
    replay = tr.on_event(event("c1", EventType.FIRST_RESPONSE, T0 + secs(60)))
    assert replay.observations == [] and replay.alerts == []
    assert tr.tick(T0 + secs(10_000)) == []


def test_breach_flag_travels_in_the_changelog() -> None:
    tr = fresh()
    tr.on_dispatched(dispatch("c1", 100))
    [breach] = tr.tick(T0 + secs(200))
    assert breach.kind is AlertKind.BREACHED
    tr = restart(tr)
    assert tr.tick(T0 + secs(300)) == []
    assert tr.cases["c1"].at_risk_emitted and tr.cases["c1"].breached_emitted


def test_follow_up_contact_count_survives_a_restart() -> None:
    tr = fresh()
    tr.on_dispatched(dispatch("c1", 100))
    assert tr.on_dispatched(dispatch("c1", 100, at=T0 + secs(30), contacts=2)).status.value == (
        "applied"
    )
    tr = restart(tr)
    assert tr.cases["c1"].contact_count == 2
    assert tr.cases["c1"].started_at == T0.timestamp()  # the first contact's clock runs on
