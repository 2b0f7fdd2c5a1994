"""Credentials for the FreeSWITCH webhook: HTTP Basic (what mod_json_cdr's `cred` sends) or a
bearer token (for a proxy or adapter in front). Compared in constant time over SHA-256
digests, so neither the content nor the length of a secret leaks through timing."""

import base64
import binascii
import hashlib
import hmac

from pydantic import SecretStr


def _same(given: str, expected: str) -> bool:
    a = hashlib.sha256(given.encode()).digest()
    b = hashlib.sha256(expected.encode()).digest()
    return hmac.compare_digest(a, b)


def check(
    authorization: str | None,
    username: str,
    password: SecretStr | None,
    bearer_token: SecretStr | None,
) -> bool:
    """True when the header carries a configured credential. With none configured, nothing
    is accepted: an unauthenticated CDR endpoint would let anyone create callback requests."""
    if not authorization:
        return False
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and bearer_token is not None:
        return _same(value.strip(), bearer_token.get_secret_value())
    if scheme == "basic" and password is not None:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, secret = decoded.partition(":")
        # Both halves are always compared so a right user name costs the same time as a wrong one.
        user_ok = _same(user, username)
        secret_ok = _same(secret, password.get_secret_value())
        return bool(sep) and user_ok and secret_ok
    return False
