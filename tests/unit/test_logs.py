import contextlib
import io
import json
import logging
from collections.abc import Iterator

import pytest

from omniroute import logs
from omniroute.logs import JsonFormatter, RedactionFilter, TextFormatter, correlate, redact


@pytest.mark.parametrize(
    "secret",
    [
        "ana.maria+shop@example.co.uk",
        "+49 151 23456789",
        "+1 (415) 555-0134",
        "+8613812345678",
        "+49+151+23456789",
        "0151 2345 6789",
        "415-555-0134-12",
        "omr_Zx8Qe1vTnq0aB-c_yWk3",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    ],
)
def test_identifiers_are_masked(secret: str) -> None:
    out = redact(f"customer wrote from {secret}, please check")
    assert secret not in out
    assert "customer wrote from" in out


def test_percent_encoded_identifiers_are_masked() -> None:
    line = "POST /hook?email=ana.maria%2Bx%40example.com&from=%2B49%20151%2023456789 HTTP/1.1"
    out = redact(line)
    assert "ana.maria" not in out and "23456789" not in out
    assert "email=[email]" in out and "from=[phone]" in out


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abcdefghijkl",
        "password=hunter2-hunter2",
        '{"token": "s3cr3t-value"}',
        "api_key: 1234abcd",
    ],
)
def test_secrets_in_key_value_form_are_masked(text: str) -> None:
    out = redact(text)
    assert "[redacted]" in out
    for value in ("abcdefghijkl", "hunter2-hunter2", "s3cr3t-value", "1234abcd"):
        assert value not in out


@pytest.mark.parametrize(
    "text",
    [
        "sla due 2026-11-22T10:15:30+00:00",
        "broker 127.0.0.1:9092 partition 3 offset 17",
        "took 0.0123 s, 3 records",
        "config version 2026.11.22-1",
        "message id api:shop-4711",
        "score 0.8731",
    ],
)
def test_operational_values_survive(text: str) -> None:
    assert redact(text) == text


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("omniroute.test", logging.INFO, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_filter_redacts_arguments_and_tracebacks() -> None:
    record = _record("from %s", "bob@example.com")
    try:
        raise ValueError("bad phone +44 20 7946 0958")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactionFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "from [email]"
    assert "7946" not in line["exception"] and "ValueError" in line["exception"]


def test_json_lines_carry_allowlisted_correlation_ids_only() -> None:
    record = _record("routed", message_id="api:m-1", case_id="c-9", body="bob@example.com")
    with correlate(correlation_id="req-1"):
        line = json.loads(JsonFormatter().format(record))
    assert line["message_id"] == "api:m-1" and line["case_id"] == "c-9"
    assert line["correlation_id"] == "req-1" and "body" not in line
    assert line["level"] == "INFO" and line["logger"] == "omniroute.test"
    # Outside the context the binding is gone.
    assert "correlation_id" not in json.loads(JsonFormatter().format(_record("x")))


def test_text_format_appends_ids() -> None:
    line = TextFormatter().format(_record("routed", department="billing"))
    assert line.endswith("routed department=billing")


@contextlib.contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger without pytest's capture handlers, restored afterwards."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    for handler in saved:
        root.removeHandler(handler)
    try:
        yield root
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)


def test_configure_installs_one_redacting_json_handler() -> None:
    stream = io.StringIO()
    with bare_root() as root:
        logs.configure("DEBUG", "auto", stream)  # not a TTY: JSON
        logs.configure("DEBUG", "json", stream)  # reconfiguring replaces, never duplicates
        logging.getLogger("aiokafka.conn").warning("auth failed for %s", "eve@example.org")
        logging.getLogger("omniroute.x").info("token %s", "omr_abcdefghijklmnop")
        assert len(root.handlers) == 1
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert [x["message"] for x in lines] == ["auth failed for [email]", "token omr_[token]"]


def test_configure_leaves_a_foreign_root_alone() -> None:
    foreign = logging.StreamHandler(io.StringIO())
    with bare_root() as root:
        root.addHandler(foreign)
        logs.configure("WARNING", "json")
        assert root.handlers == [foreign] and root.level == logging.WARNING


async def test_request_ids_reach_log_lines_and_the_response() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("omniroute.test.request")
    log.addHandler(handler)

    async def hello(_: web.Request) -> web.Response:
        log.warning("handling")
        return web.Response(text="hi")

    app = web.Application(middlewares=[logs.request_id_middleware])
    app.router.add_get("/", hello)
    try:
        async with TestClient(TestServer(app)) as client:
            given = await client.get("/", headers={"X-Request-Id": "adapter-req-7"})
            forged = await client.get("/", headers={"X-Request-Id": 'x" {"level": "ERROR"}'})
    finally:
        log.removeHandler(handler)
    assert given.headers["X-Request-Id"] == "adapter-req-7"
    generated = forged.headers["X-Request-Id"]
    assert len(generated) == 32 and "\n" not in generated
    ids = [json.loads(line)["request_id"] for line in stream.getvalue().splitlines()]
    assert ids == ["adapter-req-7", generated]
