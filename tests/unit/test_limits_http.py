"""Hostile requests to the ingest API: never a 5xx, nothing published, memory bounded
(asserted with tracemalloc; client and server share the process, so both are counted):
a gzip bomb, oversize and countless headers, a very long URL, deep JSON nesting, NUL bytes and
invalid UTF-8, and batches or fields far past their limits."""

import gzip
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from intake.http.app import build_app
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context
from tests.unit.limits_helpers import MIB, abounded

TOKEN = "omr_limits-test-token-00000000000000000000"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
ONE = {"channel": "api", "channel_message_id": "m-1", "text": "hello"}
N = [str(n) for n in range(10_000)]
# Valid under the contract, only big: accepted within the body limit. (Metadata keys have no
# length bound of their own; the 1 MiB body limit is what bounds them today.)
ACCEPTED = {"escaped_nul", "long_string_keys"}


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
async def client(publisher: FakePublisher) -> AsyncIterator[TestClient[object, object]]:
    settings = IntakeSettings(tokens=(TokenEntry(name="shop", sha256=hash_token(TOKEN)),))
    app = build_app(settings, fake_kafka_context(publisher))
    async with TestClient(TestServer(app)) as c:
        yield c


def gzip_bomb() -> bytes:
    """~200 KB on the wire, 200 MB once inflated (1 MB is the body limit)."""
    return gzip.compress(b"[" + b" " * 200_000_000 + b"]", compresslevel=9)


CASES: dict[str, tuple[dict[str, str], Any]] = {
    "gzip_bomb": ({"Content-Encoding": "gzip"}, gzip_bomb),
    "deep_json": ({}, lambda: b"[" * 200_000 + b"]" * 200_000),
    "nul_and_invalid_utf8": ({}, lambda: b'{"channel":"api","text":"\x00\xff\xfe\xc3("}'),
    "escaped_nul": ({}, lambda: orjson.dumps({**ONE, "text": "\x00" * 1000})),
    "batch_10k": ({}, lambda: orjson.dumps([{**ONE, "channel_message_id": str(n)} for n in N])),
    "recipients_10k": ({}, lambda: orjson.dumps({**ONE, "customer": {"order_numbers": N}})),
    "text_900k": ({}, lambda: orjson.dumps({**ONE, "text": "x" * 900_000})),
    "long_string_keys": ({}, lambda: orjson.dumps({**ONE, "metadata": {"k" * 500_000: 1}})),
    "header_64k": ({"X-Big": "v" * 65_536}, lambda: orjson.dumps(ONE)),
    "headers_5000": ({f"X-H{n}": "v" for n in range(5000)}, lambda: orjson.dumps(ONE)),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
async def test_hostile_request_is_refused_cleanly(
    case: str, client: TestClient[object, object], publisher: FakePublisher
) -> None:
    headers, make = CASES[case]
    body: bytes = make()

    async def send() -> int:
        try:
            resp = await client.post("/v1/messages", data=body, headers={**AUTH, **headers})
        except OSError:  # the server may close the connection on a request it cannot parse
            return 0
        await resp.read()
        return resp.status

    status = await abounded(case, send, max_bytes=4 * len(body) + 48 * MIB)
    assert status < 500, f"{case}: {status}"
    assert (status == 202) == (case in ACCEPTED), f"{case}: {status}"
    if status != 202:
        assert publisher.messages == []


async def test_long_url_is_refused_cleanly(client: TestClient[object, object]) -> None:
    resp = await client.post("/v1/messages" + "/x" * 40_000, data=b"{}", headers=AUTH)
    assert 400 <= resp.status < 500
