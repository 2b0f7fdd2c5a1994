"""/metrics, /healthz and /readyz for processes without their own HTTP API (pull connectors),
so a mailbox reader or CDR tailer is as observable as intake and router."""

import asyncio

from aiohttp import web
from prometheus_client import CollectorRegistry
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from router.http import build_http_app


class ConnectSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_CONNECT_", frozen=True, extra="ignore")

    http_host: str = Field("127.0.0.1", description="Address of the connector's probe endpoints")
    http_port: int = Field(9093, ge=0, le=65535, description="Port of /metrics, /healthz, /readyz")


async def serve_probes(
    registry: CollectorRegistry, ready: asyncio.Event, settings: ConnectSettings
) -> web.AppRunner:
    runner = web.AppRunner(build_http_app(registry, ready))
    await runner.setup()
    await web.TCPSite(runner, settings.http_host, settings.http_port).start()
    return runner
