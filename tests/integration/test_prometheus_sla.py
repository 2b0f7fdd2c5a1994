"""Done-when test of the SLA work: a real Prometheus server scrapes intake, router and SLA
tracker on 127.0.0.1 while messages and lifecycle events flow through a real Kafka, and PromQL
through Prometheus's HTTP API gives the expected first-response and breach counts."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from aiohttp import web
from prometheus_client import CollectorRegistry

from intake import serde
from intake.http.app import build_app, kafka_context
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.config import load_default_config
from router.dedup.keys import new_case
from router.http import build_http_app
from router.service import build_runner
from router.settings import RouterSettings
from router.sla.service import build_tracker
from router.sla.settings import SlaSettings
from router.status.view import status_document
from tests.integration.kafka_helpers import read_records
from tests.integration.requires import require_binary
from tests.integration.test_prometheus_support import (
    PROM_DIR,
    eventually,
    free_port,
    prometheus,
    query,
    scalar,
    wait_ready,
)

TOKEN = "omr_prometheus-integration-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DASHBOARD = PROM_DIR.parent / "grafana" / "dashboards" / "omniroute-sla.json"
WEBCHAT_TARGET_S = 6  # short, so breaches happen within the test


def routing_file(tmp: Path) -> Path:
    data = load_default_config().model_dump(mode="json", exclude={"version"})
    data["sla"]["first_response_seconds"]["webchat"] = WEBCHAT_TARGET_S
    # The measured cases must all land in triage (the queries below are per department): no
    # rule matches their text, and a threshold of 1 keeps the statistical layer from deciding.
    data["classifier"]["threshold"] = 1.0
    path = tmp / "routing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@asynccontextmanager
async def serving(app: web.Application, port: int) -> AsyncIterator[None]:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield
    finally:
        await runner.cleanup()


async def post(session: aiohttp.ClientSession, url: str, body: Any) -> Any:
    async with session.post(url, data=serde.dumps_obj(body), headers={
        **AUTH, "Content-Type": "application/json"
    }) as resp:  # fmt: skip
        assert resp.status == 202, await resp.text()
        return await resp.json()


def chat(n: int) -> dict[str, Any]:
    return {
        "channel": "webchat",
        "channel_message_id": f"chat-{n}",
        "customer": {"visitor_id": f"visitor-{n}"},
        "text": "hello, a question please",
    }


def event(case: str, kind: str, eid: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {"id": eid, "type": kind, "case_id": case, "department": "triage", "occurred_at": now}


async def test_prometheus_counts_first_responses_and_breaches(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    require_binary("prometheus", "prometheus")
    ports = {name: free_port() for name in ("intake", "router", "sla")}
    prefix = kafka_settings.topic_prefix
    router_settings = RouterSettings(
        config_path=routing_file(tmp_path), group_id=f"{prefix}-router", poll_timeout_ms=50
    )
    sla_settings = SlaSettings(
        group_id=f"{prefix}-sla", tick_interval_s=0.25, lag_interval_s=1, commit_interval_ms=100
    )
    entry = TokenEntry(name="helpdesk", sha256=hash_token(TOKEN))
    intake_app = build_app(
        IntakeSettings(tokens=(entry,)), kafka_context(kafka_settings), CollectorRegistry()
    )
    router_registry, sla_registry = CollectorRegistry(), CollectorRegistry()
    runner = build_runner(router_settings, kafka_settings, router_registry)
    tracker = build_tracker(sla_settings, router_settings, kafka_settings, sla_registry)
    status: Callable[[], dict[str, Any]] = lambda: status_document(  # noqa: E731
        tracker, datetime.now(UTC), 1
    )
    stop = asyncio.Event()
    targets = {
        "omniroute-intake": ports["intake"],
        "omniroute-router": ports["router"],
        "omniroute-sla-tracker": ports["sla"],
    }
    async with (
        serving(intake_app, ports["intake"]),
        serving(build_http_app(router_registry, runner.ready), ports["router"]),
        serving(build_http_app(sla_registry, tracker.ready, status), ports["sla"]),
    ):
        tasks = [asyncio.create_task(runner.run(stop)), asyncio.create_task(tracker.run(stop))]
        try:
            with prometheus(tmp_path, targets) as base:
                await wait_ready(base)
                await asyncio.wait_for(tracker.ready.wait(), 60)
                await flow(base, f"http://127.0.0.1:{ports['intake']}", kafka_settings)
        finally:
            stop.set()
            await asyncio.gather(*tasks)


async def flow(base: str, intake: str, kafka: KafkaSettings) -> None:
    async with aiohttp.ClientSession() as session:
        # Warm-up: an email case (24 h target, stays open) proves the router's consumer group
        # has its partitions, so the measured chats are dispatched well within their 6 s.
        warm = {**chat(99), "channel": "email", "channel_message_id": "warm-up"}
        await post(session, f"{intake}/v1/messages", warm)
        await eventually(base, "sum(omniroute_router_dispatched_total)", 1, timeout_s=60)
        # rate() cannot see an increment made before the series' first scrape: make sure every
        # target was scraped (the zero baselines are stored) before the measured traffic.
        await eventually(base, 'sum(up{job=~"omniroute-.*"})', 3)
        await eventually(base, "count(omniroute_sla_first_response_total) > bool 0", 1)
        acks = await post(session, f"{intake}/v1/messages", [chat(n) for n in range(4)])
        # Department tools report against the case id of the dispatched record; for a new
        # case the router derives it from the message id (router.dedup.keys.new_case).
        cases = [str(new_case(a["id"])) for a in acks["accepted"]]
        # A tool learns of a case from its dispatch, whose transaction also wrote the case's
        # `dispatched` record ahead of any event: events for unknown cases are deadlettered.
        await eventually(base, "sum(omniroute_router_dispatched_total)", 5)
        # Two cases answered at once (met), one of them resolved; two never answered.
        events = [event(cases[0], "first_response", "e0"), event(cases[1], "responded", "e1")]
        events.append(event(cases[0], "resolved", "e2"))
        await post(session, f"{intake}/v1/events", events)
        await post(session, f"{intake}/v1/events", events[:1])  # a tool's retry: no effect

    await eventually(base, "sum(omniroute_router_dispatched_total)", 5)
    await eventually(base, 'sum(omniroute_intake_events_total{outcome="accepted"})', 4)
    await eventually(base, 'sum(omniroute_sla_first_response_total{outcome="met"})', 2)
    await eventually(base, "sum(omniroute_first_response_seconds_count)", 2)
    await eventually(base, "sum(omniroute_resolution_seconds_count)", 1)
    await eventually(base, "sum(omniroute_sla_breaches_total)", 2, timeout_s=WEBCHAT_TARGET_S + 20)
    await eventually(base, 'sum(omniroute_sla_first_response_total{outcome="breached"})', 2)
    # At-risk fires at 80 % (4.8 s) only if the router dispatched before then; a slow consumer
    # group start can push a dispatch past it, and then the breach comes alone (by design).
    at_risk = await scalar(base, "sum(omniroute_sla_at_risk_total)")
    assert at_risk is not None and at_risk <= 2
    await eventually(base, 'omniroute_open_cases{department="triage"}', 4)
    # Labels are bounded: the case ids appear in no series Prometheus holds.
    for case in cases:
        assert await scalar(base, f'count({{__name__=~"omniroute_.+", case_id="{case}"}})') is None
    # The shipped recording rule, evaluated by the real server: half the decided cases breached.
    ratio = 'department:omniroute_sla_first_response_error_ratio:rate5m{department="triage"}'
    try:
        await eventually(base, f"round({ratio}, 0.1)", 0.5)
    except AssertionError as exc:
        raw = 'omniroute_sla_first_response_total{department="triage"}[2m]'
        detail = [
            (
                r["metric"]["outcome"],
                r["metric"]["channel"],
                [v for v in r["values"] if v[1] != "0"][:3],
            )
            for r in await query(base, raw)
            if any(v[1] != "0" for v in r["values"])
        ]
        raise AssertionError(f"{exc}; samples: {detail}") from None
    await dashboard_queries_run(base)
    expect = 2 + int(at_risk)
    alerts = await read_records(kafka, [Topics(kafka.topic_prefix).alerts], expect, settle_s=1)
    kinds = sorted(serde.loads_obj(r.value)["kind"] for r in alerts)
    assert kinds == ["at_risk"] * int(at_risk) + ["breached", "breached"]
    assert {serde.loads_obj(r.value)["case_id"] for r in alerts} == set(cases[2:])


async def dashboard_queries_run(base: str) -> None:
    """Every Grafana panel query, with its variables filled in, parses and evaluates on the
    real server, and the SLA panels have data."""
    dashboard = serde.loads_obj(DASHBOARD.read_bytes())
    fills = {"$department": ".*", "$channel": ".*", "$__rate_interval": "1m"}
    empty = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for var, value in fills.items():
                expr = expr.replace(var, value)
            if not await query(base, expr):  # query() asserts status == success
                empty.append(panel["title"])
    for title in ("Queue depth: open cases per department", "Time to first response (SLA seconds)"):
        assert title not in empty
