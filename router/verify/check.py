"""The exactly-once verdict over what the router committed (pure: records in, report out).

Each intake record (topic/partition/offset) must have exactly one outcome: dispatched to a
department, recorded as a duplicate, deadlettered, or (auto-replies, bounces) recorded in the
decisions topic only. No output topic may hold the same input twice, no output may point at an
input that does not exist, and per key the outputs keep the input order. Outputs are tied to
inputs by the router's `omniroute-source` header (deadletters also carry it in the value).
With `sla_clock`, every dispatch must also have exactly one `dispatched` record on the events
topic (written in the same transaction: the SLA tracker's clock start) and nothing else one.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson

from intake.topics import Topics
from router.eos.record import SOURCE_HEADER
from router.pipeline import NOT_ROUTED
from router.sla.dispatched import TYPE_DISPATCHED
from router.verify.read import Rec

_SEQ = re.compile(rb'"lg_seq"\s*:\s*(\d+)')
_NOT_ROUTED = {k.value for k in NOT_ROUTED}
_EXAMPLES = 5


@dataclass
class Report:
    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter[str] = field(default_factory=Counter)
    # Message ids dispatched more than once (each from a different input). With dedup state
    # this must be 0: a redelivery after a restart is caught only if the state was restored.
    redispatched: int = 0

    def problem(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        if len(self.problems[kind]) < _EXAMPLES:
            self.problems[kind].append(example)

    @property
    def ok(self) -> bool:
        return not self.counts

    def summary(self) -> str:
        lines = [
            f"inputs {self.inputs}, outcomes {dict(self.outcomes)}, "
            f"message ids dispatched more than once {self.redispatched}"
        ]
        lines += [f"{k}: {n} e.g. {self.problems[k]}" for k, n in sorted(self.counts.items())]
        return "\n".join(lines)


def _kind(value: bytes | None) -> str:
    try:
        obj = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return "poison"
    if not isinstance(obj, dict):
        return "poison"
    return "not_routed" if obj.get("kind") in _NOT_ROUTED else "message"


def check(
    topics: Topics,
    departments: Iterable[str],
    inputs: list[Rec],
    outputs: list[Rec],
    expected_seqs: int | None = None,
    *,
    sla_clock: bool = True,
) -> Report:
    report = Report(inputs=len(inputs))
    kinds = {f"{r.topic}/{r.partition}/{r.offset}": _kind(r.value) for r in inputs}
    if expected_seqs is not None:
        _check_seqs(report, inputs, expected_seqs)
    role = {topics.dept(d): "dispatched" for d in departments}
    role |= {
        topics.duplicates: "duplicate",
        topics.deadletter: "deadletter",
        topics.decisions: "decision",
        topics.events: "sla_clock",
    }
    seen = _by_source(report, topics, role, kinds, outputs, sla_clock=sla_clock)
    for src, kind in kinds.items():
        counts = seen.get(src, Counter())
        for topic_role, n in counts.items():
            if n > 1:
                report.problem(f"{topic_role}_twice", src)
        terminal = [r for r in ("dispatched", "duplicate", "deadletter") if counts[r]]
        if kind == "not_routed" and counts["decision"] and not terminal:
            terminal = ["recorded"]
        if not terminal:
            report.problem("missing", f"{src} ({kind})")
        elif len(terminal) > 1:
            report.problem("several_outcomes", f"{src}: {terminal}")
        else:
            report.outcomes[terminal[0]] += 1
        if sla_clock:
            _check_clock(report, src, terminal, counts["sla_clock"])
    _check_order(report, outputs, {t for t, r in role.items() if r != "decision"})
    dispatched = Counter(
        r.headers.get("ce_id") for r in outputs if role.get(r.topic) == "dispatched"
    )
    report.redispatched = sum(1 for n in dispatched.values() if n > 1)
    return report


def _by_source(
    report: Report,
    topics: Topics,
    role: dict[str, str],
    kinds: dict[str, str],
    outputs: list[Rec],
    *,
    sla_clock: bool,
) -> dict[str, Counter[str]]:
    """Per input (topic/partition/offset): how many outputs of each role point at it."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for r in outputs:
        if r.topic == topics.events:
            if r.headers.get("ce_type") != TYPE_DISPATCHED.encode():
                continue  # the department tools' own lifecycle events
            if not sla_clock:
                report.problem("unexpected_sla_clock", f"{r.topic}/{r.partition}/{r.offset}")
                continue
        src = r.headers.get(SOURCE_HEADER, b"").decode()
        if src not in kinds:
            report.problem("extra_output", f"{r.topic}/{r.partition}/{r.offset} from {src!r}")
            continue
        seen[src][role.get(r.topic, r.topic)] += 1
    return seen


def _check_clock(report: Report, src: str, terminal: list[str], clocks: int) -> None:
    if terminal == ["dispatched"] and clocks == 0:
        report.problem("dispatch_without_sla_clock", src)
    elif clocks and terminal != ["dispatched"]:
        report.problem("sla_clock_without_dispatch", f"{src}: {terminal}")


def _check_seqs(report: Report, inputs: list[Rec], expected: int) -> None:
    seqs = Counter(
        int(m.group(1)) for r in inputs if (m := _SEQ.search(r.value or b"")) is not None
    )
    missing = expected - sum(1 for s in seqs if 0 <= s < expected)
    if missing:
        report.problem("input_lost_upstream", f"{missing} of {expected} sequence numbers")
    extra = [s for s, n in seqs.items() if n > 1 or not 0 <= s < expected]
    if extra:
        report.problem("input_written_twice", f"sequence numbers {sorted(extra)[:5]}")


def _check_order(report: Report, outputs: list[Rec], keyed_topics: set[str]) -> None:
    """Per output topic and key, input offsets (per input topic) must only grow."""
    last: dict[tuple[str, bytes | None, str], int] = {}
    for r in sorted(outputs, key=lambda r: (r.topic, r.partition, r.offset)):
        if r.topic not in keyed_topics or r.key is None:
            continue
        src_topic, _, src_offset = r.headers.get(SOURCE_HEADER, b"").decode().rpartition("/")
        if not src_topic:
            continue
        slot = (r.topic, r.key, src_topic.rpartition("/")[0])
        offset = int(src_offset)
        if slot in last and offset <= last[slot]:
            report.problem("order", f"{r.topic} key {r.key!r}: {offset} after {last[slot]}")
        last[slot] = offset
