"""Classification: which department, which finer intent, how sure, and which layer decided.

Layers: explicit rules first (channel, kind, language, tier, metadata, sender, keywords and
regexes in any language), then the statistical model through `TextScorer`, then the fallback
department (`triage`) when the model's confidence is below the configured threshold. The model
also scores messages the rules decide, so every decision record carries its scores.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol, runtime_checkable

from intake.message import Message
from router.classify.language import UNDETERMINED, detect_language
from router.config.routing import RoutingConfig
from router.rules import Facts, RuleHit, RuleSet

Scores = tuple[tuple[str, float], ...]
LanguageDetector = Callable[[str], str | None]


def language_of(text: str) -> str | None:
    """The default detector (offline, script + Latin profiles); None when undetermined."""
    found = detect_language(text)
    return None if found == UNDETERMINED else found


class Layer(StrEnum):
    RULES = "rules"
    MODEL = "model"
    FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class Scored:
    department: str
    intent: str | None
    confidence: float
    scores: Scores  # department -> probability, best first


class TextScorer(Protocol):
    """The statistical layer."""

    @property
    def version(self) -> str: ...

    def score(self, text: str) -> Scored: ...


@runtime_checkable
class BatchScorer(TextScorer, Protocol):
    """A scorer that is cheaper per text on many texts at once (one vectorised pass)."""

    def score_many(self, texts: Sequence[str]) -> list[Scored]: ...


class CustomerRecord(Protocol):
    @property
    def tier(self) -> str | None: ...

    @property
    def time_zone(self) -> str | None: ...


class Customers(Protocol):
    """The customer directory (`intake.directory.Directory` fits): by routing key."""

    def get(self, key: str) -> CustomerRecord | None: ...


@dataclass(frozen=True, slots=True)
class Classification:
    department: str
    layer: Layer
    confidence: float
    intent: str | None = None
    hits: tuple[RuleHit, ...] = ()
    scores: Scores = ()  # the deciding layer's department scores
    language: str | None = None
    threshold: float | None = None  # model threshold in force
    model_version: str | None = None
    model_scores: Scores = ()  # the model's view, also when rules decided
    tier: str | None = None  # customer facts the policy needs, looked up once
    time_zone: str | None = None


class Classifier:
    def __init__(
        self,
        config: RoutingConfig,
        scorer: TextScorer | None = None,
        *,
        detect_language: LanguageDetector | None = None,
        customers: Customers | None = None,
    ) -> None:
        self.config = config
        self.scorer = scorer
        self.customers = customers
        self._detect = detect_language or language_of
        self._rules = RuleSet(config.rules)

    def with_config(self, config: RoutingConfig, scorer: TextScorer | None) -> "Classifier":
        """A classifier for a new config that keeps this one's directory and detector."""
        return Classifier(config, scorer, detect_language=self._detect, customers=self.customers)

    def classify(self, message: Message) -> Classification:
        text = _text(message)
        model = self.scorer.score(text) if self.scorer is not None and text.strip() else None
        return self._classify(message, text, model)

    def classify_many(self, messages: Sequence[Message]) -> list[Classification]:
        """`classify` of each, with the model scoring all texts in one pass when it can
        (scores then agree with `classify` up to float rounding, ~1e-6)."""
        texts = [_text(m) for m in messages]
        scored: list[Scored | None] = [None] * len(texts)
        todo = [i for i, t in enumerate(texts) if t.strip()] if self.scorer is not None else []
        if isinstance(self.scorer, BatchScorer):
            for i, s in zip(todo, self.scorer.score_many([texts[i] for i in todo]), strict=True):
                scored[i] = s
        elif self.scorer is not None:
            for i in todo:
                scored[i] = self.scorer.score(texts[i])
        return [self._classify(m, t, s) for m, t, s in zip(messages, texts, scored, strict=True)]

    def _classify(self, message: Message, text: str, model: Scored | None) -> Classification:
        # Detected from the text when there is one; else what the channel declared.
        language = (self._detect(text) if text.strip() else None) or message.language
        record = self.customers.get(message.routing_key) if self.customers else None
        tier = record.tier if record else None
        facts = Facts.of(message, language, tier)
        hits = tuple(self._rules.match(facts))
        policy = self.config.classifier
        threshold = policy.language_thresholds.get(facts.language or "", policy.threshold)
        base = Classification(
            self.config.fallback_department,
            Layer.FALLBACK,
            0.0,
            hits=hits,
            language=language,
            threshold=threshold if model else None,
            model_version=self.scorer.version if self.scorer else None,
            model_scores=model.scores if model else (),
            tier=tier,
            time_zone=record.time_zone if record else None,
        )
        routed = [h for h in hits if h.department is not None]
        if routed:
            return self._from_rules(base, routed, model)
        if model is not None and model.confidence >= threshold:
            department = model.department
            if department not in self.config.all_departments():
                # A model trained for other departments must not invent a topic.
                return base
            return replace(
                base,
                department=department,
                layer=Layer.MODEL,
                confidence=model.confidence,
                intent=model.intent,
                scores=model.scores,
            )
        return base

    @staticmethod
    def _from_rules(
        base: Classification, routed: list[RuleHit], model: Scored | None
    ) -> Classification:
        totals: dict[str, float] = {}
        for hit in routed:
            assert hit.department is not None  # filtered by the caller
            totals[hit.department] = totals.get(hit.department, 0.0) + hit.score
        # max() keeps the first of equal scores, and dicts keep rule order: ties go to the
        # earlier rule, as the config documents.
        best = max(totals, key=lambda d: totals[d])
        confidence = totals[best] / sum(totals.values())
        scores = tuple(sorted(totals.items(), key=lambda kv: -kv[1]))
        intent = next((h.intent for h in routed if h.department == best and h.intent), None)
        if intent is None and model is not None and model.department == best:
            intent = model.intent  # rules chose the department, the model agrees and knows more
        return replace(
            base,
            department=best,
            layer=Layer.RULES,
            confidence=confidence,
            intent=intent,
            scores=scores,
        )


def _text(message: Message) -> str:
    return "\n".join(p for p in (message.subject, message.text) if p)
