"""Hashed character n-gram features, computed for a whole batch at once with numpy.

Why hashing: the artifact then holds no strings from the training data (only bucket numbers and
weights), and a vocabulary lookup per n-gram in Python would cost more than the model itself.
Why one pass per batch: the normalised texts are joined with a separator and every n-gram of
every message is hashed by a fixed handful of array operations, so the cost per message is a
few microseconds rather than a Python loop per character.

Why character n-grams only: they need no word segmentation, which Chinese requires (CJK
unigrams and bigrams carry most of its signal); for Latin text, 3- and 4-grams spanning a space
capture short phrases ("l my", "ncel") and survive typos and run-on words. On the Bitext data,
adding word unigrams/bigrams did not change accuracy, so they are left out for speed.
ASCII-only uni- and bigrams are skipped: "ht" or "p " say nothing about a department, yet with
few examples per class a model happily learns them as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .normalise import normalise

Int64Array = npt.NDArray[np.int64]

_SEP = "\x00"  # not whitespace, so normalise() keeps it; removed from the texts beforehand
_PRIME = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: odd, well spread
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Which character n-gram orders to hash, and into how many buckets (2**bits)."""

    bits: int = 20
    max_order: int = 4
    min_latin_order: int = 3  # shorter n-grams only if they contain a non-ASCII character


def join_normalised(texts: Sequence[str]) -> str:
    """All texts normalised into one string, each as ' text ' between separators."""
    inner = f" {_SEP} ".join(text.replace(_SEP, " ") for text in texts)
    return f"{_SEP} {normalise(inner)} {_SEP}"


def hash_features(texts: Sequence[str], spec: FeatureSpec) -> tuple[Int64Array, Int64Array]:
    """Return (message index, bucket) for every n-gram occurrence, message indices ascending."""
    if not texts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    top = spec.max_order
    joined = join_normalised(texts) + _SEP * (top - 1)  # every position starts a window
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    is_sep = cp == ord(_SEP)
    size = len(cp) - top + 1
    wide = cp >= 128
    rolling, broken, any_wide = cp[:size], is_sep[:size], wide[:size]
    hashes, keeps = [], []
    for order in range(1, top + 1):
        if order > 1:
            window = slice(order - 1, order - 1 + size)
            rolling = rolling * _PRIME + cp[window]
            # An n-gram touching a separator would mix two messages (or the padding): drop it.
            broken = broken | is_sep[window]
            any_wide = any_wide | wide[window]
        hashes.append(rolling + np.uint64(order))  # salt: orders must not collide
        keeps.append(~broken & any_wide if order < spec.min_latin_order else ~broken)
    # Columns are orders, rows positions: boolean indexing walks positions in order, so the
    # message indices come out sorted, which is what the models' segment sums rely on.
    keep = np.stack(keeps, axis=1)
    buckets = (np.stack(hashes, axis=1)[keep] * _GOLDEN) >> np.uint64(64 - spec.bits)
    msg = np.cumsum(is_sep[:size], dtype=np.int64) - 1
    ids = np.repeat(msg, keep.sum(axis=1))
    return ids, buckets.astype(np.int64)


def hash_one(text: str, spec: FeatureSpec) -> Int64Array:
    """Buckets of one message: the same n-grams as `hash_features`, with fewer array operations
    (no separators to track), because single-message latency is dominated by their count."""
    cp = np.frombuffer(f" {normalise(text)} ".encode("utf-32-le"), dtype=np.uint32)
    cp = cp.astype(np.uint64)
    wide = cp >= 128
    parts = []
    rolling, any_wide = cp, wide
    for order in range(1, min(spec.max_order, len(cp)) + 1):
        if order > 1:
            rolling = rolling[:-1] * _PRIME + cp[order - 1 :]
            any_wide = any_wide[:-1] | wide[order - 1 :]
        salted = rolling + np.uint64(order)
        parts.append(salted[any_wide] if order < spec.min_latin_order else salted)
    hashes = np.concatenate(parts) * _GOLDEN
    return (hashes >> np.uint64(64 - spec.bits)).astype(np.int64)
