"""Classification: which department, which finer intent, how sure, and which layer decided.

Layers (first that is confident wins): explicit rules, then a statistical model, then the
fallback department (`triage`). The statistical layer plugs in through `TextScorer`.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from intake.message import Message
from router.config.model import RoutingConfig
from router.rules import RuleHit, RuleSet, normalise_text


class Layer(StrEnum):
    RULES = "rules"
    MODEL = "model"
    FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class Classification:
    department: str
    layer: Layer
    confidence: float
    intent: str | None = None
    hits: tuple[RuleHit, ...] = ()
    scores: tuple[tuple[str, float], ...] = field(default=())


class TextScorer(Protocol):
    """The statistical layer: department, intent, confidence and scores for a text."""

    def score(self, text: str) -> tuple[str, str | None, float, tuple[tuple[str, float], ...]]: ...


class Classifier:
    def __init__(
        self, config: RoutingConfig, scorer: TextScorer | None = None, threshold: float = 0.5
    ) -> None:
        self.config = config
        self._rules = RuleSet(config.rules)
        self._scorer = scorer
        self._threshold = threshold

    def classify(self, message: Message) -> Classification:
        text = "\n".join(p for p in (message.subject, message.text) if p)
        hits = tuple(self._rules.match(normalise_text(text), message.channel))
        routed = [h for h in hits if h.department is not None]
        if routed:
            return self._from_rules(hits, routed)
        if self._scorer is not None and text.strip():
            department, intent, confidence, scores = self._scorer.score(text)
            if confidence >= self._threshold:
                return Classification(department, Layer.MODEL, confidence, intent, hits, scores)
        return Classification(self.config.fallback_department, Layer.FALLBACK, 0.0, None, hits)

    @staticmethod
    def _from_rules(hits: tuple[RuleHit, ...], routed: list[RuleHit]) -> Classification:
        totals: dict[str, float] = {}
        for hit in routed:
            assert hit.department is not None  # filtered by the caller
            totals[hit.department] = totals.get(hit.department, 0.0) + hit.score
        # max() keeps the first of equal scores, and dicts keep rule order: ties go to the
        # earlier rule, as the config documents.
        best = max(totals, key=lambda d: totals[d])
        confidence = totals[best] / sum(totals.values())
        scores = tuple(sorted(totals.items(), key=lambda kv: -kv[1]))
        return Classification(best, Layer.RULES, confidence, None, hits, scores)
