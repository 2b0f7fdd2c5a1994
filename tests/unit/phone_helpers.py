"""Shared bits of the phone connector unit tests."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.base import Connector
from intake.http.app import build_app
from intake.http.settings import IntakeSettings
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "phone"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@asynccontextmanager
async def phone_client(
    connector: Connector[Any], publisher: FakePublisher
) -> AsyncIterator[TestClient[Any, Any]]:
    app = build_app(IntakeSettings(), fake_kafka_context(publisher), CollectorRegistry())
    app.router.add_routes(connector.routes())
    async with TestClient(TestServer(app)) as client:
        yield client


def counter(client: TestClient[Any, Any], name: str, labels: dict[str, str]) -> float:
    from intake.http import state

    registry = client.app[state.METRICS].registry  # type: ignore[index]
    return registry.get_sample_value(name, labels) or 0.0
