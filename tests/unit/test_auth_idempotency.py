import pytest

from intake.errors import AuthenticationFailed, NotPermitted
from intake.http.auth import TokenEntry, TokenRegistry, hash_token, new_token
from intake.http.idempotency import IdempotencyCache, KeyInFlight, KeyReused, StoredResponse
from intake.message import Channel


def registry(token: str, channels: tuple[Channel, ...] = tuple(Channel)) -> TokenRegistry:
    return TokenRegistry([TokenEntry(name="shop", sha256=hash_token(token), channels=channels)])


def test_valid_token_authenticates_and_is_scoped() -> None:
    token = new_token()
    caller = registry(token, (Channel.API,)).authenticate(f"Bearer {token}")
    assert caller.name == "shop"
    caller.require(Channel.API)
    with pytest.raises(NotPermitted):
        caller.require(Channel.EMAIL)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer wrong"])
def test_bad_credentials_are_rejected(header: str | None) -> None:
    with pytest.raises(AuthenticationFailed):
        registry(new_token()).authenticate(header)


def test_only_the_hash_is_stored() -> None:
    token = new_token()
    entry = TokenEntry(name="shop", sha256=hash_token(token))
    assert token not in entry.model_dump_json()


def test_idempotency_replays_same_body_and_rejects_different_body() -> None:
    cache = IdempotencyCache()
    assert cache.begin("k", b"body") is None
    with pytest.raises(KeyInFlight):
        cache.begin("k", b"body")
    cache.finish("k", StoredResponse(202, b"{}", "application/json"))
    assert cache.begin("k", b"body") == StoredResponse(202, b"{}", "application/json")
    with pytest.raises(KeyReused):
        cache.begin("k", b"other")


def test_retriable_failures_are_forgotten_so_a_retry_is_processed() -> None:
    cache = IdempotencyCache()
    cache.begin("k", b"body")
    cache.finish("k", None)
    assert cache.begin("k", b"body") is None


def test_idempotency_cache_is_bounded() -> None:
    cache = IdempotencyCache(max_entries=2)
    for key in ("a", "b", "c"):
        cache.begin(key, b"x")
        cache.finish(key, StoredResponse(202, b"", "x"))
    assert cache.begin("a", b"x") is None  # evicted, so processed again
