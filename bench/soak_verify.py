"""The soak's closing checks: the router caught up, every input has exactly one outcome (the
exactly-once verifier), and every message the intake answered 2xx is on Kafka exactly once
(ids the intake refused must not be there either), and memory over the run's second half."""

import asyncio
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from intake.settings import KafkaSettings
from intake.topics import Topics
from router.config.loader import load_default_config
from router.verify import read_all, verify
from router.verify.read import GroupOffsets, end_offsets

_ID = re.compile(rb"soak-[0-9a-f]{32}")


@dataclass
class Tally:
    """The intake's answers: counts by status, and which message ids were accepted (2xx)."""

    answers: dict[str, int] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)

    def record(self, status: str, msg_id: str) -> None:
        self.answers[status] = self.answers.get(status, 0) + 1
        (self.accepted if status.startswith("2") else self.refused).add(msg_id)


async def closing_checks(
    kafka: KafkaSettings, group_id: str, accepted: set[str], refused: set[str]
) -> dict[str, Any]:
    topics = Topics(kafka.topic_prefix)
    await settled(kafka, group_id, topics.all_intake(), timeout_s=300)
    departments = load_default_config().all_departments()
    report = await verify(kafka, topics, departments, timeout_s=600)
    print(f"verifier: {'OK' if report.ok else 'FAILED'}: {report.summary()}")
    inputs = await read_all(kafka, topics.all_intake(), values=True, timeout_s=600)
    on_kafka = Counter(
        m.group(0).decode() for r in inputs if (m := _ID.search(r.value or b"")) is not None
    )
    lost = accepted - on_kafka.keys()
    twice = sum(1 for n in on_kafka.values() if n > 1)
    # A refused (5xx/timeout) post may still have landed: the client cannot know, so it is
    # reported, not a failure; an accepted one missing or doubled is.
    landed_refused = len(refused & on_kafka.keys())
    print(
        f"intake: {len(accepted)} answered 2xx, {len(on_kafka)} distinct ids on Kafka, "
        f"lost {len(lost)}, on Kafka twice {twice}, refused-but-landed {landed_refused}"
    )
    return {
        "ok": report.ok and not lost and not twice,
        "verifier_ok": report.ok,
        "verifier": report.summary(),
        "accepted": len(accepted),
        "distinct_on_kafka": len(on_kafka),
        "lost": len(lost),
        "twice": twice,
        "refused_but_landed": landed_refused,
    }


async def settled(kafka: KafkaSettings, group_id: str, topics: list[str], timeout_s: float) -> None:
    """Wait until the router's committed offsets are within one of the end and stopped moving.

    Not `wait_caught_up`: the intake publishes in transactions, so each partition may end in a
    commit marker the router never consumes (it commits last record + 1), one short of the end
    offset for good. The verifier afterwards says whether anything is really missing."""
    ends = await end_offsets(kafka, topics)
    watch = GroupOffsets(kafka)
    last: dict[object, int] = {}
    still = 0
    try:
        async with asyncio.timeout(timeout_s):
            while still < 10:
                done = await watch.committed(group_id)
                near = all(end - done.get(tp, 0) <= 1 for tp, end in ends.items())
                still = still + 1 if near and done == last else 0
                last = dict(done)
                await asyncio.sleep(1)
    finally:
        await watch.close()


def slope_mib_per_hour(points: list[tuple[float, float, int]]) -> float:
    """Least-squares slope of (seconds, MiB, lifetime) points in MiB per hour, pooled within
    lifetimes (one intercept each): the step a restart makes (state restored, caches warmed
    again) is not growth, the drift while one process runs is."""
    lifetimes: dict[int, list[tuple[float, float]]] = {}
    for t, mib, life in points:
        lifetimes.setdefault(life, []).append((t, mib))
    cov = var = 0.0
    for pts in lifetimes.values():
        mean_t = sum(t for t, _ in pts) / len(pts)
        mean_m = sum(m for _, m in pts) / len(pts)
        var += sum((t - mean_t) ** 2 for t, _ in pts)
        cov += sum((t - mean_t) * (m - mean_m) for t, m in pts)
    return cov / var * 3600 if var else float("nan")
