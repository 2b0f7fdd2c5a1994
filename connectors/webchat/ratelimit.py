"""Token buckets: a steady rate with room for a burst, which fits chat (a few quick lines,
then a pause) better than a fixed window that resets all at once."""

import time
from collections import OrderedDict
from collections.abc import Callable

Clock = Callable[[], float]


class TokenBucket:
    def __init__(self, rate_per_s: float, burst: int, clock: Clock = time.monotonic) -> None:
        self._rate = rate_per_s
        self._capacity = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def take(self) -> bool:
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def retry_after_s(self) -> float:
        self._refill()
        return max(0.0, (1.0 - self._tokens) / self._rate)


class BucketMap:
    """One bucket per key for stateless callers (REST), bounded: the least recently used key
    is forgotten first, so memory stays fixed however many sessions appear."""

    def __init__(self, rate_per_s: float, burst: int, max_keys: int) -> None:
        self._rate, self._burst, self._max = rate_per_s, burst, max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def get(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self._rate, self._burst)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket

    def __len__(self) -> int:
        return len(self._buckets)
