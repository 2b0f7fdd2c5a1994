"""Shared by the social unit tests: fixture loading and signing as the platforms do."""

from pathlib import Path

from connectors.social.signatures import meta_signature, x_signature

FIXTURES = Path(__file__).parents[1] / "fixtures" / "social"
APP_SECRET = "meta-app-secret-for-tests"
CONSUMER_SECRET = "x-consumer-secret-for-tests"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def meta_headers(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    return {"X-Hub-Signature-256": meta_signature(secret, body), "Content-Type": "application/json"}


def x_headers(body: bytes, secret: str = CONSUMER_SECRET) -> dict[str, str]:
    return {"x-twitter-webhooks-signature": x_signature(secret, body)}


def one_byte_changed(body: bytes) -> bytes:
    """The same body with one byte flipped in the middle (still the same length)."""
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]
