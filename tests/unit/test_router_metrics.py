"""The router's counters follow what the pipeline decided: dispatches, duplicates by layer,
follow-ups by department, deadletters by reason."""

import pytest
from prometheus_client import CollectorRegistry

from intake import serde
from intake.topics import Topics
from router.classifier import Classifier
from router.config import load_default_config
from router.metrics import RouterMetrics
from router.pipeline import Pipeline, Source
from tests.unit.dedup_helpers import COMPLAINT, T0, message, state

pytestmark = pytest.mark.unit

SOURCE = Source("p.intake.email", 3, 10)


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def test_duplicates_by_layer_follow_ups_and_deadletters_are_counted() -> None:
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    p, s = Pipeline(Classifier(load_default_config()), Topics("p"), clock=lambda: T0), state()
    first = message("m1", COMPLAINT, thread={"message_id_header": "<a@x>"})
    results = [
        p.process(first, s),
        p.process_raw(serde.dumps(first), SOURCE, s),  # redelivered: exact
        p.process(message("m2", "  " + COMPLAINT.upper(), channel="webchat"), s),  # near
        p.process(message("m3", "The invoice is wrong too", thread={"in_reply_to": "<a@x>"}), s),
        p.process_raw(b"{not json", SOURCE, s),
    ]
    for result in results:
        metrics.observe("email", result)
    assert value(registry, "omniroute_router_consumed_total", channel="email") == 5
    assert value(registry, "omniroute_duplicates_total", layer="exact") == 1
    assert value(registry, "omniroute_duplicates_total", layer="near") == 1
    owner = results[0].decision.department if results[0].decision else ""
    assert value(registry, "omniroute_router_follow_ups_total", department=owner) == 1
    dispatched = sum(
        s.value
        for m in registry.collect()
        if m.name == "omniroute_router_dispatched"
        for s in m.samples
        if s.name.endswith("_total")
    )
    assert dispatched == 2
    reason = {"stage": "router_decode", "reason": "invalid_message"}
    assert value(registry, "omniroute_deadletters_total", **reason) == 1
