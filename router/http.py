"""The router's own HTTP endpoints: /metrics for Prometheus, /healthz and /readyz for probes, and
(where an SLA tracker runs) the /status page with /status.json."""

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from router.status.routes import StatusSource, add_status_routes

REGISTRY = web.AppKey("registry", CollectorRegistry)
READY = web.AppKey("ready", asyncio.Event)


async def _metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    if request.app[READY].is_set():
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "starting"}, status=503)


def build_http_app(
    registry: CollectorRegistry, ready: asyncio.Event, status: StatusSource | None = None
) -> web.Application:
    app = web.Application()
    app[REGISTRY] = registry
    app[READY] = ready
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    if status is not None:
        add_status_routes(app, status)
    return app
