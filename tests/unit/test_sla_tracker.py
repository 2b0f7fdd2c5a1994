from intake.events import EventType
from intake.message import Channel
from router.sla.alerts import AlertKind
from router.sla.config import EscalationRule, SlaTrackerConfig
from router.sla.tracker import EventStatus, SlaTracker
from router.sla.transitions import Measure
from tests.unit.test_sla_helpers import DEPARTMENTS, T0, dispatch, event, secs


def tracker(**config: object) -> SlaTracker:
    return SlaTracker(SlaTrackerConfig.model_validate(config), DEPARTMENTS)


def test_response_in_time_is_met_and_observed_once() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 30))
    u = tr.on_event(event("c1", EventType.FIRST_RESPONSE, T0 + secs(10)))
    assert u.status is EventStatus.APPLIED
    [obs] = u.observations
    assert (obs.measure, obs.seconds, obs.met) == (Measure.FIRST_RESPONSE, 10.0, True)
    again = tr.on_event(event("c1", EventType.RESPONDED, T0 + secs(12)))
    assert again.status is EventStatus.DUPLICATE and not again.observations
    assert tr.tick(T0 + secs(100)) == []


def test_at_risk_then_breach_each_once() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 100))
    assert tr.tick(T0 + secs(79)) == []
    [risk] = tr.tick(T0 + secs(80))
    assert risk.kind is AlertKind.AT_RISK and risk.id == "c1:at_risk"
    assert tr.tick(T0 + secs(90)) == []
    [breach] = tr.tick(T0 + secs(100))
    assert breach.kind is AlertKind.BREACHED and breach.elapsed_seconds == 100
    assert tr.tick(T0 + secs(500)) == []
    late = tr.on_event(event("c1", EventType.FIRST_RESPONSE, T0 + secs(600)))
    [obs] = late.observations
    assert obs.met is None and obs.seconds == 600  # outcome already counted by the breach
    assert not late.alerts


def test_late_response_before_tick_is_the_breach() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 30))
    u = tr.on_event(event("c1", EventType.FIRST_RESPONSE, T0 + secs(45)))
    assert [a.kind for a in u.alerts] == [AlertKind.BREACHED]
    assert u.observations[0].met is None
    assert tr.tick(T0 + secs(60)) == []


def test_breach_after_downtime_skips_at_risk() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 30))
    assert [a.kind for a in tr.tick(T0 + secs(3600))] == [AlertKind.BREACHED]
    assert tr.tick(T0 + secs(3601)) == []


def test_pause_and_resume_move_the_deadline() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 100))
    tr.on_event(event("c1", EventType.WAITING_ON_CUSTOMER, T0 + secs(50)))
    assert tr.cases["c1"].due_at is None
    assert tr.tick(T0 + secs(1000)) == []  # the clock is stopped while we wait on the customer
    tr.on_event(event("c1", EventType.CUSTOMER_REPLIED, T0 + secs(1050)))
    assert tr.cases["c1"].due_at == (T0 + secs(1100)).timestamp()
    assert tr.tick(T0 + secs(1079)) == []
    assert [a.kind for a in tr.tick(T0 + secs(1080))] == [AlertKind.AT_RISK]
    u = tr.on_event(event("c1", EventType.FIRST_RESPONSE, T0 + secs(1090)))
    assert u.observations[0].seconds == 90 and u.observations[0].met is True


def test_pause_replays_are_ignored() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 100))
    pause = event("c1", EventType.WAITING_ON_CUSTOMER, T0 + secs(10))
    tr.on_event(pause)
    assert tr.on_event(pause).status is EventStatus.DUPLICATE
    tr.on_event(event("c1", EventType.CUSTOMER_REPLIED, T0 + secs(20)))
    assert tr.on_event(pause).status is EventStatus.DUPLICATE  # older than the resume
    assert tr.cases["c1"].paused == [((T0 + secs(10)).timestamp(), (T0 + secs(20)).timestamp())]


def test_resolution_reopen_and_resolution_observed_once() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 30))
    u = tr.on_event(event("c1", EventType.RESOLVED, T0 + secs(20)))
    kinds = [(o.measure, o.seconds) for o in u.observations]
    assert kinds == [(Measure.FIRST_RESPONSE, 20), (Measure.RESOLUTION, 20)]
    assert tr.on_event(event("c1", EventType.REOPENED, T0 + secs(40))).status is EventStatus.APPLIED
    assert tr.cases["c1"].open and tr.cases["c1"].reopens == 1
    again = tr.on_event(event("c1", EventType.RESOLVED, T0 + secs(90)))
    assert again.status is EventStatus.APPLIED and again.observations == []


def test_events_of_unknown_cases_are_rejected_not_kept() -> None:
    tr = tracker()
    early = event("c1", EventType.FIRST_RESPONSE, T0 + secs(5))
    assert tr.on_event(early).status is EventStatus.UNKNOWN_CASE
    assert tr.cases == {} and tr.drain_dirty() == ([], [])
    tr.on_dispatched(dispatch("c1", 30))
    assert [o.met for o in tr.on_event(early).observations] == [True]


def test_transfer_to_known_department_only() -> None:
    tr = tracker()
    tr.on_dispatched(dispatch("c1", 30))
    bad = tr.on_event(event("c1", EventType.TRANSFERRED, T0 + secs(1), to="nowhere"))
    assert bad.status is EventStatus.UNKNOWN_DEPARTMENT
    tr.on_event(event("c1", EventType.TRANSFERRED, T0 + secs(1), to="logistics"))
    assert tr.cases["c1"].department == "logistics"
    [breach] = tr.tick(T0 + secs(31))
    assert breach.department == "logistics"


def test_escalation_rule_redispatches_on_breach() -> None:
    rule = EscalationRule(
        id="to_supervisor", redispatch_to="supervisors", channels=(Channel.WEBCHAT,)
    )
    tr = tracker(escalations=[rule.model_dump()])
    tr.on_dispatched(dispatch("c1", 10))
    tr.on_dispatched(dispatch("c2", 10, channel=Channel.EMAIL))
    alerts = {a.case_id: a for a in tr.tick(T0 + secs(11))}
    assert alerts["c1"].escalation is not None
    assert alerts["c1"].escalation.redispatch_to == "supervisors"
    assert alerts["c2"].escalation is None
    assert tr.cases["c1"].escalated_to == "supervisors"


def test_resolved_cases_are_evicted_with_tombstones() -> None:
    tr = tracker(retain_resolved_seconds=60)
    tr.on_dispatched(dispatch("c1", 30))
    tr.on_event(event("c1", EventType.RESOLVED, T0 + secs(5)))
    tr.drain_dirty()
    tr.tick(T0 + secs(100))
    assert "c1" not in tr.cases
    assert tr.drain_dirty() == ([], ["c1"])
