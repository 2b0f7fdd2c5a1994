"""Graceful stop on SIGTERM/SIGINT: set an event the main loop watches, so the current batch
finishes and clients close (offsets committed, producers flushed) instead of dying mid-write.

The event loop is asyncio's own unless `OMNIROUTE_EVENT_LOOP=uvloop` (an optional package,
`pip install uvloop`; not in requirements.lock): libuv's loop makes socket I/O and callbacks
cheaper, which matters to intake (many small HTTP requests) more than to the CPU-bound router.
`python -m bench.run` measures both.
"""

import asyncio
import importlib
import signal
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.errors import ConfigError

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class EventLoopSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_", frozen=True, extra="ignore")

    event_loop: Literal["asyncio", "uvloop"] = Field(
        "asyncio", description="Event loop of intake, router and connectors (uvloop: optional)"
    )


def loop_factory(settings: EventLoopSettings | None = None) -> LoopFactory | None:
    """None for asyncio's default loop; uvloop's constructor when configured (and installed)."""
    if (settings or EventLoopSettings()).event_loop == "asyncio":
        return None
    factory: LoopFactory = _uvloop().new_event_loop
    return factory


def _uvloop() -> Any:
    # Imported by name: an optional package that type checking and the lock do not know.
    try:
        return importlib.import_module("uvloop")
    except ImportError:
        raise ConfigError("OMNIROUTE_EVENT_LOOP=uvloop but uvloop is not installed") from None


def use_configured_loop() -> None:
    """For code that creates its own loop (aiohttp's `web.run_app`): set the loop policy."""
    if loop_factory() is not None:
        asyncio.set_event_loop_policy(_uvloop().EventLoopPolicy())


def run_until_signal(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    with asyncio.Runner(loop_factory=loop_factory()) as run:
        run.run(runner())
