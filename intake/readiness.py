"""Kafka reachability, probed in the background so /readyz answers instantly and never piles
up broker requests when a load balancer polls it hard."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[object]]


class KafkaProbe:
    def __init__(self, check: Check, interval_s: float, timeout_s: float = 3.0) -> None:
        self._check = check
        self._interval = interval_s
        self._timeout = timeout_s
        self._task: asyncio.Task[None] | None = None
        self.ready = False

    async def probe_once(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                await self._check()
        except Exception as exc:  # any failure means "not ready"; the reason goes to the log
            if self.ready:
                log.warning("Kafka probe failed: %s", type(exc).__name__)
            self.ready = False
        else:
            self.ready = True
        return self.ready

    def mark_unavailable(self) -> None:
        """A failed publish is fresher evidence than the last probe."""
        self.ready = False

    async def _loop(self) -> None:
        while True:
            await self.probe_once()
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
