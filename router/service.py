"""Composition of a router process: config -> classifier -> pipeline -> runner + HTTP."""

import asyncio
import logging

from aiohttp import web
from prometheus_client import CollectorRegistry

from intake.settings import KafkaSettings
from intake.topics import Topics
from router.classifier import Classifier
from router.config import RoutingConfig, load_config, load_default_config
from router.http import build_http_app
from router.metrics import RouterMetrics
from router.pipeline import Pipeline
from router.runner import Runner
from router.settings import RouterSettings

log = logging.getLogger(__name__)


def load_routing(settings: RouterSettings) -> RoutingConfig:
    if settings.config_path is None:
        return load_default_config()
    return load_config(settings.config_path)


def build_runner(
    settings: RouterSettings, kafka: KafkaSettings, registry: CollectorRegistry
) -> Runner:
    config = load_routing(settings)
    pipeline = Pipeline(Classifier(config), Topics(kafka.topic_prefix))
    return Runner(settings, kafka, pipeline, RouterMetrics(registry))


async def serve(
    settings: RouterSettings,
    kafka: KafkaSettings,
    stop: asyncio.Event,
    registry: CollectorRegistry | None = None,
) -> None:
    registry = registry or CollectorRegistry()
    runner = build_runner(settings, kafka, registry)
    http = web.AppRunner(build_http_app(registry, runner.ready))
    await http.setup()
    site = web.TCPSite(http, settings.http_host, settings.http_port)
    await site.start()
    log.info(
        "router http on %s:%s, config %s",
        settings.http_host,
        settings.http_port,
        runner.pipeline.classifier.config.version,
    )
    try:
        await runner.run(stop)
    finally:
        await http.cleanup()
