"""The statistical text classifier used by the router: department, intent and confidence.

A message's logits are the sum of the weight rows of its hashed n-grams divided by the square
root of its n-gram count, plus a bias (so long e-mails are not more confident merely for being
long; n-grams never seen in training count in that length, so mostly-unknown text stays
unsure). The department head is temperature-scaled; intents come from a second head and are
only chosen among the predicted department's intents, so the two never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import artifact as store
from . import batch
from .features import hash_features, hash_one

_CHUNK = 512  # messages per vectorised pass: keeps the gathered weight rows in cache
_TOP = 3


@dataclass(frozen=True, slots=True)
class Prediction:
    department: str
    intent: str | None  # finer Bitext-style intent, None if the department has none
    confidence: float  # calibrated probability of `department`
    scores: tuple[tuple[str, float], ...]  # best departments first (up to 3), probabilities


class TextModel:
    """Load once, then call `predict`/`predict_many`; instances are read-only and thread-safe."""

    def __init__(self, artifact: store.Artifact, version: str) -> None:
        self._spec = artifact.spec
        self._version = version
        self._departments = artifact.departments
        self._intents = artifact.intents
        n_dept = len(artifact.departments)
        # Row 0 stays zero: buckets never seen in training map there.
        self._rows = np.zeros(2**artifact.spec.bits, dtype=np.int32)
        self._rows[artifact.buckets.astype(np.int64)] = np.arange(1, len(artifact.buckets) + 1)
        weights = np.vstack((np.zeros((1, artifact.weights.shape[1])), artifact.weights))
        weights = weights.astype(np.float32)
        bias = artifact.bias.astype(np.float32)
        self._n_dept = n_dept
        self._inv_t = 1.0 / artifact.temperature
        owner = [artifact.departments.index(d) for d in artifact.intent_departments]
        columns = [np.flatnonzero(np.array(owner) == d) for d in range(n_dept)]
        self._heads = batch.Heads(
            dept_weights=np.ascontiguousarray(weights[:, :n_dept].T),
            dept_bias=bias[:n_dept],
            inv_temperature=self._inv_t,
            intents=tuple(
                (c, np.ascontiguousarray(weights[:, n_dept + c].T), bias[n_dept + c])
                for c in columns
            ),
        )
        # Plain-Python copies for the single-message path.
        self._dept_bias_l: list[float] = bias[:n_dept].tolist()
        self._intent_bias_l: list[float] = bias[n_dept:].tolist()
        self._intent_cols = tuple(tuple(c.tolist()) for c in columns)
        self._weights = weights

    @classmethod
    def load(cls, path: Path | None = None) -> TextModel:
        """Load an artifact; None loads the default model shipped in `router/models/`."""
        target = path or store.DEFAULT_PATH
        try:
            raw = target.read_bytes()
        except OSError as exc:
            raise store.ModelLoadError(f"{target}: {exc.strerror or exc}") from exc
        return cls(store.from_bytes(raw), store.version_of(raw))

    @property
    def version(self) -> str:
        """Hash of the artifact's bytes (first 16 hex digits of SHA-256)."""
        return self._version

    @property
    def departments(self) -> tuple[str, ...]:
        return self._departments

    def predict(self, text: str) -> Prediction:
        """One message; same result as `predict_many([text])[0]` up to float rounding, with
        less overhead: the few per-class numbers are handled in plain Python."""
        buckets = hash_one(text, self._spec)
        z = self._weights[self._rows[buckets]].sum(axis=0).tolist()
        scale = 1.0 / math.sqrt(len(buckets)) if len(buckets) else 0.0
        n = self._n_dept
        bias = self._dept_bias_l
        dept = [(v * scale + b) * self._inv_t for v, b in zip(z[:n], bias, strict=True)]
        top = max(dept)
        exps = [math.exp(v - top) for v in dept]
        total = sum(exps)
        probs = [e / total for e in exps]
        best = max(range(n), key=probs.__getitem__)
        cols = self._intent_cols[best]
        intent = max(cols, key=lambda c: z[n + c] * scale + self._intent_bias_l[c]) if cols else -1
        ranked = sorted(range(n), key=lambda k: -probs[k])[:_TOP]
        return Prediction(
            department=self._departments[best],
            intent=self._intents[intent] if cols else None,
            confidence=probs[best],
            scores=tuple((self._departments[k], probs[k]) for k in ranked),
        )

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        out: list[Prediction] = []
        for start in range(0, len(texts), _CHUNK):
            out.extend(self._predict_chunk(texts[start : start + _CHUNK]))
        return out

    def _predict_chunk(self, texts: Sequence[str]) -> list[Prediction]:
        ids, buckets = hash_features(texts, self._spec)
        scale = 1.0 / np.sqrt(np.maximum(np.bincount(ids, minlength=len(texts)), 1))
        rows = self._rows[buckets]
        known = rows > 0  # unseen n-grams have zero weights: skip them, but count their length
        scored = batch.score(rows[known], ids[known], scale.astype(np.float32), self._heads)
        names, intents = self._departments, self._intents
        ranked = scored.ranked[:, :_TOP]
        top_p = np.take_along_axis(scored.probabilities, ranked, axis=1).tolist()
        return [
            Prediction(
                department=names[r[0]],
                intent=intents[i] if i >= 0 else None,
                confidence=p[0],
                scores=tuple(zip([names[k] for k in r], p, strict=True)),
            )
            for r, p, i in zip(ranked.tolist(), top_p, scored.intent.tolist(), strict=True)
        ]
