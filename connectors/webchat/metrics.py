"""Web chat metrics in the app's injected registry; label values from enums only."""

from enum import StrEnum
from weakref import WeakKeyDictionary

from prometheus_client import CollectorRegistry, Counter, Gauge


class Rejection(StrEnum):
    RATE_LIMITED = "rate_limited"
    TOO_LARGE = "too_large"
    BAD_FRAME = "bad_frame"
    BINARY = "binary"
    UNAVAILABLE = "unavailable"


class WebChatMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.connections = Gauge(
            "omniroute_webchat_connections", "Open chat WebSocket connections", registry=registry
        )
        self.rejected = Counter(
            "omniroute_webchat_rejected_frames_total",
            "Chat frames answered with an error frame, by reason",
            ["reason"],
            registry=registry,
        )
        self.abuse_closes = Counter(
            "omniroute_webchat_abuse_closes_total",
            "Chat connections closed with 1008 after too many rejected frames",
            registry=registry,
        )
        for reason in Rejection:
            self.rejected.labels(reason.value)


# Routes cannot register startup hooks (and a started app takes no new state), so the metrics
# are attached to the registry: one instance per registry, created on first use.
_BY_REGISTRY: "WeakKeyDictionary[CollectorRegistry, WebChatMetrics]" = WeakKeyDictionary()


def webchat_metrics(registry: CollectorRegistry) -> WebChatMetrics:
    found = _BY_REGISTRY.get(registry)
    if found is None:
        found = _BY_REGISTRY[registry] = WebChatMetrics(registry)
    return found
