"""Shared pieces of the property tests: real-looking seeds, mutation strategies (byte-level and
JSON-structural), and the one property every parser must keep: total, never a crash caught by
the safety net, and every draft completes into a Message that survives a serde round trip."""

import os
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from connectors.base import ParseResult
from intake import serde
from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Message

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared" / "data"  # optional: read in place, never copied

# ~100-200 examples per property keeps the unit tier fast on 2 shared cores. Under CI the
# examples are derandomised, so a run is reproducible; locally every run explores anew.
PROPERTY = settings(
    max_examples=int(os.environ.get("OMNIROUTE_PROPERTY_EXAMPLES", "100")),
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

COMPLETER = Completer(IdentityKeyer(b"property-test-identity-secret"))

# Tokens that mean something to one of the parsers: splicing them in reaches deeper paths
# than random bytes would.
TOKENS = [
    b"\x00", b"\xff", b"\xc3", b"\r\n", b"\n\n", b"\r\n\r\n", b'"', b"'", b",", b";", b"=",
    b"&", b"%", b"%ZZ", b"%00", b"+", b"{", b"}", b"[", b"]", b":", b"\\", b"\\u0000",
    b"--", b"boundary=", b"Content-Type: multipart/mixed; boundary=x\r\n", b"--x\r\n",
    b"Content-Transfer-Encoding: base64\r\n", b"=?utf-8?b?", b"=?gb2312?q?", b"?=", b"=\r\n",
    b"message/rfc822", b"charset=", b"<", b">", b"@", b"null", b"true", b"1e999", b"-0",
    b"\xe2\x80\xae", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"cdr=", b"%7B",
]  # fmt: skip


def read_samples(*dirs: str, shared: tuple[str, ...] = ()) -> list[bytes]:
    """Fixture files of the given tests/fixtures subfolders, plus (when present) files under
    ../shared/data/<shared...>."""
    paths = [p for d in dirs for p in sorted((FIXTURES / d).glob("*")) if p.is_file()]
    for folder in shared:
        base = SHARED / folder
        if base.is_dir():
            paths += [p for p in sorted(base.rglob("*")) if p.is_file() and p.stat().st_size]
    return [p.read_bytes() for p in paths if p.suffix != ".md" and p.name != "README.md"]


@st.composite
def mutated(draw: st.DrawFn, samples: list[bytes], max_steps: int = 6) -> bytes:
    """A sample with a few edits: flips, inserted tokens or bytes, cut/duplicated ranges,
    truncation, or a splice with another sample."""
    data = bytearray(draw(st.sampled_from(samples)))
    for _ in range(draw(st.integers(1, max_steps))):
        size = len(data)
        at = draw(st.integers(0, size))
        op = draw(st.integers(0, 6))
        if op == 0 and size:
            data[min(at, size - 1)] ^= 1 << draw(st.integers(0, 7))
        elif op == 1:
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == 2:
            data[at:at] = draw(st.binary(max_size=16))
        elif op == 3:
            del data[at : at + draw(st.integers(1, 64))]
        elif op == 4:
            data[at:at] = data[at : at + draw(st.integers(1, 256))] * draw(st.integers(1, 8))
        elif op == 5:
            del data[at:]
        else:
            other = draw(st.sampled_from(samples))
            data[at:] = other[draw(st.integers(0, len(other))) :]
    return bytes(data)


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def json_mutated(draw: st.DrawFn, documents: list[Any], max_steps: int = 4) -> bytes:
    """A JSON sample with values replaced by arbitrary JSON (type confusion: a list where an
    object was, a number for a string...) or keys dropped, serialised again."""
    doc = orjson.loads(orjson.dumps(draw(st.sampled_from(documents))))
    for _ in range(draw(st.integers(1, max_steps))):
        node: Any = doc
        path: list[Any] = []
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            key = draw(
                st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
            )
            path.append(key)
            node = node[key]
        if not path:
            doc = draw(JSON) if draw(st.integers(0, 9)) == 0 else doc
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return orjson.dumps(doc)


def json_documents(samples: list[bytes]) -> list[Any]:
    docs = []
    for raw in samples:
        try:
            docs.append(orjson.loads(raw))
        except orjson.JSONDecodeError:
            continue
    return docs


def check_total(result: ParseResult) -> list[Message]:
    """The contract of `Connector.parse`: a result, never a crash caught by the safety net
    ('parser_error' means a parser bug); every draft becomes a Message that round-trips."""
    assert isinstance(result, ParseResult)
    if result.deadletter is not None:
        dead = result.deadletter
        assert dead.reason_code != "parser_error", dead.reason
        assert dead.reason and len(dead.reason) <= 4096
    messages = []
    for draft in result.drafts:
        message = COMPLETER.complete(draft, source="property")
        assert serde.loads(Message, serde.dumps(message)) == message
        messages.append(message)
    return messages
