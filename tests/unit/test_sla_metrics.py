from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry

from intake.events import EventType
from intake.message import Channel
from router.sla.config import SlaTrackerConfig
from router.sla.metrics import SlaMetrics
from router.sla.tracker import EventStatus, SlaTracker
from tests.unit.test_sla_helpers import DEPARTMENTS, T0, dispatch, event, secs

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def test_outcomes_histograms_and_alerts_are_counted_once() -> None:
    registry = CollectorRegistry()
    metrics = SlaMetrics(registry, DEPARTMENTS)
    tr = SlaTracker(SlaTrackerConfig(), DEPARTMENTS)
    tr.on_dispatched(dispatch("met", 30))
    tr.on_dispatched(dispatch("late", 30, channel=Channel.EMAIL))
    u = tr.on_event(event("met", EventType.FIRST_RESPONSE, T0 + secs(10)))
    metrics.observe(u.observations)
    metrics.event(EventType.FIRST_RESPONSE, u.status)
    metrics.alerted(tr.tick(T0 + secs(25)))  # late: at risk
    metrics.alerted(tr.tick(T0 + secs(31)))  # late: breached
    u = tr.on_event(event("late", EventType.RESOLVED, T0 + secs(90)))
    metrics.observe(u.observations)
    metrics.alerted(u.alerts)
    labels = {"department": "customer_service", "priority": "normal"}
    chat, mail = {**labels, "channel": "webchat"}, {**labels, "channel": "email"}
    assert value(registry, "omniroute_sla_first_response_total", **chat, outcome="met") == 1
    assert value(registry, "omniroute_sla_first_response_total", **mail, outcome="breached") == 1
    assert value(registry, "omniroute_sla_first_response_total", **mail, outcome="met") == 0
    assert value(registry, "omniroute_sla_at_risk_total", **mail) == 1
    assert value(registry, "omniroute_sla_breaches_total", **mail) == 1
    assert value(registry, "omniroute_first_response_seconds_count", **mail) == 1
    assert value(registry, "omniroute_first_response_seconds_bucket", **chat, le="15.0") == 1
    assert value(registry, "omniroute_resolution_seconds_sum", **mail) == 90
    events = {"type": "first_response", "status": EventStatus.APPLIED.value}
    assert value(registry, "omniroute_sla_events_total", **events) == 1


def test_gauges_per_department() -> None:
    registry = CollectorRegistry()
    metrics = SlaMetrics(registry, DEPARTMENTS)
    tr = SlaTracker(SlaTrackerConfig(), DEPARTMENTS)
    tr.on_dispatched(dispatch("a", 100, department="logistics"))
    tr.on_dispatched(dispatch("b", 100, at=T0 + secs(50), department="logistics"))
    tr.on_dispatched(dispatch("c", 100, department="complaints"))
    tr.on_event(event("c", EventType.RESOLVED, T0 + secs(5)))
    now = T0 + timedelta(seconds=85)
    tr.tick(now)
    metrics.refresh_gauges(tr, now)
    assert value(registry, "omniroute_open_cases", department="logistics") == 2
    assert value(registry, "omniroute_open_cases", department="complaints") == 0
    assert value(registry, "omniroute_awaiting_response_cases", department="logistics") == 2
    assert value(registry, "omniroute_oldest_unanswered_seconds", department="logistics") == 85
    assert value(registry, "omniroute_sla_at_risk_cases", department="logistics") == 1
    assert value(registry, "omniroute_open_cases", department="triage") == 0


def test_unknown_label_values_collapse() -> None:
    metrics = SlaMetrics(CollectorRegistry(), DEPARTMENTS)
    assert metrics.labels("fax", "marketing", "p0") == ("unknown", "unknown", "unknown")


def test_documented_example_config_is_valid() -> None:
    """Calendars are no longer the tracker's (the routing config's are the single source): an
    old tracker YAML with `calendars` fails loudly instead of being silently ignored."""
    with pytest.raises(ValueError):
        SlaTrackerConfig.model_validate({"calendars": {"complaints": {}}})
    text = DOC.read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    config = SlaTrackerConfig.model_validate(yaml.safe_load(block))
    assert config.at_risk_share == 0.8
    assert [r.id for r in config.escalations] == ["chat_breach_to_supervisor", "vip_at_risk_urgent"]
