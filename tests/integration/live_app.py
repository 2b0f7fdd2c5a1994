"""The real ingest app served on 127.0.0.1 from a background thread with its own event loop, for
synchronous HTTP clients (schemathesis, soak drivers) that cannot share the test's loop."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web
from prometheus_client import CollectorRegistry

from intake.http.app import build_app, kafka_context
from intake.settings import KafkaSettings
from tests.integration.app_harness import intake_settings


@contextmanager
def serve_intake(kafka: KafkaSettings, **overrides: object) -> Iterator[str]:
    """Yields the base URL; the app (and its Kafka clients) stop when the block ends."""
    loop = asyncio.new_event_loop()
    ready: asyncio.Future[str] = loop.create_future()
    stop = asyncio.Event()

    async def main() -> None:
        app = build_app(intake_settings(**overrides), kafka_context(kafka), CollectorRegistry())
        runner = web.AppRunner(app)
        try:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            ready.set_result(f"http://127.0.0.1:{port}")
            await stop.wait()
        except Exception as exc:
            if not ready.done():
                ready.set_exception(exc)
        finally:
            await runner.cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        base = asyncio.run_coroutine_threadsafe(_wait(ready), loop).result(timeout=120)
        yield base
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=60)
        loop.close()


async def _wait(future: "asyncio.Future[str]") -> str:
    return await future
