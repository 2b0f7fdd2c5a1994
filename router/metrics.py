"""Router metrics: injected registry, enum label values, SLA-threshold histogram buckets."""

from prometheus_client import CollectorRegistry, Counter, Histogram

from intake.deadletter import Stage

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
        for stage in Stage:
            self.deadletters.labels(stage.value, "invalid_message")
