"""RFC 9457 problem details. Every 4xx/5xx this API returns has this shape, including the ones
aiohttp raises itself (413, 404, 405), so adapters need exactly one error parser."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from intake import serde

PROBLEM_TYPE_BASE = "https://omniroute.dev/problems/"
CONTENT_TYPE = "application/problem+json"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return web.Response(
        status=status, body=serde.dumps_obj(body), content_type=CONTENT_TYPE, headers=headers
    )


_HTTP_SLUGS = {
    404: ("not-found", "Not Found"),
    405: ("method-not-allowed", "Method Not Allowed"),
    413: ("payload-too-large", "Payload Too Large"),
}


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        slug, title = _HTTP_SLUGS.get(exc.status, ("http-error", exc.reason))
        detail = exc.text if exc.text and exc.status != 413 else exc.reason
        if exc.status == 413:
            detail = f"request body exceeds {request.app[MAX_BODY]} bytes"
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
        return problem(
            exc.status, slug, title, detail or title, headers=headers, instance=request.path
        )


MAX_BODY = web.AppKey("max_body_bytes", int)
