"""Per-token rate limits: a token bucket per adapter token, answered with 429 + Retry-After as
problem details. Environment: `OMNIROUTE_INTAKE_RATE_LIMIT_*`.

A middleware, so every bearer-token route (messages, events, connectors) is covered, and it runs
before the body is read: an adapter over its budget costs us a hash, not a parse. Buckets exist
only for authenticated token names, so their number is bounded by the configured tokens and a
flood of made-up tokens cannot grow memory (those get 401 from the handler).
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import Counter
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.errors import AuthenticationFailed
from intake.http import state
from intake.http.problems import Handler, problem


class RateLimitSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OMNIROUTE_INTAKE_RATE_LIMIT_", frozen=True, extra="ignore"
    )

    per_second: float = Field(
        100.0, ge=0, description="Sustained requests per second per adapter token; 0 = unlimited"
    )
    burst: int = Field(200, ge=1, description="Requests a token may send at once above the rate")
    per_token: dict[str, float] = Field(
        default_factory=dict,
        description='Per-token overrides of per_second by token name, JSON: {"my-shop": 200}',
    )


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(
        self, settings: RateLimitSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def rate(self, name: str) -> float:
        return self.settings.per_token.get(name, self.settings.per_second)

    def take(self, name: str) -> float:
        """Spend one request of `name`'s budget: 0.0 if allowed, else seconds until it would be."""
        rate = self.rate(name)
        if rate <= 0:
            return 0.0
        now, burst = self._clock(), float(self.settings.burst)
        bucket = self._buckets.setdefault(name, _Bucket(burst, now))
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate


LIMITER = web.AppKey("rate_limiter", RateLimiter)
LIMITED = web.AppKey("rate_limited_total", Counter)


@web.middleware
async def ratelimit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    limiter = request.app.get(LIMITER)
    authorization = request.headers.get("Authorization")
    if limiter is None or not authorization:
        return await handler(request)
    try:
        caller = request.app[state.TOKENS].authenticate(authorization)
    except AuthenticationFailed:
        return await handler(request)  # the handler answers 401 the usual way
    wait = limiter.take(caller.name)
    if wait <= 0:
        return await handler(request)
    request.app[LIMITED].inc()
    retry_after = max(1, math.ceil(wait))  # Retry-After is whole seconds (RFC 9110)
    return problem(
        429,
        "rate-limited",
        "Too Many Requests",
        f"token '{caller.name}' is limited to {limiter.rate(caller.name):g} requests/s "
        f"(burst {limiter.settings.burst}); retry after {retry_after} s",
        headers={"Retry-After": str(retry_after)},
        instance=request.path,
    )


def install(app: web.Application, settings: RateLimitSettings | None = None) -> None:
    """Call after the app's metrics and tokens are set, before it starts."""
    app[LIMITER] = RateLimiter(settings or RateLimitSettings())
    app[LIMITED] = Counter(
        "omniroute_intake_rate_limited",
        "Requests answered 429 because their token exceeded its rate limit",
        registry=app[state.METRICS].registry,
    )
    app.middlewares.append(ratelimit_middleware)
