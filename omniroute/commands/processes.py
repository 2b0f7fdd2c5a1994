"""The long-running processes: `omniroute intake`, `omniroute router`, `omniroute connect`."""

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Coroutine
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from connectors import registry
from intake.errors import ConfigError, KafkaUnavailable, OmnirouteError
from intake.http.app import build_app, kafka_context
from intake.sink import open_sink
from omniroute import logs, startup
from omniroute.mount import mount_connectors
from omniroute.probes import ConnectSettings, serve_probes
from omniroute.signals import run_until_signal, use_configured_loop
from omniroute.startup import StartupError
from router.service import serve

log = logging.getLogger(__name__)


def _intake(args: argparse.Namespace) -> int:
    try:
        kafka, settings = startup.prepare_intake(args.create_topics)
    except StartupError as exc:
        print(f"omniroute intake: {exc}", file=sys.stderr)
        return 1
    app = build_app(settings, kafka_context(kafka), CollectorRegistry())
    app.middlewares.insert(0, logs.request_id_middleware)  # outermost: errors carry it too
    mount_connectors(app, args.connectors.split(","))
    try:
        use_configured_loop()  # OMNIROUTE_EVENT_LOOP: run_app makes its own loop
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            shutdown_timeout=20,
            print=lambda line: log.info("%s", line),
        )
    except (KafkaUnavailable, ConfigError) as exc:
        print(f"omniroute intake: {exc}", file=sys.stderr)
        return 1
    return 0


def _router(args: argparse.Namespace) -> int:
    try:
        kafka, settings = startup.prepare_router(args.create_topics)
    except StartupError as exc:
        print(f"omniroute router: {exc}", file=sys.stderr)
        return 1
    try:
        run_until_signal(lambda stop: serve(settings, kafka, stop))
    except (KafkaUnavailable, ConfigError) as exc:
        print(f"omniroute router: {exc}", file=sys.stderr)
        return 1
    return 0


async def _run_until_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> None:
    """Run `work` until it ends or `stop` is set; its own exception (if any) propagates."""
    task = asyncio.create_task(work)
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _connect(args: argparse.Namespace) -> int:
    try:
        kafka, intake_settings = startup.prepare_intake(args.create_topics)
    except StartupError as exc:
        print(f"omniroute connect: {exc}", file=sys.stderr)
        return 1
    connector = registry.get(args.name)
    secret = intake_settings.identity_secret.get_secret_value().encode()

    metrics_registry = CollectorRegistry()
    ready = asyncio.Event()

    async def main(stop: asyncio.Event) -> None:
        http = await serve_probes(metrics_registry, ready, ConnectSettings())
        try:
            async with open_sink(
                kafka,
                name=f"connect-{args.name}",
                identity_secret=secret,
                registry=metrics_registry,
            ) as sink:
                ready.set()
                await _run_until_stopped(connector.run(sink), stop)
        finally:
            await http.cleanup()

    try:
        run_until_signal(main)
    except OmnirouteError as exc:  # Kafka, checkpoint, config: one clear line, no traceback
        print(f"omniroute connect: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("intake", help="run the HTTP ingest API (+ webhook connectors)")
    p.add_argument(
        "--connectors",
        default=os.environ.get("OMNIROUTE_INTAKE_CONNECTORS", "all"),
        help="comma list of push connectors to mount, or 'all' (env OMNIROUTE_INTAKE_CONNECTORS)",
    )
    p.set_defaults(func=_intake)
    r = subparsers.add_parser("router", help="run a router instance (scale with more)")
    r.set_defaults(func=_router)
    c = subparsers.add_parser("connect", help="run a pull connector (imap, smtp, asterisk...)")
    c.add_argument("name", help="connector name")
    for parser in (p, r, c):
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="create missing topics instead of refusing to start (env OMNIROUTE_CREATE_TOPICS)",
        )
    c.set_defaults(func=_connect)
