"""A picker on a 480×800 terminal: badge, task, bin, a wrong product, the right one, pack."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.test_end_to_end import import_now, our_order, sandbox_order
from warehouse.demo_catalogue import PRODUCTS

pytestmark = pytest.mark.browser
SHIRT = PRODUCTS[1]  # a shirt without marking codes
SOCKS_WRONG = PRODUCTS[3].barcodes[0]


def scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.type(code)  # a keyboard-wedge scanner types, then presses Enter
    page.keyboard.press("Enter")


def test_pick_slice_by_typing_scans(app, demo_site, zebra, worker, tsd_page):
    external_id = sandbox_order(demo_site)
    import_now(app, worker)
    page = tsd_page

    page.goto(f"{demo_site.url}/tsd/login")
    screenshot(page, "tsd-01-login")
    scan(page, "PICKER-001")
    expect(page.locator(".task-button")).to_have_count(1)
    screenshot(page, "tsd-02-tasks")
    page.locator(".task-button").click()

    expect(page.locator("#instruction .where")).to_have_text(SHIRT.bin)
    expect(page.locator("#scan")).to_be_focused()
    scan(page, f"LOC-{SHIRT.bin}")
    expect(page.locator("#feedback")).to_have_class("feedback ok")
    scan(page, PRODUCTS[2].barcodes[0])
    expect(page.locator("#feedback")).to_have_class("feedback err")
    expect(page.locator("#feedback")).to_contain_text("Не тот товар")
    screenshot(page, "tsd-03-wrong-product")
    scan(page, SHIRT.barcodes[0])
    expect(page.locator("#feedback")).to_have_class("feedback done")
    expect(page.locator("#scan")).to_be_focused()
    screenshot(page, "tsd-04-picked")
    assert our_order(app, external_id).status == "picked"

    page.get_by_role("link", name="Упаковать").click()
    expect(page.locator("#pack-items")).to_contain_text("0 / 1")
    scan(page, SOCKS_WRONG)
    expect(page.locator("#feedback")).to_contain_text("Этого нет в заказе")
    scan(page, SHIRT.barcodes[0])
    expect(page.locator("#feedback")).to_have_class("feedback done")
    screenshot(page, "tsd-05a-pack-checked")
    page.get_by_role("button", name="Малая коробка").click()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "queued")
    worker()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(page, "tsd-05-printed")
    assert zebra.printed and our_order(app, external_id).status == "labelled"
