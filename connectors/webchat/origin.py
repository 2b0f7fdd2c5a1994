"""Origin checks. Browsers always send `Origin` on WebSocket handshakes and cross-origin
fetches, and WebSockets are not covered by the same-origin policy, so without this check any
web page could open a chat in a visitor's name (cross-site WebSocket hijacking)."""

from urllib.parse import urlsplit

from aiohttp import web

from connectors.webchat.config import WebChatConfig
from intake.http import state
from intake.http.problems import problem
from intake.metrics import AuthFailure

LABEL = "webchat"


def _same_host(origin: str, request: web.Request) -> bool:
    # Scheme is not compared: behind a TLS-terminating proxy omniroute sees http while the
    # page is https; the host (with port) is what identifies omniroute's own pages.
    return urlsplit(origin).netloc.lower() == (request.host or "").lower()


def allowed(request: web.Request, config: WebChatConfig) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return config.allow_missing_origin
    if "*" in config.allowed_origins:
        return True
    wanted = origin.rstrip("/").lower()
    return any(wanted == o.rstrip("/").lower() for o in config.allowed_origins) or _same_host(
        origin, request
    )


def cors_headers(request: web.Request) -> dict[str, str]:
    """For an origin already allowed: let that page read the answer (only that page)."""
    origin = request.headers.get("Origin")
    if origin is None or _same_host(origin, request):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def refuse(request: web.Request) -> web.Response:
    request.app[state.METRICS].auth_failures.labels(LABEL, AuthFailure.FORBIDDEN.value).inc()
    return problem(
        403, "forbidden", "Forbidden", "this origin may not use the chat", instance=request.path
    )
