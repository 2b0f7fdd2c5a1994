"""`POST /v1/email/raw`: one raw MIME message, as inbound-mail providers deliver it.

202 only after Kafka acknowledged, so the provider may drop its copy; 503 + Retry-After when
Kafka is down, so it retries; 422 for bytes that are not mail (the deadletter is written first:
the input is kept even though it is refused).
"""

from typing import TYPE_CHECKING

from aiohttp import web

from connectors.email.ingest import ingest
from intake import serde
from intake.errors import AuthenticationFailed, KafkaUnavailable, NotPermitted
from intake.http import state
from intake.http.problems import problem
from intake.message import Channel
from intake.metrics import AuthFailure, Outcome

if TYPE_CHECKING:
    from connectors.email.connector import EmailConnector

PATH = "/v1/email/raw"
_ACCEPTED_TYPES = ("message/rfc822", "application/octet-stream", "message/global")


def raw_mail_route(connector: "EmailConnector") -> web.RouteDef:
    async def handler(request: web.Request) -> web.Response:
        return await _post_raw(connector, request)

    return web.post(PATH, handler)


def _unauthorized(request: web.Request, exc: AuthenticationFailed) -> web.Response:
    metrics = request.app[state.METRICS]
    reason = AuthFailure.MISSING if "missing" in str(exc) else AuthFailure.UNKNOWN_TOKEN
    metrics.auth_failures.labels(Channel.EMAIL.value, reason.value).inc()
    metrics.requests.labels(Outcome.UNAUTHORIZED.value).inc()
    return problem(
        401,
        "unauthorized",
        "Unauthorized",
        str(exc),
        headers={"WWW-Authenticate": 'Bearer realm="omniroute"'},
        instance=request.path,
    )


def _unavailable(request: web.Request, exc: KafkaUnavailable) -> web.Response:
    app = request.app
    probe = app.get(state.PROBE)
    if probe is not None:
        probe.mark_unavailable()
    app[state.METRICS].count(Channel.EMAIL, Outcome.UNAVAILABLE)
    app[state.METRICS].requests.labels(Outcome.UNAVAILABLE.value).inc()
    return problem(
        503,
        "kafka-unavailable",
        "Service Unavailable",
        f"{exc}; nothing is acknowledged, retry later",
        headers={"Retry-After": str(app[state.SETTINGS].retry_after_s)},
        instance=request.path,
    )


async def _post_raw(connector: "EmailConnector", request: web.Request) -> web.Response:
    app = request.app
    metrics = app[state.METRICS]
    try:
        caller = app[state.TOKENS].authenticate(request.headers.get("Authorization"))
        caller.require(Channel.EMAIL)
    except AuthenticationFailed as exc:
        return _unauthorized(request, exc)
    except NotPermitted as exc:
        metrics.auth_failures.labels(Channel.EMAIL.value, AuthFailure.FORBIDDEN.value).inc()
        metrics.requests.labels(Outcome.FORBIDDEN.value).inc()
        return problem(403, "forbidden", "Forbidden", str(exc), instance=request.path)
    if request.content_type not in _ACCEPTED_TYPES:
        metrics.requests.labels(Outcome.INVALID.value).inc()
        detail = "send the raw MIME message as message/rfc822 or application/octet-stream"
        return problem(415, "unsupported-media-type", "Unsupported Media Type", detail)
    raw = await request.read()
    try:
        delivered = await ingest(connector, app[state.SINK], raw, caller.name)
    except KafkaUnavailable as exc:
        return _unavailable(request, exc)
    dead = delivered.result.deadletter
    if dead is not None:
        metrics.count(Channel.EMAIL, Outcome.INVALID)
        metrics.requests.labels(Outcome.INVALID.value).inc()
        return problem(
            422,
            "unparseable-email",
            "Unparseable email",
            f"{dead.reason_code}: {dead.reason} (kept in the deadletter topic)",
            instance=request.path,
        )
    metrics.count(Channel.EMAIL, Outcome.ACCEPTED, len(delivered.acks))
    metrics.requests.labels(Outcome.ACCEPTED.value).inc()
    drafts = delivered.result.drafts
    accepted = [
        {
            "id": a.message_id,
            "kind": d.kind.value,
            "topic": a.topic,
            "partition": a.partition,
            "offset": a.offset,
        }
        for a, d in zip(delivered.acks, drafts, strict=True)
    ]
    body = serde.dumps_obj({"accepted": accepted})
    return web.Response(status=202, body=body, content_type="application/json")
