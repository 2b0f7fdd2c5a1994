"""Router metrics: injected registry, enum label values, SLA-threshold histogram buckets."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from intake.deadletter import Stage
from router.dedup.verdict import DedupLayer
from router.pipeline import NOT_ROUTED, Result

# A bucket at every default SLA threshold (15 s phone, 30 s chat, 1 h social, 24 h email)
# so "share answered within SLA" is an exact bucket ratio, not an interpolation.
SLA_BUCKETS = (
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    15.0,
    30.0,
    60.0,
    300.0,
    900.0,
    3600.0,
    14400.0,
    43200.0,
    86400.0,
    172800.0,
)


class RouterMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.consumed = Counter(
            "omniroute_router_consumed_total",
            "Intake records consumed, by channel",
            ["channel"],
            registry=registry,
        )
        self.dispatched = Counter(
            "omniroute_router_dispatched_total",
            "Messages dispatched, by department and priority",
            ["department", "priority", "layer"],
            registry=registry,
        )
        self.recorded = Counter(
            "omniroute_router_not_routed_total",
            "Messages recorded but not routed, by kind",
            ["kind"],
            registry=registry,
        )
        self.duplicates = Counter(
            "omniroute_duplicates_total",
            "Messages recognised as duplicates and recorded in the duplicates topic, by layer "
            "(exact: the same channel message again; near: the same content from the customer)",
            ["layer"],
            registry=registry,
        )
        self.follow_ups = Counter(
            "omniroute_router_follow_ups_total",
            "Messages threaded into an open case and dispatched to the case's department",
            ["department"],
            registry=registry,
        )
        self.deadletters = Counter(
            "omniroute_deadletters_total",
            "Records sent to the deadletter topic",
            ["stage", "reason"],
            registry=registry,
        )
        self.intake_to_dispatch = Histogram(
            "omniroute_intake_to_dispatch_seconds",
            "Time from intake receipt to dispatch, by channel, department and priority",
            ["channel", "department", "priority"],
            buckets=SLA_BUCKETS,
            registry=registry,
        )
        self.transactions = Counter(
            "omniroute_router_transactions_total",
            "Router Kafka transactions by result: committed, aborted (state reset from the "
            "changelog), fenced (another instance took the partition over)",
            ["result"],
            registry=registry,
        )
        self.restore_seconds = Histogram(
            "omniroute_router_restore_seconds",
            "Time to restore partition state from the changelog at a take-over",
            buckets=(0.01, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
            registry=registry,
        )
        self.partitions = Gauge(
            "omniroute_router_partitions_owned",
            "Partition numbers this instance owns (each: one transactional producer + state)",
            registry=registry,
        )
        # Not `omniroute_consumer_lag_records`: the SLA tracker registers that name and both can
        # share one registry.
        self.lag = Gauge(
            "omniroute_router_lag_records",
            "Committed intake records not yet processed (last stable offset - position)",
            ["channel"],
            registry=registry,
        )
        for stage in Stage:
            self.deadletters.labels(stage.value, "invalid_message")
        for result in ("committed", "aborted", "fenced"):
            self.transactions.labels(result)
        for layer in (DedupLayer.EXACT, DedupLayer.NEAR):
            self.duplicates.labels(layer.value)

    def observe(self, channel: str, result: Result) -> None:
        self.consumed.labels(channel).inc()
        if result.deadletter is not None:
            dl = result.deadletter
            self.deadletters.labels(dl.stage.value, dl.reason_code).inc()
            return
        decision, message, verdict = result.decision, result.message, result.verdict
        if verdict is not None and not verdict.dispatch:
            self.duplicates.labels((verdict.layer or DedupLayer.EXACT).value).inc()
            return
        if decision is None or message is None:
            return
        if message.kind in NOT_ROUTED:
            self.recorded.labels(message.kind.value).inc()
            return
        self.dispatched.labels(
            decision.department, decision.priority.value, decision.layer.value
        ).inc()
        if verdict is not None and verdict.kind == "follow_up":
            self.follow_ups.labels(decision.department).inc()
        latency = (decision.decided_at - message.received_at).total_seconds()
        self.intake_to_dispatch.labels(
            message.channel.value, decision.department, decision.priority.value
        ).observe(max(latency, 0.0))
