"""`omniroute status`: the pipeline at a glance from the command line: omniroute's topics and
partitions, the routers' consumer lag per intake topic, and open cases per department.

Open cases are folded from the retained history (department topics for dispatches, the events
topic for resolved / reopened / transferred), so they are as complete as the retention; the
SLA tracker's /status page is the live, authoritative view.
"""

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any

from aiokafka import TopicPartition
from pydantic import BaseModel, ConfigDict

from intake import serde
from intake.errors import InvalidInput
from intake.events import EventType, LifecycleEvent
from intake.kafka import admin
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.commands import ops_kafka as ok
from omniroute.target import resolve_kafka
from router.settings import RouterSettings

Case = tuple[str, bool]  # (department, open)


class _DecisionRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    message_id: str
    department: str
    case_id: str | None = None


class _DispatchRef(BaseModel):
    """Only what counting cases needs, read leniently: a department record written by another
    router version must still count."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    decision: _DecisionRef


def fold_cases(
    dispatches: Iterable[tuple[str, str]], events: Iterable[LifecycleEvent]
) -> Counter[str]:
    """Open cases per department from (case_id, department) dispatches and lifecycle events in
    their topic order (one case's events share a partition, so their order holds)."""
    cases: dict[str, Case] = {}
    for case_id, department in dispatches:
        was = cases.get(case_id)
        # A new contact on a resolved case opens it again, at its owner.
        cases[case_id] = (was[0] if was else department, True)
    for e in events:
        if e.case_id not in cases:
            continue  # dispatched before the retained history began
        department, is_open = cases[e.case_id]
        if e.type is EventType.RESOLVED:
            is_open = False
        elif e.type is EventType.REOPENED:
            is_open = True
        elif e.type is EventType.TRANSFERRED and e.to_department:
            department = e.to_department
        cases[e.case_id] = (department, is_open)
    return Counter(d for d, is_open in cases.values() if is_open)


async def _lag(kafka: KafkaSettings, group: str, ends: dict[TopicPartition, int]) -> dict[str, int]:
    client = admin(kafka)
    await client.start()
    try:
        committed = await client.list_consumer_group_offsets(group)
    finally:
        await client.close()
    lag: Counter[str] = Counter()
    for tp, end in ends.items():
        meta = committed.get(tp)
        lag[tp.topic] += max(end - (meta.offset if meta is not None else 0), 0)
    return dict(lag)


async def collect(
    kafka: KafkaSettings, group: str, cases: bool, timeout_s: float
) -> dict[str, Any]:
    t = Topics(kafka.topic_prefix)
    async with ok.reader(kafka) as consumer:
        names = sorted(n for n in await consumer.topics() if n.startswith(f"{t.prefix}."))
        span = await ok.ranges(consumer, await ok.partitions(consumer, names))
        topics: dict[str, dict[str, int]] = {}
        for tp, (begin, end) in span.items():
            row = topics.setdefault(tp.topic, {"partitions": 0, "records": 0})
            row["partitions"] += 1
            row["records"] += end - begin
        intake = {tp: end for tp, (_, end) in span.items() if tp.topic in t.all_intake()}
        doc: dict[str, Any] = {"topics": topics, "group": group}
        doc["lag"] = await _lag(kafka, group, intake)
        if cases:
            doc["open_cases"] = await _open_cases(consumer, span, t, timeout_s)
    return doc


async def _open_cases(
    consumer: Any, span: ok.Ranges, t: Topics, timeout_s: float
) -> dict[str, int]:
    dept = {tp: r for tp, r in span.items() if tp.topic.startswith(f"{t.prefix}.dept.")}
    dispatches = []
    async for r in ok.read(consumer, dept, timeout_s):
        try:
            d = serde.loads(_DispatchRef, r.value or b"")
        except InvalidInput:
            continue  # not ours to judge here; the router deadletters bad input upstream
        dispatches.append((d.decision.case_id or d.decision.message_id, d.decision.department))
    events = []
    async for r in ok.read(consumer, {tp: r for tp, r in span.items() if tp.topic == t.events},
                           timeout_s):  # fmt: skip
        try:
            events.append(serde.loads(LifecycleEvent, r.value or b""))
        except InvalidInput:
            continue
    return dict(sorted(fold_cases(dispatches, events).items()))


def render(doc: dict[str, Any]) -> str:
    topics = doc["topics"]
    rows = [[n, v["partitions"], v["records"]] for n, v in topics.items()]
    out = [ok.table(["TOPIC", "PARTITIONS", "RECORDS"], rows), ""]
    lag = doc["lag"]
    out.append(f"consumer group {doc['group']}: lag {sum(lag.values())}")
    out += [f"  {topic}: {n}" for topic, n in sorted(lag.items())]
    if "open_cases" in doc:
        cases = doc["open_cases"]
        out += ["", f"open cases: {sum(cases.values())}"]
        out += [f"  {d}: {n}" for d, n in cases.items()]
    return "\n".join(out)


def _main(args: argparse.Namespace) -> int:
    group = args.group or RouterSettings().group_id
    try:
        doc = asyncio.run(collect(resolve_kafka(), group, not args.no_cases, args.timeout))
    except (ok.OpsError, OSError) as exc:
        print(f"omniroute status: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(serde.dumps_pretty(doc).decode() + "\n")
    else:
        print(render(doc))
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("status", help="topics, partitions, router lag, open cases")
    p.add_argument("--group", help="router consumer group (default: OMNIROUTE_ROUTER_GROUP_ID)")
    p.add_argument("--no-cases", action="store_true", help="skip reading the case history")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds for reading history")
    p.set_defaults(func=_main)
