"""`Idempotency-Key` support (IETF httpapi-idempotency-key-header): a retried request with the
same key and body gets the first response again instead of producing again; the same key with
a different body is a client error (422); a key whose first request is still running, 409."""

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes
    content_type: str


@dataclass(slots=True)
class _Entry:
    fingerprint: str
    created: float
    response: StoredResponse | None  # None while the first request is in flight


class KeyReused(Exception):
    """Same key, different request body."""


class KeyInFlight(Exception):
    """Same key, first request not finished."""


class IdempotencyCache:
    """Bounded and time-limited, per process. Across processes and restarts the deterministic
    message ids and the router's exact-dedup layer still prevent double handling."""

    def __init__(self, max_entries: int = 100_000, ttl_s: float = 86_400.0) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._max = max_entries
        self._ttl = ttl_s

    @staticmethod
    def fingerprint(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    def begin(self, key: str, body: bytes) -> StoredResponse | None:
        """Returns a stored response to replay, or None if the caller should process it."""
        self._expire()
        fp = self.fingerprint(body)
        entry = self._entries.get(key)
        if entry is not None:
            if entry.fingerprint != fp:
                raise KeyReused(key)
            if entry.response is None:
                raise KeyInFlight(key)
            return entry.response
        self._entries[key] = _Entry(fp, time.monotonic(), None)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return None

    def finish(self, key: str, response: StoredResponse | None) -> None:
        """Store a final response, or forget the key (None) so a retry is processed again:
        only 2xx and final 4xx are replayed, never a 503 the sender is meant to retry."""
        if response is None:
            self._entries.pop(key, None)
        elif key in self._entries:
            self._entries[key].response = response

    def _expire(self) -> None:
        cutoff = time.monotonic() - self._ttl
        while self._entries:
            first = next(iter(self._entries.values()))
            if first.created >= cutoff:
                break
            self._entries.popitem(last=False)
