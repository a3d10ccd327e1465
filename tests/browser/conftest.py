"""Real Chromium driven by Playwright (Debian's /usr/bin/chromium; nothing downloaded).

Outside CI a machine without Chromium skips these tests; with
WAREHOUSE_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def chromium_path() -> str | None:
    return os.environ.get("WAREHOUSE_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        if os.environ.get("WAREHOUSE_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("Chromium is required for browser tests (apt-get install chromium)")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def _patient_marketplaces(app):  # type: ignore[no-untyped-def]
    """Browser tests call the sandboxes on the live server that also serves Chromium's
    pages, all in this process: on a loaded machine (CI runs Chromium beside PostgreSQL) a
    sandbox answer can take over the suite's one-second timeout. No browser test queues a
    ``timeout`` fault, so a patient client only removes that flake."""
    app.config["MARKETPLACE_TIMEOUT"] = 10.0


def _page(browser, width: int, height: int) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ru-RU")
    yield context.new_page()
    context.close()


@pytest.fixture
def tsd_page(browser):  # type: ignore[no-untyped-def]
    """A page the size of a handheld terminal's screen (480×800)."""
    yield from _page(browser, 480, 800)


@pytest.fixture
def desk_page(browser):  # type: ignore[no-untyped-def]
    """A desktop browser (1440×900): the supervisor's desk or a pack station."""
    yield from _page(browser, 1440, 900)


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def due_in(now: datetime, minutes: int, latest: int = 50) -> datetime:
    """``now + minutes``, squeezed (keeping the order of the walk's orders) before the Moscow
    midnight when the walk runs late in the evening: the live shift counts today's pickups
    only, and an order due at 00:20 is tomorrow's."""
    from warehouse.shift.live import day_of

    room = day_of(now)[1] - now - timedelta(minutes=1)
    wanted = timedelta(minutes=latest)
    share = min(1.0, room / wanted) if room > timedelta(0) else 0.0
    return now + timedelta(minutes=minutes) * share
