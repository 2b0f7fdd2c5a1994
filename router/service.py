"""Composition of a router process: config -> classifier -> pipeline -> runner + HTTP."""

import asyncio
import logging

from aiohttp import web
from prometheus_client import CollectorRegistry

from intake.settings import KafkaSettings
from intake.topics import Topics
from router.assemble import RoutingSettings, build_classifier
from router.config import RoutingConfig, load_config, load_default_config
from router.customers import follow_directory, open_directory
from router.http import build_http_app
from router.metrics import RouterMetrics
from router.pipeline import Pipeline
from router.reload import ConfigWatcher, ReloadMetrics
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
    routing = RoutingSettings()
    customers = open_directory(routing)
    classifier = build_classifier(config, customers=customers)
    pipeline = Pipeline(classifier, Topics(kafka.topic_prefix))
    return Runner(settings, kafka, pipeline, RouterMetrics(registry))


def start_watcher(
    runner: Runner, settings: RouterSettings, registry: CollectorRegistry, stop: asyncio.Event
) -> "asyncio.Task[None] | None":
    """Hot reload of the routing config file, when there is one (router/reload.py)."""
    interval = RoutingSettings().reload_interval_s
    if settings.config_path is None or interval <= 0:
        return None
    metrics = ReloadMetrics(registry)
    watcher = ConfigWatcher(settings.config_path, runner.pipeline, metrics, interval)
    return asyncio.create_task(watcher.run(stop))


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
    watcher = start_watcher(runner, settings, registry, stop)
    follower = await follow_directory(runner.pipeline.classifier.customers, kafka, stop)
    try:
        await runner.run(stop)
    finally:
        tasks = [t for t in (watcher, follower) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.cleanup()
