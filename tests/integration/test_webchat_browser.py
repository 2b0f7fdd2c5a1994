"""End to end in a real headless Chromium (Debian's): a visitor types into the widget on the
demo page, sees the tick, and the message is on omniroute.intake.webchat in a real Kafka
(and, with the router running, on the department topic). Prints its timings."""

import importlib.util
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry

from connectors.webchat.config import WebChatConfig
from connectors.webchat.connector import WebChatConnector
from intake.http.app import build_app, kafka_context
from intake.settings import KafkaSettings
from intake.topics import Topics
from tests.integration.app_harness import intake_settings
from tests.integration.kafka_helpers import read_records
from tests.integration.requires import require_binary

playwright = pytest.importorskip("playwright.async_api", reason="pip install playwright")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TEXT = "My parcel has not arrived and the tracking page shows nothing"
REST_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><title>rest</title></head><body>'
    '<script src="/chat/widget.js" data-transport="rest" data-open="true"></script>'
    "</body></html>"
)


@asynccontextmanager
async def chat_server(kafka: KafkaSettings) -> AsyncIterator[TestServer]:
    app = build_app(intake_settings(), kafka_context(kafka), CollectorRegistry())
    app.router.add_routes(WebChatConnector(WebChatConfig()).routes())

    async def rest_page(_: web.Request) -> web.Response:
        return web.Response(text=REST_PAGE, content_type="text/html")

    app.router.add_get("/rest-demo/", rest_page)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    path = require_binary("chromium", "chromium")
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def chat(browser: Any, url: str, text: str, open_first: bool) -> tuple[str, str]:
    """Type a line like a visitor; returns (message id shown by the tick, session id)."""
    page = await browser.new_page()
    await page.goto(url)
    if open_first:
        await page.locator(".launcher").click()  # Playwright's CSS pierces the shadow root
    box = page.locator(".composer textarea")
    await box.press_sequentially(text)
    await box.press("Enter")
    line = page.locator('li.me[data-status="acked"]')
    await line.wait_for(timeout=30_000)
    assert await line.locator(".tick").text_content() == "\u2713"
    assert await line.locator(".bubble").text_content() == text + "\u2713"
    message_id = await line.get_attribute("data-message-id")
    session = await page.evaluate("sessionStorage.getItem('omniroute.session')")
    await page.close()
    return str(message_id), str(session)


def _router_available() -> bool:
    return importlib.util.find_spec("router.service") is not None


async def test_typed_message_reaches_kafka_and_its_department(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    async with chat_server(kafka_settings) as server, chromium() as browser:
        timings["server + browser up"] = time.perf_counter() - started
        mark = time.perf_counter()
        message_id, session = await chat(browser, str(server.make_url("/chat/")), TEXT, True)
        timings["page load -> typed -> tick (ack)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        rest_url = str(server.make_url("/rest-demo/"))
        rest_id, _ = await chat(browser, rest_url, "REST works too", False)
        timings["REST fallback line -> tick"] = time.perf_counter() - mark
    mark = time.perf_counter()
    records = await read_records(kafka_settings, [topics.intake("webchat")], expect=2)
    timings["read back from Kafka"] = time.perf_counter() - mark
    values = {v["id"]: v for v in (orjson.loads(r.value) for r in records)}
    assert set(values) == {message_id, rest_id}
    typed = values[message_id]
    assert typed["text"] == TEXT and typed["channel"] == "webchat"
    assert typed["thread"]["conversation_id"] == session
    assert typed["metadata"]["page_url"].endswith("/chat/")
    if _router_available():
        from tests.integration.app_harness import running_router

        mark = time.perf_counter()
        async with running_router(kafka_settings, f"{topics.prefix}-router"):
            dept = await read_records(kafka_settings, [topics.dept("logistics")], expect=1)
        timings["router -> omniroute.dept.logistics"] = time.perf_counter() - mark
        dispatched = [orjson.loads(r.value) for r in dept]
        assert message_id in {d["message"]["id"] for d in dispatched}
    timings["total"] = time.perf_counter() - started
    print("\nbrowser e2e timings: " + ", ".join(f"{k}: {v:.2f}s" for k, v in timings.items()))
