"""The HTTP side shared by the Meta and X webhooks: refuse unproven or stale bodies (401,
counted), keep unreadable ones (deadletter), publish the rest, and answer 2xx only after Kafka
acknowledged; on Kafka trouble 503, so the platform retries with the same message ids."""

import logging
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol

from aiohttp import web

from connectors.base import ParseResult
from connectors.social.events import Batch
from connectors.social.metrics import social_metrics
from intake.errors import InvalidInput, KafkaUnavailable
from intake.http import state
from intake.http.problems import problem
from intake.message import Channel
from intake.metrics import AuthFailure, Outcome

log = logging.getLogger(__name__)

LABEL = "social"  # the auth-failure metric's channel label for every social platform


class WebhookSource(Protocol):
    name: ClassVar[str]

    def read(self, raw: bytes) -> Batch: ...


def read_safely(source: WebhookSource, raw: bytes) -> tuple[ParseResult, datetime | None]:
    """`safe_parse`, keeping the newest event time for the staleness check."""
    try:
        batch = source.read(raw)
    except InvalidInput as exc:
        return ParseResult.failed(raw, source.name, "invalid_input", str(exc)), None
    except Exception as exc:
        log.exception("connector %s crashed on a webhook body", source.name)
        reason = f"{type(exc).__name__}: {exc}"
        return ParseResult.failed(raw, source.name, "parser_error", reason), None
    return batch.result(raw, source.name), batch.newest


def refuse(request: web.Request, status: int, failure: AuthFailure, detail: str) -> web.Response:
    request.app[state.METRICS].auth_failures.labels(LABEL, failure.value).inc()
    slug, title = ("unauthorized", "Unauthorized") if status == 401 else ("forbidden", "Forbidden")
    return problem(status, slug, title, detail, instance=request.path)


def is_stale(newest: datetime | None, max_age_s: int, now: datetime | None = None) -> bool:
    if max_age_s <= 0 or newest is None:
        return False
    return (now or datetime.now(UTC)) - newest > timedelta(seconds=max_age_s)


async def deliver(
    request: web.Request,
    source: str,
    result: ParseResult,
    newest: datetime | None,
    max_age_s: int,
) -> web.Response:
    app = request.app
    if is_stale(newest, max_age_s):
        return refuse(request, 401, AuthFailure.STALE, "the events are older than accepted")
    metrics = app[state.METRICS]
    try:
        for record in result.deadletters:
            await app[state.SINK].deadletter(record)
        await app[state.SINK].deliver(result.drafts, source)
    except KafkaUnavailable as exc:
        metrics.count(Channel.SOCIAL, Outcome.UNAVAILABLE, len(result.drafts))
        retry = str(app[state.SETTINGS].retry_after_s)
        return problem(
            503,
            "kafka-unavailable",
            "Service Unavailable",
            f"{exc}; nothing is acknowledged, retry later",
            headers={"Retry-After": retry},
        )
    metrics.count(Channel.SOCIAL, Outcome.ACCEPTED, len(result.drafts))
    social = social_metrics(metrics.registry)
    social.count_ignored(result.ignored)
    if result.deadletter is not None:
        # A signed body that cannot be read will not become readable by retrying, and a 4xx
        # would make the platform retry it for days (and eventually disable the webhook):
        # it is kept in the deadletter topic and acknowledged.
        social.deadletters.labels(source).inc()
    return web.Response(text="EVENT_RECEIVED", content_type="text/plain")
