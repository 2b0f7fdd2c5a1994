"""The widget and a demo shop page, served from package data (no build step, no CDN)."""

from collections.abc import Awaitable, Callable
from importlib.resources import files

from aiohttp import web

WIDGET_PATH = "/chat/widget.js"
DEMO_PATH = "/chat/"

# The demo page runs only our own script; styles are injected by the widget (hence inline).
_DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'"
)


def _asset(name: str) -> bytes:
    return files("connectors.webchat").joinpath("static", name).read_bytes()


def _serve(
    body: bytes, content_type: str, headers: dict[str, str]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)

    return handler


async def _to_demo(_: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect(DEMO_PATH)


def routes() -> list[web.RouteDef]:
    common = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
    # Shops load the widget cross-origin with a plain <script> tag; CORP must allow that.
    widget = common | {"Cross-Origin-Resource-Policy": "cross-origin"}
    demo = common | {"Content-Security-Policy": _DEMO_CSP}
    return [
        web.get(WIDGET_PATH, _serve(_asset("widget.js"), "text/javascript", widget)),
        web.get(DEMO_PATH, _serve(_asset("index.html"), "text/html", demo)),
        web.get("/chat", _to_demo),
    ]
