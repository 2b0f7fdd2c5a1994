"""Offline language detection for routing: script counts first, then Latin profiles.

Scripts decide most languages outright (Han, kana, Hangul, Cyrillic, ...). Latin-script text is
scored with small stopword lists, diacritics and distinctive trigrams, because the languages share
an alphabet. Everything is regex/set work on the message itself: no model, no network.
"""

from __future__ import annotations

import re
from typing import Final

UNDETERMINED: Final = "und"

# @mentions, URLs and e-mail addresses name brands and hosts, not the writer's language.
_NOISE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[@#][\w.-]+")
_SCRIPTS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("kana", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")),
    ("han", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")),
    ("ko", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("cyrl", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_WORD = re.compile(r"[a-z\u00c0-\u024f']+")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Small, deliberately distinctive stopword lists: words shared across languages ("a", "no",
# "me") are left out so that one hit is real evidence.
_STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "en": _words(
        "the and is are was my you your it this that with have has not can what where when "
        "how why please thanks thank i i'm don't doesn't i've just got will would so hi order "
        "help"
    ),
    "es": _words(
        "el los las del por para con una pero más está están mi tengo quiero pedido gracias "
        "cuando dónde cómo qué también muy hola ya hace"
    ),
    "fr": _words(
        "le les des est une pour avec pas mais je vous mon ma mes commande merci bonjour "
        "où comment très aussi sur dans j'ai c'est"
    ),
    "de": _words(
        "der die das und ist nicht ich ein eine mit für meine mein bitte danke wann wo wie "
        "warum noch auch bestellung habe keine auf"
    ),
    "pt": _words(
        "não uma com para meu minha obrigado obrigada pedido você está são também muito "
        "olá quando onde como"
    ),
    "it": _words(
        "il gli della sono non una per con mio mia grazie ordine ciao quando dove come "
        "perché anche molto ho"
    ),
    "nl": _words(
        "het een niet ik mijn met voor van zijn bestelling bedankt wanneer waar hoe waarom "
        "ook heb geen wel"
    ),
}
_MARKERS: Final[dict[str, str]] = {
    "es": "ñ¿¡",
    "fr": "çêèùœ",
    "de": "ßäöü",
    "pt": "ãõ",
}
_TRIGRAMS: Final[dict[str, frozenset[str]]] = {
    "en": _words("the ing and ght ion tha ere"),
    "es": _words("ión que ado ido ción nte los"),
    "fr": _words("eau que ent ais oui ous tion"),
    "de": _words("sch ich ung eit cht ein gen"),
    "pt": _words("ção ões nha lho ado"),
    "it": _words("zio gli ell tto chi"),
    "nl": _words("ijk aar oor een ijn"),
}


def _script_counts(text: str) -> dict[str, int]:
    return {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS}


def _latin_language(text: str, accented: bool) -> str:
    lowered = text.lower()
    words = _WORD.findall(lowered)
    scores = dict.fromkeys(_STOPWORDS, 0.0)
    for lang, stop in _STOPWORDS.items():
        scores[lang] += 2.0 * sum(word in stop for word in words)
        scores[lang] += 3.0 * sum(lowered.count(ch) for ch in _MARKERS.get(lang, ""))
        scores[lang] += 0.5 * sum(lowered.count(tri) for tri in _TRIGRAMS[lang])
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    if scores[best] > 0:
        return best
    # No evidence at all ("ok thx", a product code): plain ASCII in an English/Chinese service
    # is English far more often than not; accented Latin we cannot place is left undetermined.
    return UNDETERMINED if accented else "en"


def detect_language(text: str) -> str:
    """Return a BCP-47 primary language subtag ('en', 'zh', 'ja', ...) or 'und'.

    Decided by the dominant script; Chinese and Japanese share Han characters, so any real
    amount of kana makes it Japanese. Latin text is scored against en/es/fr/de/pt/it/nl.
    """
    clean = _NOISE.sub(" ", text)
    counts = _script_counts(clean)
    letters = _LATIN.findall(clean)
    latin = len(letters)
    cjk = counts["han"] + counts["kana"]
    # One CJK character carries about a word; a Latin word is about five letters.
    if cjk and 3 * cjk >= latin:
        japanese = counts["kana"] >= max(1, cjk // 10)
        return "ja" if japanese else "zh"
    other = {name: n for name, n in counts.items() if name not in ("han", "kana") and n}
    if other:
        name, n = max(other.items(), key=lambda item: item[1])
        if n >= latin:
            if name == "cyrl":
                return "uk" if _UKRAINIAN.search(clean) else "ru"
            return name
    if latin:
        return _latin_language(clean, accented=not "".join(letters).isascii())
    return UNDETERMINED
