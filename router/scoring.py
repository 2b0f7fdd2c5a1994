"""The statistical layer behind `TextScorer` (router.classify's `TextModel`) and language
detection (router.classify's `detect_language`).

Models are cached by path and file version: a config reload that keeps the model does not
reload it, and a retrained model file is picked up by the next reload.
"""

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from intake.errors import ConfigError
from router.classifier import LanguageDetector, Scored, TextScorer, language_of
from router.classify import TextModel
from router.classify.artifact import DEFAULT_PATH, ModelLoadError

log = logging.getLogger(__name__)
_cache: dict[tuple[str, int], "ModelScorer"] = {}
_lock = threading.Lock()  # reloads build in a worker thread


class ModelScorer:
    """`TextModel` as a `TextScorer`."""

    def __init__(self, model: TextModel) -> None:
        self._model = model

    @property
    def version(self) -> str:
        return self._model.version

    def score(self, text: str) -> Scored:
        p = self._model.predict(text)
        return Scored(p.department, p.intent, p.confidence, p.scores)

    def score_many(self, texts: Sequence[str]) -> list[Scored]:
        return [
            Scored(p.department, p.intent, p.confidence, p.scores)
            for p in self._model.predict_many(texts)
        ]


def detector() -> LanguageDetector:
    return language_of


def load_scorer(model: str) -> TextScorer | None:
    """None for 'none', and for 'builtin' when no model is shipped (rules and the fallback
    still route; logged). An explicit model path that cannot be loaded is a ConfigError."""
    if model == "none":
        return None
    path = DEFAULT_PATH if model == "builtin" else Path(model)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        if model == "builtin":
            log.warning("no built-in text model at %s: routing with rules only", path)
            return None
        raise ConfigError(f"classifier.model: cannot read {path}: {exc.strerror}") from None
    with _lock:
        cached = _cache.get((str(path), stamp))
        if cached is None:
            try:
                cached = ModelScorer(TextModel.load(path))
            except ModelLoadError as exc:
                raise ConfigError(f"classifier.model: {exc}") from None
            _cache.clear()  # one model in memory at a time: the previous one is not used again
            _cache[(str(path), stamp)] = cached
        return cached
