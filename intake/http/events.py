"""`POST /v1/events`: case lifecycle events from department tools, one (object) or a batch
(array). Same bearer tokens, validation and problem-details errors as `POST /v1/messages`, and
the same promise: 202 only after Kafka acknowledged every record (acks=all).

Events need no Idempotency-Key: a retried event carries the tool's event id and the SLA tracker
applies lifecycle transitions idempotently, so a second copy changes nothing.
"""

import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter
from pydantic import TypeAdapter, ValidationError

from intake import serde
from intake.errors import AuthenticationFailed, InvalidInput, KafkaUnavailable
from intake.events import TYPE_LIFECYCLE, EventType, LifecycleEvent, LifecycleEventDraft
from intake.headers import cloudevent_headers
from intake.http import state
from intake.http.problems import problem
from intake.metrics import AuthFailure, Outcome
from intake.publisher import Outgoing

_DRAFT = TypeAdapter(LifecycleEventDraft)
# Auth failures are counted under this pseudo-channel: bounded, and apart from message channels.
EVENTS_CHANNEL = "events"


class EventMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "omniroute_intake_events_total",
            "Lifecycle events received by intake, by type and outcome",
            ["type", "outcome"],
            registry=registry,
        )
        for t in EventType:
            for o in (Outcome.ACCEPTED, Outcome.UNAVAILABLE):
                self.events.labels(t.value, o.value)


EVENT_METRICS = web.AppKey("event_metrics", EventMetrics)


def mount(app: web.Application) -> None:
    """The one hook `build_app` calls: metrics on the app's registry, and the route."""
    app[EVENT_METRICS] = EventMetrics(app[state.METRICS].registry)
    app.router.add_post("/v1/events", post_events)


def _pointer(prefix: str, loc: tuple[int | str, ...]) -> str:
    return prefix + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def parse_events(body: bytes, max_batch: int) -> tuple[list[LifecycleEventDraft], bool]:
    """All or nothing, like messages: a batch with one bad event produces nothing."""
    data = serde.loads_obj(body)
    is_batch = isinstance(data, list)
    items = data if is_batch else [data]
    errors: list[dict[str, Any]] = []
    if is_batch and not items:
        errors.append({"pointer": "", "detail": "batch is empty"})
    if len(items) > max_batch:
        errors.append({"pointer": "", "detail": f"batch exceeds {max_batch} events"})
    drafts: list[LifecycleEventDraft] = []
    for index, item in enumerate(items if not errors else []):
        if isinstance(item, dict):
            item.pop("actor", None)  # the token names the tool; a body's claim is ignored
        try:
            drafts.append(_DRAFT.validate_python(item))
        except ValidationError as exc:
            prefix = f"/{index}" if is_batch else ""
            errors += [
                {"pointer": _pointer(prefix, tuple(e["loc"])), "detail": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
    if errors:
        raise _SchemaErrors(errors)
    return drafts, is_batch


class _SchemaErrors(InvalidInput):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} field(s) invalid")
        self.errors = errors


def _count(request: web.Request, outcome: Outcome) -> None:
    request.app[state.METRICS].requests.labels(outcome.value).inc()


async def post_events(request: web.Request) -> web.Response:
    app = request.app
    try:
        caller = app[state.TOKENS].authenticate(request.headers.get("Authorization"))
    except AuthenticationFailed as exc:
        reason = AuthFailure.MISSING if "missing" in str(exc) else AuthFailure.UNKNOWN_TOKEN
        app[state.METRICS].auth_failures.labels(EVENTS_CHANNEL, reason.value).inc()
        _count(request, Outcome.UNAUTHORIZED)
        www = {"WWW-Authenticate": 'Bearer realm="omniroute"'}
        return problem(401, "unauthorized", "Unauthorized", str(exc), headers=www)
    if request.content_type != "application/json":
        _count(request, Outcome.INVALID)
        detail = "send the events as application/json"
        return problem(415, "unsupported-media-type", "Unsupported Media Type", detail)
    try:
        drafts, is_batch = parse_events(await request.read(), app[state.SETTINGS].max_batch)
    except _SchemaErrors as exc:
        _count(request, Outcome.INVALID)
        detail = "the event does not match the lifecycle event schema"
        return problem(422, "invalid-event", "Invalid event", detail, errors=exc.errors)
    except InvalidInput as exc:
        _count(request, Outcome.INVALID)
        return problem(400, "malformed-json", "Malformed JSON", str(exc))
    # The actor is the authenticated tool, not whatever the body claims.
    events = [LifecycleEvent(**d.model_dump(), actor=caller.name) for d in drafts]
    return await _publish(request, events, is_batch)


async def _publish(
    request: web.Request, events: list[LifecycleEvent], is_batch: bool
) -> web.Response:
    app = request.app
    metrics = app[EVENT_METRICS]
    try:
        acks = await _send_all(request, events)
    except KafkaUnavailable as exc:
        app[state.PROBE].mark_unavailable()
        for e in events:
            metrics.events.labels(e.type.value, Outcome.UNAVAILABLE.value).inc()
        _count(request, Outcome.UNAVAILABLE)
        retry = {"Retry-After": str(app[state.SETTINGS].retry_after_s)}
        detail = f"{exc}; nothing is acknowledged, retry later"
        return problem(503, "kafka-unavailable", "Service Unavailable", detail, headers=retry)
    for e in events:
        metrics.events.labels(e.type.value, Outcome.ACCEPTED.value).inc()
    _count(request, Outcome.ACCEPTED)
    body = {"accepted": acks} if is_batch else acks[0]
    return web.Response(status=202, body=serde.dumps_obj(body), content_type="application/json")


async def _send_all(request: web.Request, events: list[LifecycleEvent]) -> list[dict[str, Any]]:
    publisher = request.app[state.PUBLISHER]
    topic = publisher._topics.events
    records = [
        Outgoing(f"event:{e.actor}:{e.id}", topic, e.key, serde.dumps(e), _headers(e))
        for e in events
    ]
    started = time.perf_counter()
    acks = await publisher.publish_records(records)  # KafkaUnavailable passes through
    request.app[state.METRICS].publish_seconds.observe(time.perf_counter() - started)
    return [
        {"id": e.id, "topic": a.topic, "partition": a.partition, "offset": a.offset}
        for e, a in zip(events, acks, strict=True)
    ]


def _headers(event: LifecycleEvent) -> list[tuple[str, bytes]]:
    return cloudevent_headers(
        event_id=f"{event.actor}:{event.id}",
        source=f"/omniroute/events/{event.actor}",
        event_type=TYPE_LIFECYCLE,
        time=datetime.now(UTC),
        subject=event.case_id,
    )
