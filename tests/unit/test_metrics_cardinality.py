"""Metric names, types and labels agree between code, docs/metrics.md, the Prometheus rules and
the Grafana dashboard; and no label grows with traffic (ids never become label values)."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, Metric

from intake.events import EventType
from intake.http.events import EventMetrics
from intake.message import Channel
from intake.metrics import IntakeMetrics
from router.config.model import Priority
from router.metrics import RouterMetrics
from router.reload import ReloadMetrics
from router.sla.config import SlaTrackerConfig
from router.sla.metrics import UNKNOWN, SlaMetrics
from router.sla.tracker import EventStatus, SlaTracker
from tests.unit.test_sla_helpers import DEPARTMENTS, T0, dispatch, event

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bomniroute_[a-z0-9_]+")
SUFFIXES = ("_bucket", "_count", "_sum", "_created")


def documented() -> dict[str, tuple[str, frozenset[str], bool]]:
    """name -> (type, labels, planned) from the table in docs/metrics.md."""
    out = {}
    for line in (ROOT / "docs" / "metrics.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`omniroute_"):
            labels = frozenset(x.strip() for x in cells[2].split(",") if x.strip())
            out[cells[0].strip("`")] = (cells[1], labels, cells[3].startswith("planned"))
    return out


def registered() -> dict[str, tuple[str, frozenset[str]]]:
    intake = CollectorRegistry()
    IntakeMetrics(intake)
    EventMetrics(intake)
    # Router and SLA tracker fit in one registry (one process, once the tracker runs inside
    # the transactional runner); the standalone tracker has its own deadletter counter.
    router = CollectorRegistry()
    SlaMetrics(router, DEPARTMENTS, deadletters=RouterMetrics(router).deadletters)
    ReloadMetrics(router)
    SlaMetrics(CollectorRegistry(), DEPARTMENTS)
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for reg in (intake, router):
        for collector in set(reg._names_to_collectors.values()):
            for family in collector.describe():
                name = family.name + ("_total" if family.type == "counter" else "")
                out[name] = (family.type, frozenset(getattr(collector, "_labelnames", ())))
    return out


RECORDED = re.compile(r"\b[a-z_]+:omniroute_[a-z0-9_]+:[a-z0-9_]+")


def used_in(text: str) -> set[str]:
    """Raw metric names (histogram suffixes stripped), recording-rule names left out."""
    names = set()
    for raw in NAME.findall(RECORDED.sub("", text)):
        name = raw
        for suffix in SUFFIXES:
            name = name.removesuffix(suffix)
        names.add(name)
    return names


def test_code_and_docs_agree() -> None:
    docs, code = documented(), registered()
    assert docs, "no metric table found in docs/metrics.md"
    undocumented = set(code) - set(docs)
    assert not undocumented, f"document these in docs/metrics.md: {sorted(undocumented)}"
    missing = {n for n, (_, _, planned) in docs.items() if not planned} - set(code)
    assert not missing, f"documented but not registered: {sorted(missing)}"
    for name, (kind, labels) in code.items():
        assert docs[name][:2] == (kind, labels), name


def test_every_name_follows_conventions() -> None:
    for name, (kind, _) in registered().items():
        assert name.startswith("omniroute_")
        assert (kind == "counter") == name.endswith("_total"), name
        assert not re.search(r"_(ms|milliseconds|minutes|hours)$", name), name


def test_rules_and_dashboard_use_documented_names_only() -> None:
    docs = documented()
    rules = sorted((ROOT / "deploy/prometheus/rules").glob("*.yml"))
    texts = {p.name: p.read_text() for p in rules}
    dashboard = (ROOT / "deploy/grafana/dashboards/omniroute-sla.json").read_text()
    texts["dashboard"] = dashboard
    for where, text in texts.items():
        unknown = used_in(text) - set(docs)
        assert not unknown, f"{where} uses undocumented metrics: {sorted(unknown)}"
    recorded = {
        r["record"]
        for p in rules
        for g in yaml.safe_load(p.read_text())["groups"]
        for r in g["rules"]
        if "record" in r
    }
    used_records = set(RECORDED.findall(dashboard + texts["omniroute-alerts.yml"]))
    assert used_records, "the dashboard and alerts should build on the recording rules"
    assert used_records <= recorded
    assert json.loads(dashboard)["uid"] == "omniroute-sla"


def _series(registry: CollectorRegistry) -> list[tuple[str, dict[str, str]]]:
    families: list[Metric] = list(registry.collect())
    return [(s.name, s.labels) for f in families for s in f.samples]


@pytest.mark.parametrize("cases", [10, 400])
def test_sla_series_do_not_grow_with_traffic(cases: int) -> None:
    registry = CollectorRegistry()
    metrics = SlaMetrics(registry, DEPARTMENTS)
    tracker = SlaTracker(SlaTrackerConfig(), DEPARTMENTS)
    channels, priorities = list(Channel), list(Priority)
    ids = []
    for n in range(cases):
        case = f"case-{n:05d}-customer{n}@example.com".replace("@", "-at-")
        ids.append(case)
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        p = priorities[n % 4]
        tracker.on_dispatched(
            dispatch(case, 30, channel=channels[n % 5], priority=p, department=department)
        )
        if n % 3 == 0:
            u = tracker.on_event(event(case, EventType.RESOLVED, T0 + timedelta(seconds=n % 60)))
            metrics.observe(u.observations)
            metrics.alerted(u.alerts)
        if n % 7 == 0:  # an event for a case this tracker never saw, from an unknown dept
            metrics.event(
                EventType.ASSIGNED, tracker.on_event(event(f"x{n}", EventType.ASSIGNED, T0)).status
            )
    metrics.alerted(tracker.tick(T0 + timedelta(hours=1)))
    metrics.refresh_gauges(tracker, datetime.now(UTC))
    series = _series(registry)
    values = {v for _, labels in series for v in labels.values()}
    assert not any(case in v for case in ids for v in values)
    allowed = {*DEPARTMENTS, UNKNOWN, *(c.value for c in Channel), *(p.value for p in Priority)}
    allowed |= {"met", "breached", "redispatch", "raise_priority", *(t.value for t in EventType)}
    allowed |= {s.value for s in EventStatus}
    allowed |= {"committed", "aborted", "fenced"}  # transaction results
    le = {labels["le"] for _, labels in series if "le" in labels}
    assert values - le <= allowed
    # Bound: every label combination the config allows, independent of the number of cases.
    combos = (len(DEPARTMENTS) + 1) * len(Channel) * len(Priority)
    buckets = len(le)
    bound = combos * (2 * 2 + 2 + 2 * (buckets + 3)) + len(EventType) * 4 * 2 + 4 * 5 + 50
    assert len(series) <= bound
