"""Running one hostile input under a memory and a hang bound.

Memory is what tracemalloc sees allocated at the peak (deterministic, so it can be asserted).
Time is only a watchdog against hangs and quadratic blow-ups, far above what a correct parser
needs even on a loaded 2-core machine; the measured time is printed (CONTRIBUTING: speed goals
are benchmarks, not assertions).
"""

import asyncio
import signal
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

MIB = 1 << 20
HANG_S = 60


class Hung(AssertionError):
    pass


@contextmanager
def watchdog(seconds: int = HANG_S) -> Iterator[None]:
    def alarm(_signum: int, _frame: Any) -> None:
        raise Hung(f"no answer within {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def bounded(label: str, fn: Callable[[], T], max_bytes: int, hang_s: int = HANG_S) -> T:
    """Run `fn` once; fail if its allocation peak exceeds `max_bytes` or it hangs."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with watchdog(hang_s):
            result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f}s, peak {peak / MIB:.1f} MiB")
    assert peak <= max_bytes, f"{label}: peak {peak / MIB:.1f} MiB > {max_bytes / MIB:.0f} MiB"
    return result


async def abounded(label: str, fn: Callable[[], Awaitable[T]], max_bytes: int) -> T:
    """`bounded` for a coroutine (the server under test runs on the test's loop)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(HANG_S):
            result = await fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f}s, peak {peak / MIB:.1f} MiB")
    assert peak <= max_bytes, f"{label}: peak {peak / MIB:.1f} MiB > {max_bytes / MIB:.0f} MiB"
    return result
