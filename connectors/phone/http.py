"""What the phone webhooks answer once the caller is authenticated and the body parsed: 202
only after Kafka acknowledged (the PBX may then forget the CDR), 503 when Kafka is down (the
sender retries), 422 for a body that is not a call record (kept in the deadletter topic first),
200 for events that are deliberately not messages (B-legs, ringing)."""

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from connectors.base import ParseResult
from intake import serde
from intake.errors import KafkaUnavailable
from intake.http import state
from intake.http.problems import problem
from intake.message import Channel
from intake.metrics import AuthFailure, Outcome

log = logging.getLogger(__name__)

RETRY_AFTER_S = "5"

Handler = Callable[[web.Request], Awaitable[web.Response]]


async def respond(request: web.Request, source: str, result: ParseResult) -> web.Response:
    app = request.app
    metrics = app[state.METRICS]
    sink = app[state.SINK]
    try:
        if result.deadletter is not None:
            for record in result.deadletters:
                await sink.deadletter(record)
            metrics.count(Channel.PHONE, Outcome.INVALID)
            dead = result.deadletter
            return problem(
                422,
                "invalid-call-record",
                "Invalid call record",
                f"{dead.reason_code}: {dead.reason} (kept in the deadletter topic)",
                instance=request.path,
            )
        if not result.drafts:
            body = {"ignored": result.ignored}
            return web.Response(status=200, body=serde.dumps_obj(body), content_type=_JSON)
        acks = await sink.deliver(result.drafts, source)
    except KafkaUnavailable as exc:
        if state.PROBE in app:
            app[state.PROBE].mark_unavailable()
        metrics.count(Channel.PHONE, Outcome.UNAVAILABLE, max(1, len(result.drafts)))
        return problem(
            503,
            "kafka-unavailable",
            "Service Unavailable",
            f"{exc}; nothing is acknowledged, retry later",
            headers={"Retry-After": RETRY_AFTER_S},
        )
    metrics.count(Channel.PHONE, Outcome.ACCEPTED, len(acks))
    accepted = [
        {"id": a.message_id, "topic": a.topic, "partition": a.partition, "offset": a.offset}
        for a in acks
    ]
    return web.Response(
        status=202, body=serde.dumps_obj({"accepted": accepted}), content_type=_JSON
    )


def unauthorized(
    request: web.Request, reason: AuthFailure, detail: str, challenge: str | None = None
) -> web.Response:
    request.app[state.METRICS].auth_failures.labels(Channel.PHONE.value, reason.value).inc()
    request.app[state.METRICS].count(Channel.PHONE, Outcome.UNAUTHORIZED)
    log.info("phone webhook %s rejected: %s", request.path, reason.value)
    headers = {"WWW-Authenticate": challenge} if challenge else None
    return problem(
        401, "unauthorized", "Unauthorized", detail, headers=headers, instance=request.path
    )


_JSON = "application/json"
