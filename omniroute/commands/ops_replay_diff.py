"""The pure half of `omniroute replay`: re-decide one intake record with a candidate routing
config and compare the outcome (department, priority, SLA) with what was dispatched.

Case context comes from the dispatched decision: a follow-up stays with the department that
owns its case and a repeat contact keeps its contact count (which can raise the priority), as
the live router would do with its dedup state. The preview is therefore about rules, not about
re-threading history.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

from intake import serde
from intake.errors import InvalidInput
from intake.message import Message
from router.decision import Decision
from router.dedup.verdict import DedupLayer, Verdict
from router.pipeline import Pipeline


class Dispatched(BaseModel):
    """The fields of a recorded decision that the comparison needs. Read leniently (a subset,
    unknown fields ignored), so a record from an older or newer router still counts as a
    baseline even when the full `Decision` model would reject it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_id: str
    department: str
    priority: str
    sla_policy: str
    sla_due_at: AwareDatetime
    case_id: str | None = None
    contact_count: int = 1
    classified_department: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    department: str
    priority: str
    sla_policy: str
    sla_due_at: datetime

    @classmethod
    def of(cls, d: Decision | Dispatched) -> "Outcome":
        return cls(d.department, str(d.priority), d.sla_policy, d.sla_due_at)


@dataclass(frozen=True, slots=True)
class Row:
    message_id: str
    source: str  # topic/partition/offset of the intake record
    before: Outcome | None  # None: nothing dispatched (duplicate, deadletter, not routed yet)
    after: Outcome | None  # None: the candidate config could not decide (unreadable record)
    after_decision: Decision | None = None

    @property
    def changes(self) -> tuple[str, ...]:
        if self.before is None or self.after is None:
            return ()
        b, a = self.before, self.after
        out = [
            name
            for name, old, new in (
                ("department", b.department, a.department),
                ("priority", b.priority, a.priority),
                # The deadline, not the policy text: that explains, and its wording may
                # change between router versions without any deadline moving.
                ("sla", b.sla_due_at, a.sla_due_at),
            )
            if old != new
        ]
        return tuple(out)


def _verdict(before: Dispatched) -> Verdict | None:
    follow_up = before.classified_department is not None or before.contact_count > 1
    if not follow_up and before.case_id is None:
        return None
    return Verdict(
        kind="follow_up" if follow_up else "new",
        layer=DedupLayer.THREAD if follow_up else None,
        original_id=None,
        case_id=before.case_id or before.message_id,
        department=before.department if follow_up else None,
        contact_count=before.contact_count,
    )


def replay_one(pipeline: Pipeline, raw: bytes, source: str, before: Dispatched | None) -> Row:
    try:
        message = serde.loads(Message, raw)
    except InvalidInput:
        return Row("?", source, Outcome.of(before) if before else None, None)
    verdict = _verdict(before) if before is not None else None
    after = pipeline.decide(message, None, verdict)
    return Row(message.id, source, Outcome.of(before) if before else None, Outcome.of(after), after)


@dataclass
class Summary:
    replayed: int = 0
    unchanged: int = 0
    changed: int = 0
    no_baseline: int = 0
    undecidable: int = 0
    by_field: Counter[str] = field(default_factory=Counter)
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)


def summarize(rows: list[Row]) -> Summary:
    s = Summary(replayed=len(rows))
    for row in rows:
        if row.after is None:
            s.undecidable += 1
        elif row.before is None:
            s.no_baseline += 1
        elif row.changes:
            s.changed += 1
            s.by_field.update(row.changes)
            if "department" in row.changes:
                s.moves[(row.before.department, row.after.department)] += 1
        else:
            s.unchanged += 1
    return s


def render(rows: list[Row], s: Summary, limit: int, config_version: str) -> str:
    lines = [
        f"replayed {s.replayed} intake record(s) with config {config_version}: "
        f"{s.unchanged} unchanged, {s.changed} changed, {s.no_baseline} without a dispatched "
        f"decision, {s.undecidable} unreadable",
    ]
    if s.by_field:
        lines.append("changed: " + ", ".join(f"{k} {v}" for k, v in s.by_field.most_common()))
    for (old, new), n in s.moves.most_common():
        lines.append(f"  {old} -> {new}: {n}")
    changed = [r for r in rows if r.changes]
    for row in changed[:limit]:
        assert row.before is not None and row.after is not None
        b, a = row.before, row.after
        lines.append(
            f"{row.message_id} ({row.source}): "
            + "; ".join(f"{name} {_show(b, name)} -> {_show(a, name)}" for name in row.changes)
        )
    if len(changed) > limit:
        lines.append(f"... and {len(changed) - limit} more (--limit)")
    return "\n".join(lines)


def _show(o: Outcome, name: str) -> str:
    if name == "sla":
        return f"{o.sla_policy}@{o.sla_due_at.isoformat(timespec='seconds')}"
    return str(getattr(o, name))
