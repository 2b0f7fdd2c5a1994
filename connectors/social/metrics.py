"""Social connector metrics, registered once in the app's injected registry. Labels come from
the `Platform` and `IgnoreKind` enums only (bounded cardinality)."""

from weakref import WeakKeyDictionary

from prometheus_client import CollectorRegistry, Counter

from connectors.social.events import reason_labels


class SocialMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.ignored = Counter(
            "omniroute_social_ignored_events_total",
            "Webhook events that are not customer requests (statuses, echoes, reads ...)",
            ["platform", "kind"],
            registry=registry,
        )
        self.deadletters = Counter(
            "omniroute_social_deadletters_total",
            "Signed webhook bodies (or events in them) that could not be read",
            ["connector"],
            registry=registry,
        )

    def count_ignored(self, reasons: list[str]) -> None:
        for text in reasons:
            self.ignored.labels(*reason_labels(text)).inc()


# Routes cannot register startup hooks and a started aiohttp app must not get new state, so the
# metrics hang off the registry itself: one SocialMetrics per registry, created on first use.
_BY_REGISTRY: "WeakKeyDictionary[CollectorRegistry, SocialMetrics]" = WeakKeyDictionary()


def social_metrics(registry: CollectorRegistry) -> SocialMetrics:
    found = _BY_REGISTRY.get(registry)
    if found is None:
        found = _BY_REGISTRY[registry] = SocialMetrics(registry)
    return found
