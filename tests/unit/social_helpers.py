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


GENERIC_DOC = Path(__file__).parents[2] / "docs" / "adapters" / "generic-social.md"


def generic_doc_example() -> bytes:
    """The JSON body of the curl example in the generic social adapter guide, exactly as
    written there (between `<<'JSON'` and the closing `JSON` line)."""
    text = GENERIC_DOC.read_text(encoding="utf-8")
    start = text.index("<<'JSON'\n") + len("<<'JSON'\n")
    end = text.index("\nJSON\n", start)
    return text[start:end].encode()


def generic_doc_curl_headers() -> dict[str, str]:
    """The headers the curl example sends (with the test's token in place of the variable)."""
    text = GENERIC_DOC.read_text(encoding="utf-8")
    block = text[text.index("curl --fail-with-body") : text.index("<<'JSON'")]
    headers = {}
    for part in block.split('-H "')[1:]:
        name, _, value = part.split('"', 1)[0].partition(": ")
        headers[name] = value
    return headers
