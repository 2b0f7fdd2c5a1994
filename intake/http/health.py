"""Liveness, readiness and Prometheus exposition."""

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from intake.http import state
from intake.http.problems import problem


async def healthz(request: web.Request) -> web.Response:
    """Alive = the event loop answers. Kafka trouble must not get the pod restarted."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    probe = request.app[state.PROBE]
    request.app[state.METRICS].kafka_up.set(1 if probe.ready else 0)
    if probe.ready:
        return web.json_response({"status": "ready", "kafka": "reachable"})
    return problem(
        503,
        "not-ready",
        "Not Ready",
        "Kafka is not reachable",
        headers={"Retry-After": str(request.app[state.SETTINGS].retry_after_s)},
    )


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[state.METRICS].registry
    # prometheus-client's content type carries a charset parameter, which aiohttp wants apart.
    return web.Response(
        body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
