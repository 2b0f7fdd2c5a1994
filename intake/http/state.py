"""Typed application state (aiohttp `web.AppKey`), so handlers get checked types, not Any."""

from aiohttp import web

from intake.complete import Completer
from intake.http.auth import TokenRegistry
from intake.http.idempotency import IdempotencyCache
from intake.http.settings import IntakeSettings
from intake.metrics import IntakeMetrics
from intake.publisher import Publisher
from intake.readiness import KafkaProbe
from intake.sink import Sink

SETTINGS = web.AppKey("settings", IntakeSettings)
TOKENS = web.AppKey("tokens", TokenRegistry)
COMPLETER = web.AppKey("completer", Completer)
METRICS = web.AppKey("metrics", IntakeMetrics)
IDEMPOTENCY = web.AppKey("idempotency", IdempotencyCache)
PUBLISHER = web.AppKey("publisher", Publisher)
PROBE = web.AppKey("probe", KafkaProbe)
SINK = web.AppKey("sink", Sink)
