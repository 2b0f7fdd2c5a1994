"""Webhook signatures of Meta and X: HMAC-SHA256 over the raw body, compared in constant time.

Verification works on the exact bytes received: re-serialised JSON would not verify, and
nothing may be parsed before the sender is proven, so a forged body never reaches a parser.
"""

import base64
import hashlib
import hmac

from intake.metrics import AuthFailure

META_HEADER = "X-Hub-Signature-256"
X_HEADER = "x-twitter-webhooks-signature"
_PREFIX = "sha256="


def _mac(secret: str, data: bytes) -> bytes:
    return hmac.new(secret.encode(), data, hashlib.sha256).digest()


def meta_signature(secret: str, body: bytes) -> str:
    """What Meta sends: `sha256=` + lowercase hex."""
    return _PREFIX + _mac(secret, body).hex()


def x_signature(secret: str, data: bytes) -> str:
    """What X sends (and expects back for a CRC token): `sha256=` + base64."""
    return _PREFIX + base64.b64encode(_mac(secret, data)).decode()


def x_crc_response(secret: str, crc_token: str) -> dict[str, str]:
    return {"response_token": x_signature(secret, crc_token.encode())}


def _check(header: str | None, expected: str, secret: str) -> AuthFailure | None:
    if not header:
        return AuthFailure.MISSING
    # Without a configured secret nothing can be proven: fail closed rather than accept all.
    if not secret:
        return AuthFailure.BAD_SIGNATURE
    if not hmac.compare_digest(header.strip().encode(), expected.encode()):
        return AuthFailure.BAD_SIGNATURE
    return None


def verify_meta(header: str | None, secret: str, body: bytes) -> AuthFailure | None:
    """None when the body is Meta's; otherwise why not. Hex case is normalised first so a
    sender's upper-case hex is not a false rejection (the comparison itself stays constant-time)."""
    normalised = header.strip().lower() if header else header
    return _check(normalised, meta_signature(secret, body), secret)


def verify_x(header: str | None, secret: str, body: bytes) -> AuthFailure | None:
    return _check(header, x_signature(secret, body), secret)


def tokens_equal(given: str, configured: str) -> bool:
    """Constant-time comparison of the verify token; an unset token never matches."""
    return bool(configured) and hmac.compare_digest(given.encode(), configured.encode())
