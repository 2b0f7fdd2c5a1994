"""Exactly-once verifier: reads every intake and output topic read_committed and checks that
each input has exactly one outcome, none is missing or extra, and per-key order holds."""

from collections.abc import Iterable

from intake.settings import KafkaSettings
from intake.topics import Topics
from router.verify.check import Report, check
from router.verify.decided import wait_decided
from router.verify.growing import GrowingRun, output_topics
from router.verify.read import Rec, read_all, wait_caught_up

__all__ = ["GrowingRun", "Rec", "Report", "check", "read_all", "verify", "wait_caught_up"]


async def verify(
    kafka: KafkaSettings,
    topics: Topics,
    departments: Iterable[str],
    expected_seqs: int | None = None,
    timeout_s: float = 180.0,
    *,
    sla_clock: bool = True,
) -> Report:
    """`sla_clock`: the router under test writes `dispatched` records (the SLA clock start) to
    the events topic; a peer implementation that does not is checked with False."""
    departments = list(departments)
    inputs = await read_all(kafka, topics.all_intake(), values=True, timeout_s=timeout_s)
    outs = output_topics(topics, departments)
    await wait_decided(kafka, outs, timeout_s)
    outputs = await read_all(kafka, outs, values=False, timeout_s=timeout_s)
    return check(topics, departments, inputs, outputs, expected_seqs, sla_clock=sla_clock)
