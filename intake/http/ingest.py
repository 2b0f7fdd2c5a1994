"""`POST /v1/messages`: one message (object) or a batch (array) from a channel adapter.

The 202 is sent only after Kafka acknowledged every record (acks=all), so an adapter may delete
its copy on 202 and must retry on anything else.
"""

import time

from aiohttp import web

from intake import serde
from intake.errors import AuthenticationFailed, InvalidInput, KafkaUnavailable, NotPermitted
from intake.http import state
from intake.http.auth import Caller
from intake.http.idempotency import KeyInFlight, KeyReused, StoredResponse
from intake.http.problems import problem
from intake.http.validation import SchemaErrors, parse_drafts
from intake.message import MessageDraft
from intake.metrics import AuthFailure, Outcome

MAX_IDEMPOTENCY_KEY = 255


async def post_messages(request: web.Request) -> web.Response:
    app = request.app
    try:
        caller = app[state.TOKENS].authenticate(request.headers.get("Authorization"))
    except AuthenticationFailed as exc:
        reason = AuthFailure.MISSING if "missing" in str(exc) else AuthFailure.UNKNOWN_TOKEN
        app[state.METRICS].auth_failures.labels("api", reason.value).inc()
        app[state.METRICS].requests.labels(Outcome.UNAUTHORIZED.value).inc()
        return problem(
            401,
            "unauthorized",
            "Unauthorized",
            str(exc),
            headers={"WWW-Authenticate": 'Bearer realm="omniroute"'},
        )
    if request.content_type != "application/json":
        return _final(
            request,
            problem(
                415,
                "unsupported-media-type",
                "Unsupported Media Type",
                "send the message as application/json",
            ),
        )
    body = await request.read()
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return await _process(request, caller, body)
    if len(key) > MAX_IDEMPOTENCY_KEY:  # the published document promises this bound
        detail = f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters"
        return _final(request, problem(400, "invalid-idempotency-key", "Bad Request", detail))
    return await _idempotent(request, caller, body, f"{caller.name}\x1f{key}")


async def _idempotent(request: web.Request, caller: Caller, body: bytes, key: str) -> web.Response:
    cache = request.app[state.IDEMPOTENCY]
    try:
        stored = cache.begin(key, body)
    except KeyReused:
        return _final(
            request,
            problem(
                422,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was used with a different body",
            ),
        )
    except KeyInFlight:
        return _final(
            request,
            problem(
                409,
                "idempotency-key-in-flight",
                "Request in progress",
                "a request with this Idempotency-Key is still running",
            ),
        )
    if stored is not None:
        request.app[state.METRICS].requests.labels(Outcome.REPLAYED.value).inc()
        return web.Response(
            status=stored.status,
            body=stored.body,
            content_type=stored.content_type,
            headers={"Idempotent-Replayed": "true"},
        )
    response = await _process(request, caller, body)
    final = response.status < 500
    cache.finish(
        key,
        StoredResponse(
            response.status,
            bytes(response.body or b""),  # type: ignore[arg-type]
            response.content_type,
        )
        if final
        else None,
    )
    return response


async def _process(request: web.Request, caller: Caller, body: bytes) -> web.Response:
    app = request.app
    settings = app[state.SETTINGS]
    try:
        drafts, is_batch = parse_drafts(body, settings.max_batch)
        for draft in drafts:
            caller.require(draft.channel)
    except SchemaErrors as exc:
        return _final(
            request,
            problem(
                422,
                "invalid-message",
                "Invalid message",
                "the message does not match the intake schema",
                errors=exc.errors,
            ),
        )
    except InvalidInput as exc:
        return _final(request, problem(400, "malformed-json", "Malformed JSON", str(exc)))
    except NotPermitted as exc:
        app[state.METRICS].auth_failures.labels("api", AuthFailure.FORBIDDEN.value).inc()
        return _final(request, problem(403, "forbidden", "Forbidden", str(exc)), Outcome.FORBIDDEN)
    return await _publish(request, caller, drafts, is_batch)


async def _publish(
    request: web.Request, caller: Caller, drafts: list[MessageDraft], is_batch: bool
) -> web.Response:
    app = request.app
    metrics = app[state.METRICS]
    messages = [app[state.COMPLETER].complete(d, source=caller.name) for d in drafts]
    started = time.perf_counter()
    try:
        acks = await app[state.PUBLISHER].publish(messages)
    except KafkaUnavailable as exc:
        app[state.PROBE].mark_unavailable()
        for m in messages:
            metrics.count(m.channel, Outcome.UNAVAILABLE)
        metrics.requests.labels(Outcome.UNAVAILABLE.value).inc()
        retry = str(app[state.SETTINGS].retry_after_s)
        return problem(
            503,
            "kafka-unavailable",
            "Service Unavailable",
            f"{exc}; nothing is acknowledged, retry later",
            headers={"Retry-After": retry},
        )
    metrics.publish_seconds.observe(time.perf_counter() - started)
    for m in messages:
        metrics.count(m.channel, Outcome.ACCEPTED)
    metrics.requests.labels(Outcome.ACCEPTED.value).inc()
    accepted = [
        {"id": a.message_id, "topic": a.topic, "partition": a.partition, "offset": a.offset}
        for a in acks
    ]
    body = {"accepted": accepted} if is_batch else accepted[0]
    return web.Response(status=202, body=serde.dumps_obj(body), content_type="application/json")


def _final(
    request: web.Request, response: web.Response, outcome: Outcome = Outcome.INVALID
) -> web.Response:
    request.app[state.METRICS].requests.labels(outcome.value).inc()
    return response
