"""The supervisor's desk at 1440×900: orders, an order's page, the bin and badge sheets."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_tsd_batch import import_order
from warehouse.demo_catalogue import PRODUCTS

pytestmark = pytest.mark.browser
SHIRT = PRODUCTS[1]


def log_in(page, demo_site) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo_site.url}/login")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "admin")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{demo_site.url}/")


def test_order_page_and_sheets_with_barcodes(app, demo_site, desk_page):
    import_order(app, "WB-7001", (SHIRT.barcodes[0], 1))
    page = desk_page
    log_in(page, demo_site)
    screenshot(page, "desk-10-orders")
    page.get_by_role("link", name="WB-7001").click()
    expect(page.locator("h2").first).to_contain_text("WB-7001")
    expect(page.locator(".order-head .barcode svg")).to_be_visible()
    screenshot(page, "desk-11-order")
    page.get_by_role("link", name="Ячейки").click()
    expect(page.locator("tr.bin svg").first).to_be_visible()
    screenshot(page, "desk-12-bins")
    page.get_by_role("link", name="Бейджи").click()
    expect(page.locator(".badge-card svg")).to_have_count(2)
    screenshot(page, "desk-13-badges")


def test_printer_registry_prints_the_printers_own_code(app, demo_site, zebra, worker, desk_page):
    from tests.printers.decode import decode_all

    page = desk_page
    log_in(page, demo_site)
    page.goto(f"{demo_site.url}/printers")
    row = page.locator("tr[data-printer='PRN-001']")
    expect(row.locator(".barcode svg")).to_be_visible()
    screenshot(page, "desk-30-printers")
    row.get_by_role("button", name="Пробная этикетка").click()
    page.wait_for_url("**/print-jobs**")
    worker()
    page.reload()
    expect(page.locator("body")).to_contain_text("напечатана")
    screenshot(page, "desk-31-print-jobs")
    (label,) = zebra.wait_for_labels(1)
    assert decode_all(label) == [("Code128", "PRN-001")]  # the sticker a ТСД scans


def test_a_rows_buttons_stay_in_its_row(app, demo_site, desk_page):
    """The printers' «Проверить» … «Выключить» sat beside the table, outside their rows."""
    page = desk_page
    log_in(page, demo_site)
    page.goto(f"{demo_site.url}/printers")
    row = page.locator("tr[data-printer]").first
    cell = row.locator("td.actions")
    expect(cell).to_be_visible()
    row_box, cell_box = row.bounding_box(), cell.bounding_box()
    assert row_box and cell_box
    # a cell of the row: as tall as the row, so its border runs under the buttons too
    assert abs(cell_box["height"] - row_box["height"]) <= 1, (cell_box, row_box)
    assert cell_box["x"] + cell_box["width"] <= row_box["x"] + row_box["width"] + 1


def test_the_whole_menu_and_log_out_fit_a_1440_screen(app, demo_site, desk_page):
    page = desk_page
    log_in(page, demo_site)
    width = page.viewport_size["width"]
    for control in (
        page.get_by_role("button", name="Выйти"),
        page.locator(".top .lang button"),
        page.locator(".menu a").last,
    ):
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
