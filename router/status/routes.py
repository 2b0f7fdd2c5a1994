"""Mounting `/status` (static HTML + JS that polls) and `/status.json` on an aiohttp app."""

from collections.abc import Callable
from importlib import resources
from typing import Any

from aiohttp import web

from intake import serde

StatusSource = Callable[[], dict[str, Any]]
STATUS_SOURCE: web.AppKey[StatusSource] = web.AppKey("status_source")

_PAGE = resources.files("router.status").joinpath("status.html").read_bytes()


async def _page(_: web.Request) -> web.Response:
    # The page is static; all data comes from /status.json, so it can be cached by a proxy
    # while the numbers stay live.
    return web.Response(body=_PAGE, content_type="text/html", charset="utf-8")


async def _json(request: web.Request) -> web.Response:
    body = serde.dumps_obj(request.app[STATUS_SOURCE]())
    return web.Response(
        body=body, content_type="application/json", headers={"Cache-Control": "no-store"}
    )


def add_status_routes(app: web.Application, source: StatusSource) -> None:
    app[STATUS_SOURCE] = source
    app.router.add_get("/status", _page)
    app.router.add_get("/status.json", _json)
