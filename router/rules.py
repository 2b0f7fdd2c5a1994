"""Compiled explicit rules. Each rule's keywords and regexes become one alternation regex, so
matching a message costs one scan per rule regardless of how many keywords it lists; the
non-text conditions (channel, kind, language, tier, metadata, sender) are checked first."""

import re
import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatchcase

from intake.message import Channel, Message, MessageKind
from router.config.model import Priority, Rule

_LATIN = r"[0-9a-z\u00c0-\u024f]"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Boundaries keep the case-insensitive class they always had (it also matches e.g. "ɓ", whose
# upper case is in Latin Extended-B); only the keyword text itself is matched case-sensitively.
_EDGE = rf"(?i:{_LATIN})"
# Rules see casefolded text and casefolded keywords, so the keyword needs no IGNORECASE, which
# stops `re` from skipping ahead to possible first characters. Dotless "ı" is the one casefolded
# character IGNORECASE equates with a casefolded letter ("i"): kept equal by hand.
_DOTLESS_I = str.maketrans({"i": "[iı]", "ı": "[iı]"})


def _literal(text: str) -> str:
    return re.escape(text).replace(r"\ ", r"\s+").translate(_DOTLESS_I)


def _keyword_pattern(keyword: str) -> str:
    folded = keyword.casefold()
    # Word boundaries only make sense where the script separates words with spaces, and only
    # against Latin letters/digits: "打12315" must match "12315" although 打 is a \w char.
    if _CJK.search(keyword):
        return _literal(folded)
    if not folded or folded[0].isspace():
        return rf"(?<!{_EDGE}){_literal(folded)}(?!{_EDGE})"
    # (?<!L)x is x(?<!L.): with the look-behind after the first character the alternation starts
    # with literals, and `re` scans for their first characters instead of running every
    # keyword's look-behind at every position (~8x faster; BENCHMARKS.md, "profiles").
    return rf"{_literal(folded[0])}(?<!{_EDGE}[\s\S]){_literal(folded[1:])}(?!{_EDGE})"


def normalise_text(text: str) -> str:
    """NFKC folds full-width Latin and digits (common in Chinese input) to ASCII."""
    return unicodedata.normalize("NFKC", text).casefold()


def primary_language(tag: str | None) -> str | None:
    """'zh-Hans-CN' -> 'zh': rules and SLA targets select on the primary subtag."""
    return tag.split("-")[0].casefold() if tag else None


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules look at, computed once per message."""

    text: str  # subject + text, normalised
    channel: Channel
    kind: MessageKind
    language: str | None
    tier: str | None
    metadata: dict[str, str]
    senders: tuple[str, ...]  # email, phone, platform:handle, casefolded

    @classmethod
    def of(cls, message: Message, language: str | None, tier: str | None) -> "Facts":
        c = message.customer
        handle = f"{c.platform}:{c.handle}" if c.platform and c.handle else c.handle
        senders = tuple(s.casefold() for s in (c.email, c.phone, handle) if s)
        meta = {k: _meta_text(v) for k, v in message.metadata.items()}
        text = "\n".join(p for p in (message.subject, message.text) if p)
        return cls(
            normalise_text(text),
            message.channel,
            message.kind,
            primary_language(language),
            tier,
            meta,
            senders,
        )


def _meta_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).casefold()


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule_id: str
    department: str | None
    priority: Priority | None
    score: float
    matches: tuple[str, ...]
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    pattern: re.Pattern[str] | None
    # Most rules are keywords only: skipping their empty condition checks halves the per-rule
    # cost once the keyword scan itself is fast.
    conditional: bool = True

    def _conditions(self, f: Facts) -> list[str] | None:
        """What the conditions matched on (for the record), or None if one fails."""
        r, seen = self.rule, []
        for values, actual, label in (
            (r.channels, f.channel, "channel"),
            (r.kinds, f.kind, "kind"),
            (r.languages, f.language, "language"),
            (r.tiers, f.tier, "tier"),
        ):
            if values:
                if actual not in values:
                    return None
                seen.append(f"{label}:{actual}")
        for key, allowed in r.metadata.items():
            if f.metadata.get(key) not in allowed:
                return None
            seen.append(f"metadata.{key}={f.metadata[key]}")
        if r.senders:
            # The pattern, never the address: decision records must not copy PII around.
            hit = next(
                (p for p in r.senders if any(fnmatchcase(s, p.casefold()) for s in f.senders)), None
            )
            if hit is None:
                return None
            seen.append(f"sender:{hit}")
        return seen

    def match(self, facts: Facts) -> RuleHit | None:
        seen = self._conditions(facts) if self.conditional else []
        if seen is None:
            return None
        r = self.rule
        if self.pattern is None:
            return RuleHit(r.id, r.department, r.priority, r.weight, tuple(seen), r.intent)
        found = {m.group(0) for m in self.pattern.finditer(facts.text)}
        if not found:
            return None
        score = r.weight * len(found)
        return RuleHit(r.id, r.department, r.priority, score, tuple(sorted(found)), r.intent)


class RuleSet:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self._rules = [self._compile(r) for r in rules]

    @staticmethod
    def _compile(rule: Rule) -> CompiledRule:
        conditions = (rule.channels, rule.kinds, rule.languages, rule.tiers, rule.metadata)
        conditional = any((*conditions, rule.senders))
        if not rule.has_text:
            return CompiledRule(rule, None, conditional)
        # Configured regexes keep their case-insensitive matching; keywords need none (above).
        parts = [_keyword_pattern(k) for k in rule.keywords] + [f"(?i:{r})" for r in rule.regex]
        return CompiledRule(rule, re.compile("|".join(parts)), conditional)

    def match(self, facts: Facts) -> list[RuleHit]:
        """All hits, in rule order."""
        return [hit for r in self._rules if (hit := r.match(facts)) is not None]
