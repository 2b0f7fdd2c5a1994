"""Exactly-once under faults: each scenario routes 50,000 generated records through real router
processes while something goes wrong, then the verifier reads every output topic
read_committed: every input has exactly one outcome, none is missing or extra, per-key order
holds."""

import asyncio
import signal

import pytest

from tests.integration.eos.scenario import Scenario, assert_exactly_once

pytestmark = pytest.mark.faults  # make test-faults; CI runs test_phases.py

FENCED = 'omniroute_router_transactions_total{result="fenced"}'
OWNED = "omniroute_router_partitions_owned"
CONSUMED = "omniroute_router_consumed_total"


async def test_kill9_three_times(scenario: Scenario) -> None:
    await scenario.prepare()
    # Two instances keep both cores busy (the CI budget); each fault hits one of them.
    routers = scenario.pair()
    for i, fraction in enumerate((0.15, 0.4, 0.65)):
        await scenario.wait_progress(fraction)
        victim = routers[i % 2]
        await victim.kill9()
        # Same instance id: static membership hands it its partitions back without a
        # rebalance (the other instance carries on); its InitProducerIds abort what the dead
        # process left open.
        victim.start()
    assert_exactly_once(scenario, await scenario.finish())


async def test_sigterm_restarts(scenario: Scenario) -> None:
    await scenario.prepare()
    routers = scenario.pair()
    for i, fraction in enumerate((0.2, 0.5, 0.8)):
        await scenario.wait_progress(fraction)
        victim = routers[i % 2]
        victim.send(signal.SIGTERM)
        # A clean stop commits what was processed; the restart resumes right there.
        assert await victim.wait_exit(60) == 0, victim.log_tail()
        victim.start()
    assert_exactly_once(scenario, await scenario.finish())


async def test_rebalance_second_instance_joins_and_leaves(scenario: Scenario) -> None:
    await scenario.prepare()
    first, second = scenario.router("r1"), scenario.router("r2")
    first.start()
    await scenario.wait_progress(0.15)
    second.start()
    # The co-partitioned assignor splits the six partition numbers 3/3.
    await second.wait_metric(CONSUMED, 1, timeout_s=60)
    assert await asyncio.to_thread(second.metric, OWNED) == 3
    await scenario.wait_progress(0.6)
    second.send(signal.SIGTERM)
    assert await second.wait_exit(30) == 0, second.log_tail()
    # A static member does not leave the group: its partitions move after the session timeout.
    await first.wait_metric(OWNED, 6, timeout_s=60)
    assert_exactly_once(scenario, await scenario.finish())


async def test_zombie_is_fenced(scenario: Scenario) -> None:
    await scenario.prepare()
    first, zombie = scenario.router("r1"), scenario.router("r2")
    first.start()
    zombie.start()
    await zombie.wait_metric(CONSUMED, 1, timeout_s=60)
    await scenario.wait_progress(0.3)
    zombie.send(signal.SIGSTOP)
    # The group expels the silent member; r1 takes its partitions over and its
    # InitProducerIds bump the epochs of the zombie's transactional ids.
    await first.wait_metric(OWNED, 6, timeout_s=60)
    await scenario.wait_progress(min(await scenario.progress() + 0.1, 0.9))
    zombie.send(signal.SIGCONT)
    # The zombie's next transaction of a lost partition is rejected by the broker.
    await zombie.wait_metric(FENCED, 1, timeout_s=60)
    assert_exactly_once(scenario, await scenario.finish())


async def test_two_dynamic_members_start_together(scenario: Scenario) -> None:
    # The benchmark's 2-router failure: the first member to join commits its first
    # transactions, the second one's join makes it give half of its partitions away and keep
    # the rest. A kept partition re-read its offsets from OffsetFetch, which can lag the
    # transactions it had just committed (their markers are written after EndTxn returns), and
    # processed those inputs again. Intermittent: it needs a slow broker; unit test:
    # test_eos_owner.py.
    await scenario.prepare(6_000)
    for name in ("r1", "r2"):
        scenario.router(name, static=False).start()
    assert_exactly_once(scenario, await scenario.finish())
