"""Train the text model from labelled files and write the artifact.

Weighting: every (source file, label) pair weighs the same in the loss, and within a pair every
intent does. Without it the 20k Bitext rows (7k of them billing, most of those one intent)
would drown our few hundred hand-written messages, which teach the model how real customers
write. Balancing *pairs* rather than departments matters: technical_support only exists in our
own files, so if departments were balanced, tweet-style wording itself would become evidence
for technical_support. The unequal class totals this leaves are then removed from the bias
(logit adjustment), so that no department is favoured a priori.

Rows labelled `triage` are "no department evidence" examples (thanks, chit-chat, promotions):
they are trained towards a uniform distribution, which keeps everyday words neutral and
confidence low on messages that carry no routing signal.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import artifact as store
from .calibrate import fit_temperature, split_holdout
from .data import Example, read_labelled
from .features import FeatureSpec, Int64Array, hash_features
from .linear import FloatArray, SparseRows, TrainConfig, fit
from .normalise import normalise
from .taxonomy import TRIAGE


@dataclass(frozen=True, slots=True)
class TrainReport:
    version: str
    rows: dict[str, int]  # per source file, after exclusions
    skipped: int  # rows without a usable text or label
    excluded: int  # rows dropped because they also occur in an --exclude file


def sparse_rows(texts: Sequence[str], spec: FeatureSpec, vocabulary: Int64Array) -> SparseRows:
    """Feature rows over `vocabulary` (sorted buckets); unknown buckets only count in length."""
    ids, buckets = hash_features(texts, spec)
    counts = np.bincount(ids, minlength=len(texts))
    col = np.searchsorted(vocabulary, buckets).clip(max=max(len(vocabulary) - 1, 0))
    known = vocabulary[col] == buckets if len(vocabulary) else np.zeros(len(ids), bool)
    ptr = np.searchsorted(ids[known], np.arange(len(texts) + 1)).astype(np.int64)
    scale = (counts > 0) / np.sqrt(np.maximum(counts, 1))
    return SparseRows(col[known].astype(np.int64), ptr, scale)


def _frequent_buckets(ids: Int64Array, buckets: Int64Array, bits: int, min_df: int) -> Int64Array:
    """Sorted buckets that occur in at least `min_df` messages (document frequency)."""
    # Sort-based on purpose: numpy's hash-based unique is an order of magnitude slower here.
    pairs = np.sort(ids * 2**bits + buckets)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    per_message = np.sort(pairs % 2**bits)
    first = np.flatnonzero(np.concatenate(([True], per_message[1:] != per_message[:-1])))
    df = np.diff(np.append(first, len(per_message)))
    return per_message[first[df >= min_df]]


def sample_weights(examples: Sequence[Example]) -> FloatArray:
    """(source, label) pairs balanced, then intents within a pair (see module docstring)."""
    pairs = Counter((e.source, e.department) for e in examples)
    groups = Counter((e.source, e.department, e.intent) for e in examples)
    n_groups = Counter((s, d) for s, d, _ in groups)
    w = [
        1.0 / (n_groups[(e.source, e.department)] * groups[(e.source, e.department, e.intent)])
        for e in examples
    ]
    return np.asarray(w) * len(examples) / len(pairs)


def targets_for(labels: Sequence[str], classes: Sequence[str]) -> FloatArray:
    """One-hot rows; a label that is not a class (triage) gets the uniform distribution."""
    index = {c: i for i, c in enumerate(classes)}
    out = np.full((len(labels), len(classes)), 1.0 / len(classes))
    for row, label in enumerate(labels):
        if label in index:
            out[row] = 0.0
            out[row, index[label]] = 1.0
    return out


def _fit_head(
    x: SparseRows, targets: FloatArray, weights: FloatArray, n_features: int, config: TrainConfig
) -> tuple[FloatArray, FloatArray]:
    w, b = fit(x, targets, weights, n_features, config)
    prior = (weights[:, None] * targets).sum(axis=0) / weights.sum()
    return w, b - np.log(prior)  # logit adjustment to a uniform prior


def _fit_heads(
    examples: Sequence[Example], x: SparseRows, n_features: int, config: TrainConfig
) -> tuple[tuple[str, ...], tuple[str, ...], FloatArray, FloatArray]:
    departments = tuple(sorted({e.department for e in examples} - {TRIAGE}))
    intents = tuple(sorted({e.intent for e in examples if e.intent}))
    weights = sample_weights(examples)
    y = targets_for([e.department for e in examples], departments)
    w_dept, b_dept = _fit_head(x, y, weights, n_features, config)
    w_int, b_int = np.zeros((n_features, len(intents))), np.zeros(len(intents))
    if intents:
        rows = np.array([i for i, e in enumerate(examples) if e.intent], dtype=np.int64)
        y_int = targets_for([examples[i].intent or "" for i in rows], intents)
        w_int, b_int = _fit_head(x.take(rows), y_int, weights[rows], n_features, config)
    return departments, intents, np.hstack((w_dept, w_int)), np.concatenate((b_dept, b_int))


def train(
    examples: Sequence[Example],
    spec: FeatureSpec | None = None,
    config: TrainConfig | None = None,
    min_df: int = 2,
    calibrate: bool = True,
) -> store.Artifact:
    """Fit both heads on `examples`; buckets seen in fewer than `min_df` rows are dropped."""
    spec = spec or FeatureSpec()
    config = config or TrainConfig()
    texts = [e.text for e in examples]
    ids, buckets = hash_features(texts, spec)
    vocabulary = _frequent_buckets(ids, buckets, spec.bits, min_df)
    x = sparse_rows(texts, spec, vocabulary)
    departments, intents, weights, bias = _fit_heads(examples, x, len(vocabulary), config)
    temperature = 1.0
    if calibrate:
        fit_rows, held = split_holdout(examples, config.seed)
        sub = [examples[i] for i in fit_rows]
        _, _, w_sub, b_sub = _fit_heads(sub, x.take(fit_rows), len(vocabulary), config)
        n = len(departments)
        held_x = x.take(held)
        logits = held_x.dot(w_sub[:, :n]) + b_sub[:n]
        y = targets_for([examples[i].department for i in held], departments)
        temperature = fit_temperature(logits, y, sample_weights([examples[i] for i in held]))
    owner = {i: e.department for e in examples if e.intent for i in [e.intent]}
    return store.Artifact(
        spec=spec,
        departments=departments,
        intents=intents,
        intent_departments=tuple(owner[i] for i in intents),
        temperature=temperature,
        buckets=vocabulary.astype(np.uint32),
        weights=weights.astype(np.float16),
        bias=bias.astype(np.float32),
        provenance={},
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train_files(
    paths: Sequence[Path], out: Path, exclude: Sequence[Path] = (), seed: int = 0
) -> TrainReport:
    """Read, drop rows also present in `exclude` (held-out sets), train, write `out`."""
    held_out = {normalise(e.text) for p in exclude for e in read_labelled(p).examples}
    examples: list[Example] = []
    skipped = excluded = 0
    for path in paths:
        labelled = read_labelled(path)
        skipped += labelled.skipped
        kept = [e for e in labelled.examples if normalise(e.text) not in held_out]
        excluded += len(labelled.examples) - len(kept)
        examples.extend(kept)
    artifact = train(examples, config=TrainConfig(seed=seed))
    rows = dict(Counter(e.source for e in examples))
    provenance = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": [
            {"file": p.name, "sha256": _sha256(p), "rows": rows.get(p.name, 0)} for p in paths
        ],
        "excluded_files": [{"file": p.name, "sha256": _sha256(p)} for p in exclude],
        "excluded_rows": excluded,
        "skipped_rows": skipped,
        "departments": dict(Counter(e.department for e in examples)),
    }
    version = store.write(replace(artifact, provenance=provenance), out)
    return TrainReport(version, rows, skipped, excluded)
