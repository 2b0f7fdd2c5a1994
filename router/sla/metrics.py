"""SLA metrics. Label values are bounded by configuration: departments from the routing config
(anything else becomes "unknown"), channels and priorities from their enums, event types and
statuses from theirs. Case ids never become labels; they live on /status and in alerts only.

The outcome counters are created for every label combination up front: `rate()` and
`increase()` cannot see the first increment of a series that did not exist before it.
"""

from collections.abc import Iterable
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from intake.events import EventType
from intake.message import Channel
from router.config.model import Priority
from router.metrics import SLA_BUCKETS
from router.sla.alerts import Alert, AlertKind
from router.sla.process import Effects
from router.sla.summary import TrackedCases, summarize
from router.sla.tracker import EventStatus
from router.sla.transitions import Measure, Observation

UNKNOWN = "unknown"
_CHANNELS = frozenset(c.value for c in Channel)
_PRIORITIES = frozenset(p.value for p in Priority)
_LABELS = ["channel", "department", "priority"]


class SlaMetrics:
    def __init__(
        self,
        registry: CollectorRegistry,
        departments: Iterable[str],
        deadletters: Counter | None = None,
    ) -> None:
        """`deadletters`: the router's counter when both share one registry (one process),
        since a registry refuses a second collector of the same name."""
        self.departments = frozenset(departments)
        r = registry
        self.first_response = Histogram(
            "omniroute_first_response_seconds",
            "Time to first response in SLA seconds (business hours, pauses excluded)",
            _LABELS, buckets=SLA_BUCKETS, registry=r,
        )  # fmt: skip
        self.resolution = Histogram(
            "omniroute_resolution_seconds",
            "Time to (first) resolution in SLA seconds (business hours, pauses excluded)",
            _LABELS, buckets=SLA_BUCKETS, registry=r,
        )  # fmt: skip
        self.outcomes = Counter(
            "omniroute_sla_first_response",
            "Cases whose first-response SLA was decided, by outcome (met|breached)",
            [*_LABELS, "outcome"], registry=r,
        )  # fmt: skip
        self.at_risk = Counter(
            "omniroute_sla_at_risk", "At-risk alerts raised", _LABELS, registry=r
        )
        self.breaches = Counter(
            "omniroute_sla_breaches", "First-response SLA breaches", _LABELS, registry=r
        )
        self.escalations = Counter(
            "omniroute_sla_escalations", "Escalations by action", ["action"], registry=r
        )
        self.events = Counter(
            "omniroute_sla_events",
            "Lifecycle events taken by the SLA tracker, by type and status",
            ["type", "status"], registry=r,
        )  # fmt: skip
        self.deadletters = deadletters or Counter(
            "omniroute_deadletters", "Records sent to the deadletter topic",
            ["stage", "reason"], registry=r,
        )  # fmt: skip
        self.open_cases = Gauge(
            "omniroute_open_cases", "Open (unresolved) cases", ["department"], registry=r
        )
        self.awaiting = Gauge(
            "omniroute_awaiting_response_cases", "Open cases without a first response",
            ["department"], registry=r,
        )  # fmt: skip
        self.oldest = Gauge(
            "omniroute_oldest_unanswered_seconds",
            "Wall-clock age of the oldest open case without a first response",
            ["department"], registry=r,
        )  # fmt: skip
        self.at_risk_open = Gauge(
            "omniroute_sla_at_risk_cases", "Unanswered cases past the at-risk point, not breached",
            ["department"], registry=r,
        )  # fmt: skip
        self.partitions = Gauge(
            "omniroute_sla_partitions_owned",
            "Partitions of omniroute.events this tracker instance owns",
            registry=r,
        )
        self.transactions = Counter(
            "omniroute_sla_transactions",
            "SLA tracker Kafka transactions by result: committed, aborted (partition reset "
            "from its changelog), fenced (another instance took the partition over)",
            ["result"], registry=r,
        )  # fmt: skip
        for result in ("committed", "aborted", "fenced"):
            self.transactions.labels(result)
        self.lag = Gauge(
            "omniroute_consumer_lag_records", "Records not yet consumed, summed over partitions",
            ["consumer", "topic"], registry=r,
        )  # fmt: skip
        self._precreate()

    def _precreate(self) -> None:
        for d in [*sorted(self.departments), UNKNOWN]:
            for c in sorted(_CHANNELS):
                for p in sorted(_PRIORITIES):
                    for outcome in ("met", "breached"):
                        self.outcomes.labels(c, d, p, outcome)
                    self.at_risk.labels(c, d, p)
                    self.breaches.labels(c, d, p)
        for t in EventType:
            for s in EventStatus:
                self.events.labels(t.value, s.value)

    def labels(self, channel: str, department: str, priority: str) -> tuple[str, str, str]:
        return (
            channel if channel in _CHANNELS else UNKNOWN,
            department if department in self.departments else UNKNOWN,
            priority if priority in _PRIORITIES else UNKNOWN,
        )

    def department(self, department: str) -> str:
        return department if department in self.departments else UNKNOWN

    def observe(self, observations: Iterable[Observation]) -> None:
        for o in observations:
            labels = self.labels(o.channel, o.department, o.priority)
            if o.measure is Measure.RESOLUTION:
                self.resolution.labels(*labels).observe(o.seconds)
                continue
            self.first_response.labels(*labels).observe(o.seconds)
            if o.met:
                self.outcomes.labels(*labels, "met").inc()

    def alerted(self, alerts: Iterable[Alert]) -> None:
        for a in alerts:
            labels = self.labels(a.channel, a.department, a.priority.value)
            if a.kind is AlertKind.BREACHED:
                self.breaches.labels(*labels).inc()
                self.outcomes.labels(*labels, "breached").inc()
            else:
                self.at_risk.labels(*labels).inc()
            if a.escalation is not None:
                if a.escalation.redispatch_to is not None:
                    self.escalations.labels("redispatch").inc()
                if a.escalation.raise_priority is not None:
                    self.escalations.labels("raise_priority").inc()

    def event(self, event_type: EventType, status: EventStatus) -> None:
        self.events.labels(event_type.value, status.value).inc()

    def count(self, effects: Effects) -> None:
        """What a committed transaction did (never called for one that failed)."""
        self.observe(effects.observations)
        self.alerted(effects.alerts)
        for event_type, status in effects.events:
            self.event(event_type, status)
        for stage, reason in effects.deadletters:
            self.deadletters.labels(stage.value, reason).inc()

    def refresh_gauges(self, tracker: TrackedCases, now: datetime) -> None:
        totals: dict[str, list[float]] = {d: [0, 0, 0.0, 0] for d in [*self.departments]}
        for s in summarize(tracker, now, max_cases=0).departments.values():
            row = totals.setdefault(self.department(s.department), [0, 0, 0.0, 0])
            row[0] += s.open_cases
            row[1] += s.awaiting_response
            row[2] = max(row[2], s.oldest_waiting_seconds)
            row[3] += s.at_risk
        for d, (open_, awaiting, oldest, risk) in totals.items():
            self.open_cases.labels(d).set(open_)
            self.awaiting.labels(d).set(awaiting)
            self.oldest.labels(d).set(oldest)
            self.at_risk_open.labels(d).set(risk)
