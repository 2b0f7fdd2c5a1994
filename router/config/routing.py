"""The whole routing configuration and its cross-reference checks.

Cross-references (a rule naming an unknown department, a target naming an unknown calendar)
are checked by `problems()`, which returns the exact location of each one, so `check-config`
can point at the offending line; the model validator reuses it for configs built in code.
"""

from typing import Any

from pydantic import Field, ValidationInfo, model_validator

from router.config.model import TRIAGE, Name, Rule, Strict
from router.config.policy import ClassifierPolicy, PriorityPolicy, SlaPolicy

Loc = tuple[str | int, ...]
# Validation context key: the loader runs `problems()` itself to report locations.
LOCATED = "located_checks"


class RoutingConfig(Strict):
    departments: tuple[Name, ...] = Field(description="Department queues (one topic each)")
    fallback_department: Name = Field(TRIAGE, description="Where unclassifiable messages go")
    rules: tuple[Rule, ...] = Field((), description="Explicit rules, in order")
    classifier: ClassifierPolicy = Field(
        default_factory=ClassifierPolicy, description="Statistical layer and threshold"
    )
    priority: PriorityPolicy = Field(
        default_factory=PriorityPolicy, description="Priority signals besides rules"
    )
    sla: SlaPolicy = Field(default_factory=SlaPolicy, description="SLA targets and calendars")
    version: str = Field("", description="Content hash; set by the loader, never by hand")

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> "RoutingConfig":
        context: Any = info.context
        if isinstance(context, dict) and context.get(LOCATED):
            return self
        found = problems(self)
        if found:
            raise ValueError("; ".join(f"{render_loc(loc)}: {msg}" for loc, msg in found))
        return self

    def all_departments(self) -> list[str]:
        return [*self.departments, self.fallback_department]


def render_loc(loc: Loc) -> str:
    """('rules', 3, 'department') -> 'rules[3].department'."""
    out, suffix = "", ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for an invalid mapping key
            suffix = " (key)"
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out + suffix


def _unknown(known: set[str], names: Any, where: Loc, what: str) -> list[tuple[Loc, str]]:
    return [((*where, n), f"unknown {what} '{n}'") for n in names if n not in known]


def problems(config: RoutingConfig) -> list[tuple[Loc, str]]:
    known = set(config.all_departments())
    out: list[tuple[Loc, str]] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(config.rules):
        if rule.department is not None and rule.department not in known:
            out.append((("rules", i, "department"), f"unknown department '{rule.department}'"))
        if rule.id in seen:
            first = f"first at rules[{seen[rule.id]}]"
            out.append((("rules", i, "id"), f"duplicate rule ids: {rule.id} ({first})"))
        seen.setdefault(rule.id, i)
    sla = config.sla
    if "department_max_seconds" in sla.model_fields_set:  # the defaults may name absent ones
        where: Loc = ("sla", "department_max_seconds")
        out += _unknown(known, sla.department_max_seconds, where, "department")
    out += _unknown(known, config.priority.departments, ("priority", "departments"), "department")
    calendars = set(sla.calendars)
    if sla.default_calendar is not None and sla.default_calendar not in calendars:
        out.append((("sla", "default_calendar"), f"unknown calendar '{sla.default_calendar}'"))
    target_ids: set[str] = set()
    for i, target in enumerate(sla.targets):
        where = ("sla", "targets", i)
        out += [
            ((*where, "departments", j), f"unknown department '{d}'")
            for j, d in enumerate(target.departments)
            if d not in known
        ]
        if target.calendar is not None and target.calendar not in calendars:
            out.append(((*where, "calendar"), f"unknown calendar '{target.calendar}'"))
        if target.id in target_ids:
            out.append(((*where, "id"), f"duplicate target id '{target.id}'"))
        target_ids.add(target.id)
    return out
