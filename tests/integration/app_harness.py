"""Running the real intake app and a router against a real broker inside a test."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from intake.http.app import build_app, kafka_context
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from intake.settings import KafkaSettings
from router.runner import Runner
from router.service import build_runner
from router.settings import RouterSettings

TOKEN = "omr_integration-test-token-000000000000000"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def intake_settings(**overrides: object) -> IntakeSettings:
    entry = TokenEntry(name="it-adapter", sha256=hash_token(TOKEN))
    return IntakeSettings.model_validate({"tokens": (entry,)} | overrides)


@asynccontextmanager
async def intake_client(
    kafka: KafkaSettings, **overrides: object
) -> AsyncIterator[TestClient[object, object]]:
    app = build_app(intake_settings(**overrides), kafka_context(kafka), CollectorRegistry())
    async with TestClient(TestServer(app)) as client:
        yield client


@dataclass
class RunningRouter:
    runner: Runner
    stop: asyncio.Event
    task: "asyncio.Task[None]"


@asynccontextmanager
async def running_router(kafka: KafkaSettings, group: str) -> AsyncIterator[RunningRouter]:
    runner = build_runner(RouterSettings(group_id=group, http_port=0), kafka, CollectorRegistry())
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield RunningRouter(runner, stop, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
