"""Twilio request signatures (X-Twilio-Signature).

base64(HMAC-SHA1(auth token, URL + for each POST parameter sorted by name, and each of its
distinct values sorted: name + value)), checked against Twilio's published test vectors.
The URL is the one Twilio requested, as configured in Twilio, so behind a proxy it must be
the public URL, not the one this process sees. Twilio is not consistent about the default
port in that URL, so both spellings are accepted, as its own helper libraries do.
"""

import base64
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

HEADER = "X-Twilio-Signature"


def compute(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    grouped: defaultdict[str, list[str]] = defaultdict(list)
    for name, value in params:
        grouped[name].append(value)
    data = url + "".join(
        name + value for name in sorted(grouped) for value in sorted(set(grouped[name]))
    )
    mac = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def url_variants(url: str) -> list[str]:
    """The URL without any port, and with its port (the scheme's default when it had none)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return [url]
    host = parts.netloc[: parts.netloc.rfind(":")] if port is not None else parts.netloc
    port = port if port is not None else (443 if parts.scheme == "https" else 80)
    without = urlunsplit(parts._replace(netloc=host))
    with_port = urlunsplit(parts._replace(netloc=f"{host}:{port}"))
    return [without, with_port]


def valid(url: str, params: list[tuple[str, str]], signature: str | None, auth_token: str) -> bool:
    if not signature or not auth_token:
        return False
    given = signature.strip().encode()
    results = [
        hmac.compare_digest(compute(candidate, params, auth_token).encode(), given)
        for candidate in url_variants(url)
    ]
    return any(results)
