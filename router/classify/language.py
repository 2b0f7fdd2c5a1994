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


# Word -> the languages listing it: one dict lookup per word instead of one set test per word
# and language. Scores are sums of halves, exact in floats, so the order of adding is free.
_STOP_LANGS: Final[dict[str, tuple[str, ...]]] = {
    word: tuple(lang for lang, stop in _STOPWORDS.items() if word in stop)
    for word in frozenset().union(*_STOPWORDS.values())
}
_ASCII_TRIGRAMS: Final[dict[str, tuple[str, ...]]] = {
    lang: tuple(t for t in tris if t.isascii()) for lang, tris in _TRIGRAMS.items()
}


def _script_counts(text: str, names: tuple[str, ...]) -> dict[str, int]:
    return {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS if name in names}


_CJK_SCRIPTS: Final = ("han", "kana")
_OTHER_SCRIPTS: Final = tuple(name for name, _ in _SCRIPTS if name not in _CJK_SCRIPTS)


def _latin_language(text: str, accented: bool) -> str:
    lowered = text.lower()
    scores = dict.fromkeys(_STOPWORDS, 0.0)
    for word in _WORD.findall(lowered):
        for lang in _STOP_LANGS.get(word, ()):
            scores[lang] += 2.0
    # Markers and some trigrams are non-ASCII: they cannot occur in ASCII text.
    plain = lowered.isascii()
    count = lowered.count
    if not plain:
        for lang, markers in _MARKERS.items():
            scores[lang] += 3.0 * sum(map(count, markers))
    for lang, tris in (_ASCII_TRIGRAMS if plain else _TRIGRAMS).items():
        scores[lang] += 0.5 * sum(map(count, tris))
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
    # Every `_NOISE` match starts with "http", "www.", "@" or "#"; without them the pattern
    # would still try `\S+@` at every position (a third of this function's time).
    noisy = "@" in text or "#" in text or "http" in text or "www." in text
    clean = _NOISE.sub(" ", text) if noisy else text
    if clean.isascii():  # most traffic: no script but Latin can occur, nothing to count
        return _latin_language(clean, accented=False) if _LATIN.search(clean) else UNDETERMINED
    letters = _LATIN.findall(clean)
    latin = len(letters)
    counts = _script_counts(clean, _CJK_SCRIPTS)
    cjk = counts["han"] + counts["kana"]
    # One CJK character carries about a word; a Latin word is about five letters.
    if cjk and 3 * cjk >= latin:
        japanese = counts["kana"] >= max(1, cjk // 10)
        return "ja" if japanese else "zh"
    # The other scripts only now: Chinese text (most non-ASCII traffic) is decided above.
    counts = _script_counts(clean, _OTHER_SCRIPTS)
    other = {name: n for name, n in counts.items() if n}
    if other:
        name, n = max(other.items(), key=lambda item: item[1])
        if n >= latin:
            if name == "cyrl":
                return "uk" if _UKRAINIAN.search(clean) else "ru"
            return name
    if latin:
        return _latin_language(clean, accented=not "".join(letters).isascii())
    return UNDETERMINED
