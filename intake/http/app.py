"""The ingest application: routes, typed state, and Kafka clients started and stopped in
`cleanup_ctx` so they live exactly as long as the app (and close on SIGTERM)."""

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from intake import serde
from intake.complete import Completer
from intake.http import events, health, ingest, ratelimit, state
from intake.http.auth import TokenEntry, TokenRegistry
from intake.http.idempotency import IdempotencyCache
from intake.http.openapi import openapi_document
from intake.http.problems import MAX_BODY, problem_middleware
from intake.http.settings import IntakeSettings
from intake.identity import IdentityKeyer
from intake.metrics import IntakeMetrics
from intake.publishing import INTAKE, open_publisher
from intake.readiness import KafkaProbe
from intake.settings import KafkaSettings
from intake.sink import Sink

log = logging.getLogger(__name__)

KafkaContext = Callable[[web.Application], AsyncIterator[None]]


def kafka_context(kafka: KafkaSettings) -> KafkaContext:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[state.SETTINGS]
        async with open_publisher(kafka, INTAKE, settings.ack_timeout_s) as publisher:
            app[state.PUBLISHER] = publisher
            app[state.SINK] = Sink(app[state.COMPLETER], publisher)
            probe = KafkaProbe(publisher.check, settings.probe_interval_s)
            await probe.probe_once()
            probe.start()
            app[state.PROBE] = probe
            yield
            await probe.stop()

    return ctx


def load_tokens(settings: IntakeSettings) -> TokenRegistry:
    entries = list(settings.tokens)
    if settings.tokens_file is not None:
        raw: Any = serde.loads_obj(settings.tokens_file.read_bytes())
        entries += [TokenEntry.model_validate(e) for e in raw]
    return TokenRegistry(entries)


def build_app(
    settings: IntakeSettings, kafka_ctx: KafkaContext, registry: CollectorRegistry | None = None
) -> web.Application:
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[problem_middleware])
    app[MAX_BODY] = settings.max_body_bytes
    app[state.SETTINGS] = settings
    app[state.TOKENS] = load_tokens(settings)
    keyer = IdentityKeyer(
        settings.identity_secret.get_secret_value().encode(), settings.default_region
    )
    app[state.COMPLETER] = Completer(keyer)
    app[state.METRICS] = IntakeMetrics(registry or CollectorRegistry())
    app[state.IDEMPOTENCY] = IdempotencyCache()
    ratelimit.install(app)  # per-token 429s, before any body is read
    app.cleanup_ctx.append(kafka_ctx)
    document = serde.dumps_obj(openapi_document())

    async def openapi(_: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json")

    app.router.add_post("/v1/messages", ingest.post_messages)
    events.mount(app)
    app.router.add_get("/v1/openapi.json", openapi)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)
    app.router.add_get("/metrics", health.metrics)
    return app
