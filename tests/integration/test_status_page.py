"""The /status page in Debian's headless Chromium: it renders the tracker's figures, refreshes
by itself when the figures change, and says so (keeping the last numbers) when a refresh fails."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry

from intake.events import EventType
from intake.message import Channel
from router.http import build_http_app
from router.sla.config import SlaTrackerConfig
from router.sla.tracker import SlaTracker
from router.status.view import status_document
from tests.integration.requires import require_binary
from tests.unit.test_sla_helpers import DEPARTMENTS, dispatch, event, secs

playwright = pytest.importorskip("playwright.async_api", reason="pip install playwright")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


class Source:
    """The status source the HTTP app calls; `broken` simulates a failing backend."""

    def __init__(self, tracker: SlaTracker) -> None:
        self.tracker = tracker
        self.broken = False

    def __call__(self) -> dict[str, Any]:
        if self.broken:
            raise RuntimeError("backend down")
        return status_document(self.tracker, datetime.now(UTC), refresh_s=1)


@asynccontextmanager
async def status_server(source: Source) -> AsyncIterator[str]:
    ready = asyncio.Event()
    ready.set()
    app = build_http_app(CollectorRegistry(), ready, source)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/status"))


async def cell(page: Any, selector: str, column: int) -> str:
    text: str = await page.locator(f"{selector} td").nth(column).inner_text()
    return text


async def test_status_page_renders_and_refreshes(tmp_path: Path) -> None:
    path = require_binary("chromium", "chromium")
    now = datetime.now(UTC)
    tracker = SlaTracker(SlaTrackerConfig(), DEPARTMENTS)
    tracker.on_dispatched(dispatch("case-a", 100, at=now - secs(90)))  # past 80 %: at risk
    tracker.on_dispatched(dispatch("case-b", 3600, at=now - secs(60), channel=Channel.EMAIL))
    tracker.on_dispatched(dispatch("case-c", 60, at=now - secs(30), department="complaints"))
    tracker.on_event(event("case-c", EventType.FIRST_RESPONSE, now - secs(20)))
    assert len(tracker.tick(now)) == 1
    source = Source(tracker)

    async with status_server(source) as url, playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(url)
            row = '#departments tr[data-department="customer_service"]'
            await page.wait_for_selector(row)
            assert await cell(page, row, 1) == "2"  # open
            assert await cell(page, row, 4) == "1"  # at risk
            complaints = '#departments tr[data-department="complaints"]'
            assert await cell(page, complaints, 6) == "100.0 %"
            case_row = '#cases tr[data-case="case-a"]'
            assert await cell(page, case_row, 4) == "at risk"
            await page.screenshot(path=str(tmp_path / "status-1.png"), full_page=True)

            # The world changes; the page notices without a reload.
            tracker.tick(datetime.now(UTC) + secs(30))  # case-a breaches
            await page.wait_for_function(
                "document.querySelector('#cases tr[data-case=\"case-a\"] td:nth-child(5)')"
                "?.textContent === 'breached'",
                timeout=10_000,
            )
            assert await cell(page, row, 5) == "1"  # breached (open)
            updates = int(await page.get_attribute("#meta", "data-updates") or 0)
            assert updates >= 2

            source.broken = True
            await page.wait_for_selector("#error", state="visible", timeout=10_000)
            assert "could not refresh" in await page.inner_text("#error")
            assert await cell(page, row, 1) == "2"  # the last numbers stay on screen
            source.broken = False
            await page.wait_for_selector("#error", state="hidden", timeout=10_000)
            await page.screenshot(path=str(tmp_path / "status-2.png"), full_page=True)
        finally:
            await browser.close()


async def test_status_json_has_no_metrics_only_fields() -> None:
    tracker = SlaTracker(SlaTrackerConfig(), DEPARTMENTS)
    doc = status_document(tracker, datetime.now(UTC), refresh_s=5)
    assert [d["department"] for d in doc["departments"]] == sorted(DEPARTMENTS)
    assert doc["at_risk_cases"] == [] and doc["refresh_seconds"] == 5
