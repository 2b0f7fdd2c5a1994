"""Building alerts, with the escalation a rule asks for. The tracker only *decides*; the runner
(`router.sla.process`) writes the alert and, for a re-dispatch, the escalation record to the
target department's queue in the partition's transaction."""

from router.config.model import Priority
from router.sla.alerts import Alert, AlertKind, Escalation, alert_id
from router.sla.config import EscalationRule
from router.sla.record import CaseRecord, to_datetime


def make_alert(
    r: CaseRecord, kind: AlertKind, t: float, elapsed: float, rule: EscalationRule | None
) -> Alert:
    escalation = None
    if rule is not None:
        escalation = Escalation(
            rule_id=rule.id, redispatch_to=rule.redispatch_to, raise_priority=rule.raise_priority
        )
    at = to_datetime(t)
    assert at is not None
    return Alert(
        id=alert_id(r.case_id, kind),
        kind=kind,
        case_id=r.case_id,
        department=r.department,
        channel=r.channel,
        priority=Priority(r.priority),
        due_at=to_datetime(r.due_at),
        target_seconds=r.target_s,
        elapsed_seconds=round(elapsed, 3),
        at=at,
        escalation=escalation,
    )
