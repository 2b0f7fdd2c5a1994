"""Exactly-once under every fault, in CI: one run of 50,000 generated records in eight phases
(`phases.PhasedRun`), each phase's fault hitting routers busy with its slice and each followed
by the verifier over everything routed so far: kill -9 three times, two SIGTERM restarts, a
broker restart, a rebalance (a third instance joins and leaves), a zombie (SIGSTOP until its
partitions move, SIGCONT: fenced, writes nothing). Two routers start together, so the first
phase is also a take-over between members that both just committed. `make test-faults` runs
each scenario on its own (test_faults.py, test_broker_restart.py)."""

import asyncio
import signal
from pathlib import Path

from omniroute.localkafka import LocalKafka
from tests.integration.eos.phases import Fault, PhasedRun
from tests.integration.eos.procs import RouterProc
from tests.integration.eos.scenario import MESSAGES, Scenario

FENCED = 'omniroute_router_transactions_total{result="fenced"}'
OWNED = "omniroute_router_partitions_owned"
CONSUMED = "omniroute_router_consumed_total"


async def busy(router: RouterProc) -> None:
    """Until `router` is seen processing records."""
    async with asyncio.timeout(60):
        before = await asyncio.to_thread(router.metric, CONSUMED)
        while (now := await asyncio.to_thread(router.metric, CONSUMED)) <= before:
            before = now
            await asyncio.sleep(0.1)


async def test_every_fault_in_one_verified_run(tmp_path: Path) -> None:
    # A broker of its own: one phase restarts it (same data dir and port).
    broker = LocalKafka(tmp_path / "kafka")
    bootstrap = await asyncio.to_thread(broker.start)
    scenario = Scenario(bootstrap, tmp_path)
    run = PhasedRun(scenario, MESSAGES, phases=8)
    try:
        await run.create_topics()
        r1, r2 = scenario.pair()

        def kill9(victim: RouterProc) -> Fault:
            async def fault() -> None:
                await victim.kill9()
                # Static membership: the same instance id gets its partitions back without a
                # rebalance; its InitProducerIds abort what the dead process left open.
                victim.start()

            return fault

        def sigterm(victim: RouterProc) -> Fault:
            async def fault() -> None:
                victim.send(signal.SIGTERM)
                # A clean stop commits what was processed; the restart resumes right there.
                assert await victim.wait_exit(60) == 0, victim.log_tail()
                victim.start()

            return fault

        async def broker_restart() -> None:
            # A clean restart (controlled shutdown), as in a rolling upgrade: open transactions
            # survive in the transaction log, coordinators move back, and the commit markers of
            # the partitions it left leaderless are written once they have a leader again.
            await asyncio.to_thread(broker.restart)

        async def join_and_leave() -> None:
            # A dynamic member: its LeaveGroup rebalances at once (a static one's partitions
            # would wait for the session timeout, as in test_faults.py).
            third = scenario.router("r3", static=False)
            third.start()
            # The co-partitioned assignor splits the six partition numbers 2/2/2.
            await third.wait_metric(OWNED, 2, timeout_s=120)
            await run.wait_slice(0.6)
            third.send(signal.SIGTERM)
            assert await third.wait_exit(60) == 0, third.log_tail()

        async def zombie() -> None:
            # Stopped while busy, it holds processed work it has not committed: its attempt to
            # commit it after SIGCONT is what gets fenced.
            await busy(r2)
            r2.send(signal.SIGSTOP)
            # The group expels the silent member; r1's InitProducerIds for r2's partitions bump
            # their epochs.
            await r1.wait_metric(OWNED, 6, timeout_s=120)
            r2.send(signal.SIGCONT)
            # Its next transaction (work processed before the stop) is rejected by the broker.
            await r2.wait_metric(FENCED, 1, timeout_s=60)

        for victim in (r1, r2, r1):
            await run.phase(f"kill -9 {victim.instance}", kill9(victim))
        await run.phase("SIGTERM r2", sigterm(r2))
        await run.phase("broker restart", broker_restart)
        for router in (r1, r2):  # neither died of it
            assert router.proc is not None and router.proc.poll() is None, router.log_tail()
        await run.phase("rebalance: r3 joins and leaves", join_and_leave, at=0.0)
        await run.phase("zombie r2", zombie, at=0.1)
        await run.phase("SIGTERM r1", sigterm(r1))
        assert run.produced >= MESSAGES
        print("\n".join(run.timings))
    finally:
        scenario.cleanup()
        await asyncio.to_thread(broker.stop)
