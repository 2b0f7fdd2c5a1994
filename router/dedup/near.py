"""Layer 2, near: the same content from the same customer within the window, on any channel.

Rows live in a multimap keyed by the customer (tenant + routing key), so a lookup compares the
new fingerprint with that customer's recent messages only: a handful, never the partition.
A row is 36 bytes: the message uuid (to point at the original), time and the fingerprint.
"""

from collections.abc import Sequence
from itertools import islice

import numpy as np

from intake.message import Message
from router.dedup.fingerprint import Fingerprint, distance, fingerprint, fingerprints
from router.dedup.normalise import normalise
from router.state import codec
from router.state.changes import Changes
from router.state.restore import Layout
from router.state.settings import DedupSettings
from router.state.table import KeyTable

COLUMNS = {
    "hi": np.uint64,
    "lo": np.uint64,
    "ts": np.uint32,
    "fa": np.uint64,
    "fb": np.uint64,
}
LAYOUT = Layout(codec.PRINT, key_field="cust", id_column="hi")


class NearIndex:
    def __init__(self, settings: DedupSettings, changes: Changes) -> None:
        self.table = KeyTable(COLUMNS, unique=False)
        self._s = settings
        self._changes = changes
        self._prepared: dict[int, Fingerprint | None] = {}

    def fingerprint(self, message: Message) -> Fingerprint | None:
        """None when disabled or the text is too short to tell a repeat from a new message."""
        if id(message) in self._prepared:
            return self._prepared[id(message)]
        if not self._s.near_enabled:
            return None
        content = normalise(message.text or message.subject or "")
        if content.weight < self._s.near_min_chars:
            return None
        return fingerprint(content)

    def prepare(self, messages: Sequence[Message]) -> None:
        """Fingerprint a batch in one vectorised pass; `fingerprint` then answers for these
        message objects (by identity) until the next `prepare` (an empty one forgets them)."""
        self._prepared = {}
        if not messages or not self._s.near_enabled:
            return
        contents = [normalise(m.text or m.subject or "") for m in messages]
        long = [i for i, c in enumerate(contents) if c.weight >= self._s.near_min_chars]
        printed = fingerprints([contents[i] for i in long])
        self._prepared = dict.fromkeys(map(id, messages))
        self._prepared.update((id(messages[i]), fp) for i, fp in zip(long, printed, strict=True))

    def matches(self, a: Fingerprint, b: Fingerprint) -> bool:
        if a.numbers != b.numbers:
            return False
        short, long = sorted((a.weight, b.weight))
        if short < self._s.near_tolerant_chars:
            return short == long and a == b
        if long - short > self._s.near_max_length_change * long:
            return False
        return distance(a, b) <= self._s.near_max_distance

    def find(self, customer: int, fp: Fingerprint, now: int) -> tuple[int, int] | None:
        """(hi, lo) of the earliest matching message of this customer within the window."""
        t = self.table
        best: tuple[int, int, int] | None = None
        for slot in t.find_all(customer):
            ts = t.get(slot, "ts")
            if now - ts > self._s.window_s or (best is not None and ts >= best[0]):
                continue
            if self.matches(fp, Fingerprint(t.get(slot, "fa"), t.get(slot, "fb"))):
                best = (ts, t.get(slot, "hi"), t.get(slot, "lo"))
        return None if best is None else best[1:]

    def record(self, customer: int, hi: int, lo: int, ts: int, fp: Fingerprint) -> None:
        cap = self._s.near_max_per_customer
        if sum(1 for _ in islice(self.table.find_all(customer), cap)) >= cap:
            return  # a sync loop or a bot: keep lookups for this key (and its cluster) short
        row = {"hi": hi, "lo": lo, "ts": ts, "fa": fp.fa, "fb": fp.fb}
        self.table.put(customer, row)
        value = codec.entry_value(codec.PRINT, {**row, "cust": customer})
        self._changes.put(codec.entry_key(codec.PRINT, hi), value)
