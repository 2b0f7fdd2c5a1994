"""Compiled keyword/regex rules. Each rule becomes one alternation regex, so matching a message
costs one scan per rule regardless of how many keywords it lists."""

import re
import unicodedata
from dataclasses import dataclass

from intake.message import Channel
from router.config.model import Priority, Rule

_LATIN = r"[0-9a-z\u00c0-\u024f]"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _keyword_pattern(keyword: str) -> str:
    escaped = re.escape(keyword.casefold()).replace(r"\ ", r"\s+")
    # Word boundaries only make sense where the script separates words with spaces, and only
    # against Latin letters/digits: "打12315" must match "12315" although 打 is a \w char.
    if _CJK.search(keyword):
        return escaped
    return rf"(?<!{_LATIN}){escaped}(?!{_LATIN})"


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule_id: str
    department: str | None
    priority: Priority | None
    score: float
    matches: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    pattern: re.Pattern[str]
    channels: frozenset[Channel]

    def match(self, text: str, channel: Channel) -> RuleHit | None:
        if self.channels and channel not in self.channels:
            return None
        found = {m.group(0) for m in self.pattern.finditer(text)}
        if not found:
            return None
        score = self.rule.weight * len(found)
        return RuleHit(
            self.rule.id, self.rule.department, self.rule.priority, score, tuple(sorted(found))
        )


def normalise_text(text: str) -> str:
    """NFKC folds full-width Latin and digits (common in Chinese input) to ASCII."""
    return unicodedata.normalize("NFKC", text).casefold()


class RuleSet:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self._rules = [self._compile(r) for r in rules]

    @staticmethod
    def _compile(rule: Rule) -> CompiledRule:
        parts = [_keyword_pattern(k) for k in rule.keywords] + [f"(?:{r})" for r in rule.regex]
        pattern = re.compile("|".join(parts), re.IGNORECASE)
        return CompiledRule(rule, pattern, frozenset(rule.channels))

    def match(self, text: str, channel: Channel) -> list[RuleHit]:
        """All hits, in rule order. `text` should already be `normalise_text`-ed."""
        return [hit for r in self._rules if (hit := r.match(text, channel)) is not None]
