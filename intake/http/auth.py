"""Adapter bearer tokens, stored only as SHA-256 hashes and scoped to channels.

A token is 32+ random bytes, so a single unsalted SHA-256 is enough (no password-style
stretching needed) and lets us look tokens up by hash instead of comparing against each one.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from intake.errors import AuthenticationFailed, NotPermitted
from intake.message import Channel


class TokenEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$", description="Adapter name")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Hex SHA-256 of the token")
    channels: tuple[Channel, ...] = Field(tuple(Channel), description="Channels it may post to")


@dataclass(frozen=True, slots=True)
class Caller:
    name: str
    channels: frozenset[Channel]

    def require(self, channel: Channel) -> None:
        if channel not in self.channels:
            raise NotPermitted(f"token '{self.name}' may not post to channel '{channel.value}'")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "omr_" + secrets.token_urlsafe(32)


class TokenRegistry:
    def __init__(self, entries: list[TokenEntry]) -> None:
        self._by_hash = {e.sha256: e for e in entries}

    def authenticate(self, authorization: str | None) -> Caller:
        if not authorization:
            raise AuthenticationFailed("missing Authorization header")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("expected 'Authorization: Bearer <token>'")
        digest = hash_token(token.strip())
        entry = self._by_hash.get(digest)
        # The dict lookup is on a hash the caller cannot steer; compare_digest guards the final
        # equality anyway so no byte-by-byte timing signal reaches the caller.
        if entry is None or not hmac.compare_digest(entry.sha256, digest):
            raise AuthenticationFailed("unknown token")
        return Caller(entry.name, frozenset(entry.channels))
