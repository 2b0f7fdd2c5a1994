"""Intake metrics. The registry is injected (one per process, or one per test) and every label
value comes from an enum, so cardinality is bounded by construction."""

from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from intake.message import Channel


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    UNAVAILABLE = "unavailable"
    REPLAYED = "replayed"


class AuthFailure(StrEnum):
    MISSING = "missing"
    UNKNOWN_TOKEN = "unknown_token"  # noqa: S105 - a label value, not a secret
    BAD_SIGNATURE = "bad_signature"
    STALE = "stale"
    FORBIDDEN = "forbidden"


# Publish latency is milliseconds-scale; the SLA-sized buckets live on router histograms.
_PUBLISH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class IntakeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.messages = Counter(
            "omniroute_intake_messages_total",
            "Messages received by intake, by channel and outcome",
            ["channel", "outcome"],
            registry=registry,
        )
        self.requests = Counter(
            "omniroute_intake_requests_total",
            "HTTP requests to the ingest API, by outcome",
            ["outcome"],
            registry=registry,
        )
        self.auth_failures = Counter(
            "omniroute_intake_auth_failures_total",
            "Rejected credentials or signatures, by channel and reason",
            ["channel", "reason"],
            registry=registry,
        )
        self.publish_seconds = Histogram(
            "omniroute_intake_publish_seconds",
            "Time from request to Kafka acknowledgement",
            buckets=_PUBLISH_BUCKETS,
            registry=registry,
        )
        self.kafka_up = Gauge(
            "omniroute_intake_kafka_up", "1 when Kafka answered the last probe", registry=registry
        )
        for channel in Channel:
            for outcome in Outcome:
                self.messages.labels(channel.value, outcome.value)

    def count(self, channel: Channel | str, outcome: Outcome, n: int = 1) -> None:
        label = channel.value if isinstance(channel, Channel) else "unknown"
        self.messages.labels(label, outcome.value).inc(n)
