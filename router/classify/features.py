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
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .normalise import normalise

Int64Array = npt.NDArray[np.int64]

_SEP = "\x00"  # not whitespace, so normalise() keeps it; removed from the texts beforehand
# An n-gram's hash is sum(code point at offset j * _MULTIPLIERS[j]) mod 2**64 (random odd
# constants), salted with its order: the same value whether it is computed order by order over
# a batch or as one cumulative sum per window for a single message.
_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
    ],
    dtype=np.uint64,
)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier for the final mix


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Which character n-gram orders to hash, and into how many buckets (2**bits)."""

    bits: int = 20
    max_order: int = 4  # at most len(_MULTIPLIERS)
    min_latin_order: int = 3  # shorter n-grams only if they contain a non-ASCII character


def join_normalised(texts: Sequence[str]) -> str:
    """All texts normalised into one string, each as ' text ' between separators."""
    inner = f" {_SEP} ".join(text.replace(_SEP, " ") for text in texts)
    return f"{_SEP} {normalise(inner)} {_SEP}"


def _buckets(hashes: npt.NDArray[np.uint64], bits: int) -> Int64Array:
    return ((hashes * _GOLDEN) >> np.uint64(64 - bits)).astype(np.int64)


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
    summed, broken, any_wide = cp[:size] * _MULTIPLIERS[0], is_sep[:size], wide[:size]
    hashes, keeps = [], []
    for order in range(1, top + 1):
        if order > 1:
            window = slice(order - 1, order - 1 + size)
            summed = summed + cp[window] * _MULTIPLIERS[order - 1]
            # An n-gram touching a separator would mix two messages (or the padding): drop it.
            broken = broken | is_sep[window]
            any_wide = any_wide | wide[window]
        hashes.append(summed + np.uint64(order))
        keeps.append(~broken & any_wide if order < spec.min_latin_order else ~broken)
    # Columns are orders, rows positions: boolean indexing walks positions in order, so the
    # message indices come out sorted, which is what the models' segment sums rely on.
    keep = np.stack(keeps, axis=1)
    msg = np.cumsum(is_sep[:size], dtype=np.int64) - 1
    return np.repeat(msg, keep.sum(axis=1)), _buckets(np.stack(hashes, axis=1)[keep], spec.bits)


@lru_cache(maxsize=2048)
def _windows(length: int, top: int) -> Int64Array:
    return np.arange(length)[:, None] + np.arange(top)


@lru_cache(maxsize=8)
def _order_constants(spec: FeatureSpec) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    orders = np.arange(1, spec.max_order + 1)
    return orders.astype(np.uint64), orders >= spec.min_latin_order


def hash_one(text: str, spec: FeatureSpec) -> Int64Array:
    """Buckets of one message, in the order `hash_features` gives them: the same n-grams with
    about half the array operations, since those dominate single-message latency."""
    top = spec.max_order
    padded = f" {normalise(text.replace(_SEP, ' '))} " + _SEP * (top - 1)
    cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    win = cp[_windows(len(cp) - top + 1, top)]  # (positions, orders)
    salt, latin_ok = _order_constants(spec)
    hashes = np.cumsum(win * _MULTIPLIERS[:top], axis=1, dtype=np.uint64) + salt
    padding = np.logical_or.accumulate(win == 0, axis=1)
    wide = np.logical_or.accumulate(win >= 128, axis=1)
    return _buckets(hashes[~padding & (wide | latin_ok)], spec.bits)
