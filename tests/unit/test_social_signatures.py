"""Signature primitives against a published HMAC-SHA256 vector, and every way to fail."""

from connectors.social.signatures import (
    meta_signature,
    tokens_equal,
    verify_meta,
    verify_x,
    x_crc_response,
    x_signature,
)
from intake.metrics import AuthFailure
from tests.unit.social_helpers import one_byte_changed

# RFC 4231-style public vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
KEY = "key"
FOX = b"The quick brown fox jumps over the lazy dog"
FOX_HEX = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
FOX_B64 = "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="


def test_meta_signature_is_sha256_equals_hex() -> None:
    assert meta_signature(KEY, FOX) == "sha256=" + FOX_HEX


def test_x_signature_and_crc_are_sha256_equals_base64() -> None:
    assert x_signature(KEY, FOX) == "sha256=" + FOX_B64
    assert x_crc_response(KEY, FOX.decode()) == {"response_token": "sha256=" + FOX_B64}


def test_meta_accepts_the_right_signature_in_either_hex_case() -> None:
    assert verify_meta("sha256=" + FOX_HEX, KEY, FOX) is None
    assert verify_meta("sha256=" + FOX_HEX.upper(), KEY, FOX) is None


def test_meta_rejects_changed_body_wrong_secret_missing_and_unconfigured() -> None:
    good = "sha256=" + FOX_HEX
    assert verify_meta(good, KEY, one_byte_changed(FOX)) is AuthFailure.BAD_SIGNATURE
    assert verify_meta(good, "other-key", FOX) is AuthFailure.BAD_SIGNATURE
    assert verify_meta(None, KEY, FOX) is AuthFailure.MISSING
    assert verify_meta("", KEY, FOX) is AuthFailure.MISSING
    assert verify_meta(good, "", FOX) is AuthFailure.BAD_SIGNATURE
    assert verify_meta(FOX_HEX, KEY, FOX) is AuthFailure.BAD_SIGNATURE  # prefix required
    assert verify_meta("sha1=" + FOX_HEX, KEY, FOX) is AuthFailure.BAD_SIGNATURE


def test_x_rejects_changed_body_wrong_secret_missing_and_unconfigured() -> None:
    good = "sha256=" + FOX_B64
    assert verify_x(good, KEY, FOX) is None
    assert verify_x(good, KEY, one_byte_changed(FOX)) is AuthFailure.BAD_SIGNATURE
    assert verify_x(good, "other-key", FOX) is AuthFailure.BAD_SIGNATURE
    assert verify_x(None, KEY, FOX) is AuthFailure.MISSING
    assert verify_x(good, "", FOX) is AuthFailure.BAD_SIGNATURE
    assert verify_x("sha256=" + FOX_HEX, KEY, FOX) is AuthFailure.BAD_SIGNATURE  # hex != base64


def test_verify_token_compare() -> None:
    assert tokens_equal("s3cret", "s3cret")
    assert not tokens_equal("s3cre", "s3cret")
    assert not tokens_equal("", "")  # an unset token never matches, not even an empty one
