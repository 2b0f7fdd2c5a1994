"""Content fingerprints: a 128-bit value per message, compared by Hamming distance.

Layout (two uint64 words, `fa` and `fb`):
  fa        SimHash bits 0-63 over the distinct character shingles of the normalised text
  fb 63..28 SimHash bits 64-99
  fb 27..16 weight of the normalised text (capped at 4095): near-duplicates have similar lengths
  fb 15..0  hash of the text's distinct digit runs: differing numbers never match

Why SimHash over character shingles: it fits in 16 bytes resident (MinHash with a useful
accuracy needs 64+), character shingles work for CJK without a word segmenter, and distinct
shingles (a set, not counts) make repetition irrelevant. Shingles are 4 characters for
alphabetic text and 2 for CJK, where one character is about a word. Why the digit guard: "order
1234 has not arrived" and "order 5678 has not arrived" are two requests, yet only a few
shingles apart. Persisted in the changelog: changing the algorithm makes old and new prints
incomparable for one window (fewer near-duplicates found, nothing wrong dispatched).
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from router.dedup.normalise import CJK, Content

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
_P = np.uint64(1_000_003)
_SALT = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_DIGIT_MASK = 0xFFFF
_WEIGHT_SHIFT, _WEIGHT_MAX = 16, 0xFFF
_TAIL_MASK = ((1 << 64) - 1) ^ ((1 << 28) - 1)
BITS = 100


@dataclass(frozen=True, slots=True)
class Fingerprint:
    fa: int
    fb: int

    @property
    def weight(self) -> int:
        return (self.fb >> _WEIGHT_SHIFT) & _WEIGHT_MAX

    @property
    def numbers(self) -> int:
        return self.fb & _DIGIT_MASK


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    # splitmix64 finaliser: turns the polynomial shingle hash into well-spread bits.
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _shingles(text: str) -> npt.NDArray[np.uint64]:
    k = _shingle_size(text)
    points = np.frombuffer(text.encode("utf-32-le"), "<u4").astype(np.uint64)
    n = max(len(points) - k + 1, 1)
    k = min(k, len(points))
    h = np.zeros(n, np.uint64)
    for j in range(k):
        h = h * _P + points[j : j + n]
    return np.unique(h)  # distinct shingles: a set, so repeating a sentence changes nothing


def _shingle_size(text: str) -> int:
    return 2 if 2 * len(CJK.findall(text)) >= len(text) else 4


def _shingles_many(texts: Sequence[str], k: int) -> tuple[U64, I64]:
    """All k-shingles of texts at least k long, with the index of their text, in one pass
    over the concatenated code points (windows that cross into the next text are dropped)."""
    lens = np.array([len(t) for t in texts], np.int64)
    points = np.frombuffer("".join(texts).encode("utf-32-le"), "<u4").astype(np.uint64)
    n = len(points) - k + 1
    h = np.zeros(n, np.uint64)
    for j in range(k):
        h = h * _P + points[j : j + n]
    owner = np.repeat(np.arange(len(texts)), lens)[:n]
    inside = np.arange(n) + k <= np.cumsum(lens)[owner]
    return h[inside], owner[inside]


def fingerprints(contents: Sequence[Content]) -> list[Fingerprint]:
    """`fingerprint` of each content, identical values, with the numpy work done once for all
    (numpy call overhead, not arithmetic, is most of a single message's cost)."""
    texts = [c.text for c in contents]
    sizes = [2 if 2 * c.cjk >= len(c.text) else 4 for c in contents]  # as `_shingle_size`
    hashes: list[U64] = []
    owners: list[I64] = []
    for k in (2, 4):
        picked = [i for i, t in enumerate(texts) if sizes[i] == k and len(t) >= k]
        if picked:
            h, owner = _shingles_many([texts[i] for i in picked], k)
            hashes.append(h)
            owners.append(np.array(picked, np.int64)[owner])
    for i, t in enumerate(texts):
        if len(t) < sizes[i]:  # shorter than one shingle: the single path's special case
            short = _shingles(t)
            hashes.append(short)
            owners.append(np.full(len(short), i, np.int64))
    h, owner = np.concatenate(hashes), np.concatenate(owners)
    order = np.lexsort((h, owner))
    h, owner = h[order], owner[order]
    distinct = np.ones(len(h), bool)
    distinct[1:] = (h[1:] != h[:-1]) | (owner[1:] != owner[:-1])
    h, owner = h[distinct], owner[distinct]
    counts = np.bincount(owner, minlength=len(texts))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    votes = np.add.reduceat(_bits(h), starts, axis=0, dtype=np.int64) * 2 > counts[:, None]
    sims = np.packbits(votes, axis=1)
    return [_assemble(bytes(sim), c) for sim, c in zip(sims, contents, strict=True)]


def _bits(shingles: U64) -> npt.NDArray[np.uint8]:
    """Each shingle's 128 hash bits, one row per shingle."""
    n = len(shingles)
    # One mixing pass yields both 64-bit halves of each shingle's 128 bits (numpy calls, not
    # the arithmetic, are the cost on texts of a few hundred shingles).
    mixed = _mix(np.concatenate([shingles, shingles ^ _SALT]))
    words = np.ascontiguousarray(mixed.reshape(2, n).T, dtype="<u8")
    return np.unpackbits(words.view(np.uint8).reshape(n, 16), axis=1)


def _simhash(shingles: npt.NDArray[np.uint64]) -> bytes:
    votes = _bits(shingles).sum(axis=0, dtype=np.int64) * 2 > len(shingles)
    return np.packbits(votes).tobytes()


def _numbers_hash(numbers: tuple[str, ...]) -> int:
    if not numbers:
        return 0
    raw = hashlib.blake2b(" ".join(numbers).encode(), digest_size=2).digest()
    return int.from_bytes(raw, "big") or 1


def fingerprint(content: Content) -> Fingerprint:
    return _assemble(_simhash(_shingles(content.text)), content)


def _assemble(sim: bytes, content: Content) -> Fingerprint:
    fa = int.from_bytes(sim[:8], "big")
    fb = int.from_bytes(sim[8:], "big") & _TAIL_MASK
    fb |= min(content.weight, _WEIGHT_MAX) << _WEIGHT_SHIFT
    return Fingerprint(fa, fb | _numbers_hash(content.numbers))


def distance(a: Fingerprint, b: Fingerprint) -> int:
    """Differing SimHash bits, of `BITS`."""
    return (a.fa ^ b.fa).bit_count() + ((a.fb ^ b.fb) & _TAIL_MASK).bit_count()
