"""Temperature scaling of the department head, so that `confidence` means what it says.

The router sends a message to triage when the model's confidence is below a threshold, so the
numbers must be comparable to probabilities. One scalar temperature, fitted on rows held out
from a first training run, is the simplest calibration that cannot change which department wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .data import Example
from .features import Int64Array
from .linear import FloatArray

_GRID = np.geomspace(0.25, 8.0, 61)


def split_holdout(
    examples: Sequence[Example], seed: int, fraction: float = 0.15
) -> tuple[Int64Array, Int64Array]:
    """(fit rows, held-out rows), stratified by department and source file."""
    rng = np.random.default_rng(seed)
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        strata[(e.department, e.source)].append(i)
    held: list[int] = []
    for rows in strata.values():
        take = int(len(rows) * fraction)
        held.extend(rng.choice(rows, size=take, replace=False).tolist() if take else [])
    mask = np.zeros(len(examples), dtype=bool)
    mask[held] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def fit_temperature(logits: FloatArray, targets: FloatArray, weights: FloatArray) -> float:
    """Temperature minimising the weighted cross-entropy of softmax(logits / T) on a grid."""
    if not len(targets):
        return 1.0
    best, best_loss = 1.0, np.inf
    for t in _GRID:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = float(-(weights * (targets * log_p).sum(axis=1)).sum() / weights.sum())
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best
