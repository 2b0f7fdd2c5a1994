"""Exactly-once across a broker restart. Needs a broker of its own (the session broker is
shared), so it starts one with LocalKafka: same port and data after `restart()`."""

import asyncio
from pathlib import Path

import pytest

from omniroute.localkafka import LocalKafka
from tests.integration.eos.scenario import Scenario, assert_exactly_once

pytestmark = pytest.mark.faults  # make test-faults; CI runs test_phases.py


async def test_broker_restart(tmp_path: Path) -> None:
    broker = LocalKafka(tmp_path / "kafka")
    bootstrap = await asyncio.to_thread(broker.start)
    scenario = Scenario(bootstrap, tmp_path)
    try:
        await scenario.prepare()
        routers = scenario.pair()
        await scenario.wait_progress(0.3)
        # SIGKILL to the broker, then the same data dir and port: open transactions survive in
        # the transaction log, connections and coordinators must be found again. (The phased
        # run in CI restarts it cleanly.)
        await asyncio.to_thread(broker.restart, crash=True)
        await scenario.wait_progress(0.6)
        for router in routers:  # neither died of it
            assert router.proc is not None and router.proc.poll() is None, router.log_tail()
        assert_exactly_once(scenario, await scenario.finish())
    finally:
        scenario.cleanup()
        await asyncio.to_thread(broker.stop)
