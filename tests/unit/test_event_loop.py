"""OMNIROUTE_EVENT_LOOP: asyncio by default, uvloop on request, one clear error without it."""

import asyncio
import sys

import pytest

from intake.errors import ConfigError
from omniroute.signals import EventLoopSettings, loop_factory, run_until_signal

pytestmark = pytest.mark.unit


def test_default_is_asyncio() -> None:
    assert loop_factory(EventLoopSettings()) is None


def test_uvloop_on_request() -> None:
    uvloop = pytest.importorskip("uvloop")
    assert loop_factory(EventLoopSettings(event_loop="uvloop")) is uvloop.new_event_loop


def test_uvloop_missing_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import of a None entry raises
    with pytest.raises(ConfigError, match="uvloop is not installed"):
        loop_factory(EventLoopSettings(event_loop="uvloop"))


def test_run_until_signal_runs_on_the_configured_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvloop")
    monkeypatch.setenv("OMNIROUTE_EVENT_LOOP", "uvloop")
    seen: list[str] = []

    async def main(stop: asyncio.Event) -> None:
        seen.append(type(asyncio.get_running_loop()).__module__)

    run_until_signal(main)
    assert seen and seen[0].startswith("uvloop")
