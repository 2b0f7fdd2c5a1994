"""The statistical text classifier used by the router: department, intent and confidence.

A message's logits are the bias plus the sum of the weight rows of its hashed n-grams, divided
by the square root of its n-gram count (so long e-mails are not more confident merely for being
long; n-grams never seen in training count in that length, so mostly-unknown text stays
unsure). The department head is temperature-scaled; intents come from a second head and are
only chosen among the predicted department's intents, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from . import artifact as store
from .features import hash_features, hash_one

_CHUNK = 1024  # messages per vectorised pass: bounds the (n-grams x classes) scratch memory
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
        weights = artifact.weights.astype(np.float32)
        self._weights = np.vstack((np.zeros((1, weights.shape[1]), np.float32), weights))
        bias = artifact.bias.astype(np.float32)
        self._dept_bias, self._intent_bias = bias[:n_dept], bias[n_dept:]
        self._n_dept = n_dept
        self._inv_temperature = np.float32(1.0 / artifact.temperature)
        owner = {d: i for i, d in enumerate(artifact.departments)}
        # mask[d, i] is 0 where intent i belongs to department d, -inf elsewhere.
        self._intent_mask = np.full((n_dept, len(artifact.intents)), -np.inf, np.float32)
        for i, dept in enumerate(artifact.intent_departments):
            self._intent_mask[owner[dept], i] = 0.0
        self._has_intents = tuple(bool(np.isfinite(row).any()) for row in self._intent_mask)

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
        """One message; same result as `predict_many([text])[0]`, with less overhead."""
        buckets = hash_one(text, self._spec)
        z = self._weights[self._rows[buckets]].sum(axis=0)
        if len(buckets):
            z /= np.float32(np.sqrt(len(buckets)))
        return self._predictions(z[None, :])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        out: list[Prediction] = []
        for start in range(0, len(texts), _CHUNK):
            out.extend(self._predict_chunk(texts[start : start + _CHUNK]))
        return out

    def logits(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """(messages x (departments + intents)) sums of weight rows, length-normalised;
        bias and calibration not yet applied."""
        ids, buckets = hash_features(texts, self._spec)
        counts = np.bincount(ids, minlength=len(texts))
        rows = self._rows[buckets]
        known = rows > 0  # unseen n-grams have zero weights: skip them, but count their length
        ids, rows = ids[known], rows[known]
        known_counts = np.bincount(ids, minlength=len(texts))
        # reduceat needs every start to index a row: a trailing zero row serves empty messages.
        gathered = self._weights[np.append(rows, 0)]
        starts = np.cumsum(known_counts) - known_counts
        sums = np.add.reduceat(gathered, starts, axis=0) * (known_counts > 0)[:, None]
        scale = 1.0 / np.sqrt(np.maximum(counts, 1)).astype(np.float32)
        logits: npt.NDArray[np.float32] = sums * scale[:, None]
        return logits

    def _predict_chunk(self, texts: Sequence[str]) -> list[Prediction]:
        return self._predictions(self.logits(texts))

    def _predictions(self, z: npt.NDArray[np.float32]) -> list[Prediction]:
        dept = (z[:, : self._n_dept] + self._dept_bias) * self._inv_temperature
        dept = np.exp(dept - dept.max(axis=1, keepdims=True))
        dept /= dept.sum(axis=1, keepdims=True)
        best = dept.argmax(axis=1)
        intent_z = z[:, self._n_dept :] + self._intent_bias + self._intent_mask[best]
        best_intent = intent_z.argmax(axis=1) if self._intents else best
        top = np.argsort(-dept, axis=1)[:, :_TOP]
        names, intents = self._departments, self._intents
        probs = dept.tolist()
        return [
            Prediction(
                department=names[b],
                intent=intents[i] if self._has_intents[b] else None,
                confidence=probs[r][b],
                scores=tuple((names[k], probs[r][k]) for k in top_r),
            )
            for r, (b, i, top_r) in enumerate(
                zip(best.tolist(), best_intent.tolist(), top.tolist(), strict=True)
            )
        ]
