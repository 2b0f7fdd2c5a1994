"""Composition of the SLA tracker process: configs -> per-partition trackers -> the
exactly-once runner + HTTP (/metrics, /healthz, /readyz, /status, /status.json)."""

import asyncio
import logging
from datetime import UTC
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from intake.errors import ConfigError
from intake.settings import KafkaSettings
from router.http import build_http_app
from router.service import load_routing
from router.settings import RouterSettings
from router.sla.metrics import SlaMetrics
from router.sla.runner import SlaRunner
from router.sla.settings import SlaSettings, load_tracker_config
from router.sla.tracker import SlaTracker
from router.status.view import status_document

log = logging.getLogger(__name__)


def build_tracker(
    settings: SlaSettings, router: RouterSettings, kafka: KafkaSettings, registry: CollectorRegistry
) -> SlaRunner:
    """Departments and calendars come from the routing config, so labels, topics and the SLA
    clock match the router's decisions."""
    routing = load_routing(router)
    departments = routing.all_departments()
    calendars = routing.sla.calendars
    config = load_tracker_config(settings.config_path)
    targets = {r.redispatch_to for r in config.escalations if r.redispatch_to is not None}
    unknown = targets - set(departments)
    if unknown:
        raise ConfigError(f"escalation to unknown department(s): {', '.join(sorted(unknown))}")

    def new_tracker() -> SlaTracker:
        return SlaTracker(config, departments, calendars)

    return SlaRunner(settings, kafka, new_tracker, SlaMetrics(registry, departments))


async def serve(
    settings: SlaSettings,
    router: RouterSettings,
    kafka: KafkaSettings,
    stop: asyncio.Event,
    registry: CollectorRegistry | None = None,
) -> None:
    registry = registry or CollectorRegistry()
    runner = build_tracker(settings, router, kafka, registry)

    def status() -> dict[str, Any]:
        now = runner.clock().astimezone(UTC)
        return status_document(runner, now, settings.status_refresh_s)

    http = web.AppRunner(build_http_app(registry, runner.ready, status))
    await http.setup()
    await web.TCPSite(http, settings.http_host, settings.http_port).start()
    log.info("sla tracker http on %s:%s", settings.http_host, settings.http_port)
    try:
        await runner.run(stop)
    finally:
        await http.cleanup()
