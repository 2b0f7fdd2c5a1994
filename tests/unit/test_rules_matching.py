"""Keyword matching was rewritten for speed (look-behind after the first character, keywords
without IGNORECASE): it must find exactly what the original per-keyword patterns found."""

import random
import re

import pytest

from router.config import load_default_config
from router.rules import _CJK, _LATIN, RuleSet, normalise_text

pytestmark = pytest.mark.unit


def _original(keyword: str) -> str:
    escaped = re.escape(keyword.casefold()).replace(r"\ ", r"\s+")
    if _CJK.search(keyword):
        return escaped
    return rf"(?<!{_LATIN}){escaped}(?!{_LATIN})"


def _reference(keywords: tuple[str, ...], regexes: tuple[str, ...]) -> re.Pattern[str]:
    parts = [_original(k) for k in keywords] + [f"(?:{r})" for r in regexes]
    return re.compile("|".join(parts), re.IGNORECASE)


# Characters where case-insensitive and case-sensitive matching could part: dotless/dotted i,
# long s, Kelvin sign, IPA letters whose upper case is Latin Extended-B, sharp s, Greek finals.
_TRICKY = "iıİIsſkKKɓɔⱥßẞσςµμ0123456789 \n\t-_.,!?éÉ你好快递退款订单"


def _texts(rng: random.Random, keywords: list[str]) -> list[str]:
    out = []
    for _ in range(3000):
        parts = [
            rng.choice(keywords) if rng.random() < 0.4 else rng.choice(_TRICKY)
            for _ in range(rng.randint(1, 12))
        ]
        raw = "".join(p if rng.random() < 0.5 else rng.choice(_TRICKY) + p for p in parts)
        out.append(normalise_text(raw))
    return out


def test_same_hits_as_the_original_patterns() -> None:
    rules = [r for r in load_default_config().rules if r.has_text]
    compiled = RuleSet(tuple(rules))._rules
    keywords = [k for r in rules for k in r.keywords]
    keywords += [k.upper() for k in keywords] + ["pıckup", "ɓrefund", "refundⱥ", "ⱥpay"]
    texts = _texts(random.Random(5), keywords)
    for rule, fast in zip(rules, compiled, strict=True):
        slow = _reference(rule.keywords, rule.regex)
        assert fast.pattern is not None
        for text in texts:
            expected = {m.group(0) for m in slow.finditer(text)}
            assert {m.group(0) for m in fast.pattern.finditer(text)} == expected, (rule.id, text)


def test_configured_regexes_stay_case_insensitive() -> None:
    from router.config.model import Rule

    rule = Rule(id="r", department="billing", regex=("INV-[0-9]+",))
    (compiled,) = RuleSet((rule,))._rules
    assert compiled.pattern is not None
    assert compiled.pattern.search("see inv-42 please")


def test_dotless_i_is_the_only_case_insensitive_twin_of_a_keyword_letter() -> None:
    """The premise of dropping IGNORECASE: among casefolded characters, only "ı" matches a
    casefolded keyword character case-insensitively without being that character."""
    chars = {c for r in load_default_config().rules for k in r.keywords for c in k.casefold()}
    letters = re.compile("[" + re.escape("".join(sorted(chars))) + "]", re.IGNORECASE)
    twins = {
        c
        for c in map(chr, range(0x10000))
        if c not in chars
        and c.casefold() == c
        and not 0xD800 <= ord(c) <= 0xDFFF
        and letters.fullmatch(c)
    }
    assert twins <= {"ı"}
