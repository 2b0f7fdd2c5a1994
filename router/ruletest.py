"""Rule tests (like `promtool test rules`): example messages with the decision expected for
each, kept next to the rules and run by `omniroute test-rules`, so a platform team can change
rules and see at once what else moved. Runs through the router's own pipeline."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import AwareDatetime, Field, ValidationError

from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Channel, Customer, MessageDraft, MessageKind, MetadataValue
from router.classifier import Classifier, Layer
from router.config.model import LanguageTag, Name, Priority, Strict
from router.config.routing import render_loc
from router.config.yamlmap import ConfigProblems, Located, Problem, compose
from router.decision import Decision
from router.dedup.verdict import Verdict
from router.pipeline import Pipeline

# A Monday morning in UTC: cases that test business hours say `received_at` themselves.
DEFAULT_RECEIVED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
_KEYER = IdentityKeyer(b"omniroute-rule-tests-key")


class Expect(Strict):
    department: Name | None = Field(None, description="Expected department")
    intent: str | None = Field(None, description="Expected intent")
    priority: Priority | None = Field(None, description="Expected priority")
    layer: Layer | None = Field(None, description="Expected deciding layer")
    language: LanguageTag | None = Field(None, description="Expected detected language")
    rules: tuple[Name, ...] = Field((), description="Rules that must match")
    not_rules: tuple[Name, ...] = Field((), description="Rules that must not match")
    sla_seconds: int | None = Field(None, description="Expected deadline minus receipt (s)")


class Case(Strict):
    name: str | None = Field(None, description="What the case shows")
    text: str = Field("", description="Message text")
    subject: str | None = Field(None, description="Subject line")
    channel: Channel = Field(Channel.EMAIL, description="Channel")
    kind: MessageKind = Field(MessageKind.MESSAGE, description="Message kind")
    language: str | None = Field(None, description="Language declared by the channel")
    metadata: dict[str, MetadataValue] = Field(default_factory=dict, description="Metadata")
    customer: Customer = Field(default_factory=Customer, description="Customer identifiers")
    tier: Name | None = Field(None, description="Directory tier of the customer, e.g. vip")
    time_zone: str | None = Field(None, description="Directory time zone of the customer")
    contact_count: int = Field(1, ge=1, description="Contacts on the case, this one included")
    received_at: AwareDatetime = Field(DEFAULT_RECEIVED, description="Receipt time")
    expect: Expect = Field(description="The expected decision")


class RuleTests(Strict):
    config: str | None = Field(None, description="Routing config, relative to this file")
    tests: tuple[Case, ...] = Field(description="The cases")


@dataclass(frozen=True, slots=True)
class _Customer:
    tier: str | None
    time_zone: str | None


class _OneCustomer:
    def __init__(self, record: _Customer) -> None:
        self.record = record

    def get(self, key: str) -> _Customer:
        return self.record


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    line: int
    decision: Decision
    failures: tuple[str, ...]


def load_tests(path: Path) -> tuple[RuleTests, Located]:
    doc = compose(path.read_text(encoding="utf-8"), str(path))
    try:
        return RuleTests.model_validate(doc.data), doc
    except ValidationError as exc:
        raise ConfigProblems(
            [
                Problem(doc.file, doc.line(tuple(e["loc"])), render_loc(tuple(e["loc"])), e["msg"])
                for e in exc.errors(include_url=False)
            ]
        ) from None


def _check(case: Case, d: Decision) -> tuple[str, ...]:
    e, out = case.expect, []
    due = (d.sla_due_at - case.received_at).total_seconds()
    for name, want, got in (
        ("department", e.department, d.department),
        ("intent", e.intent, d.intent),
        ("priority", e.priority, d.priority),
        ("layer", e.layer, d.layer),
        ("language", e.language, d.language),
        ("sla_seconds", e.sla_seconds, int(due)),
    ):
        if want is not None and want != got:
            out.append(f"{name}: expected {want}, got {got}")
    fired = {r.rule_id for r in d.rules}
    out += [f"rule {r} did not match" for r in e.rules if r not in fired]
    out += [f"rule {r} matched" for r in e.not_rules if r in fired]
    return tuple(out)


def run_case(pipeline: Pipeline, case: Case, line: int = 0) -> Outcome:
    draft = MessageDraft(
        channel=case.channel,
        channel_message_id=f"rule-test-{line}",
        kind=case.kind,
        subject=case.subject,
        text=case.text,
        language=case.language,
        metadata=case.metadata,
        customer=case.customer,
    )
    message = Completer(_KEYER).complete(draft, "test-rules", case.received_at)
    live: Classifier = pipeline.classifier
    classifier = live.with_config(live.config, live.scorer)
    classifier.customers = _OneCustomer(_Customer(case.tier, case.time_zone))
    c = classifier.classify(message)
    verdict = Verdict("new", None, None, message.id, None, case.contact_count)
    decision = pipeline.decide(message, c, verdict if case.contact_count > 1 else None)
    return Outcome(case, line, decision, _check(case, decision))


def run(pipeline: Pipeline, tests: RuleTests, doc: Located) -> list[Outcome]:
    return [run_case(pipeline, c, doc.line(("tests", i))) for i, c in enumerate(tests.tests)]
