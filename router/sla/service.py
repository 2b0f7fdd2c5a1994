"""Composition of the standalone SLA tracker process: configs -> tracker -> consumer + HTTP
(/metrics, /healthz, /readyz, /status, /status.json)."""

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
from router.sla.consumer import SlaConsumer
from router.sla.metrics import SlaMetrics
from router.sla.settings import SlaSettings, load_tracker_config
from router.sla.tracker import SlaTracker
from router.status.view import status_document

log = logging.getLogger(__name__)


def build_tracker(
    settings: SlaSettings, router: RouterSettings, kafka: KafkaSettings, registry: CollectorRegistry
) -> SlaConsumer:
    """Departments come from the routing config, so labels and topics match the router's."""
    departments = load_routing(router).all_departments()
    config = load_tracker_config(settings.config_path)
    targets = {r.redispatch_to for r in config.escalations if r.redispatch_to is not None}
    unknown = targets - set(departments)
    if unknown:
        raise ConfigError(f"escalation to unknown department(s): {', '.join(sorted(unknown))}")
    tracker = SlaTracker(config, departments)
    return SlaConsumer(settings, kafka, tracker, SlaMetrics(registry, departments))


async def serve(
    settings: SlaSettings,
    router: RouterSettings,
    kafka: KafkaSettings,
    stop: asyncio.Event,
    registry: CollectorRegistry | None = None,
) -> None:
    registry = registry or CollectorRegistry()
    tracker = build_tracker(settings, router, kafka, registry)

    def status() -> dict[str, Any]:
        now = tracker.clock().astimezone(UTC)
        return status_document(tracker.tracker, now, settings.status_refresh_s)

    http = web.AppRunner(build_http_app(registry, tracker.ready, status))
    await http.setup()
    await web.TCPSite(http, settings.http_host, settings.http_port).start()
    log.info("sla tracker http on %s:%s", settings.http_host, settings.http_port)
    try:
        await tracker.run(stop)
    finally:
        await http.cleanup()
