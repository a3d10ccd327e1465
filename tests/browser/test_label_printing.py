"""The supervisor prints bin labels and a product label at 1440×900 and sees them printed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.printers.decode import decode_all
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import Location

pytestmark = pytest.mark.browser
MUG = PRODUCTS[2]


def test_supervisor_prints_bin_and_product_labels(app, demo_site, zebra, worker, desk_page):
    with app.app_context():
        bins = db.session().scalars(select(Location).order_by(Location.walk_order)).all()
        first_two = [location.code for location in bins[:2]]
        codes = [location.barcode for location in bins[:2]]
    page = desk_page
    log_in(page, demo_site)
    page.get_by_role("link", name="Ячейки").click()
    for code in first_two:
        page.get_by_role("checkbox", name=code).check()
    screenshot(page, "desk-20-bin-labels-chosen")
    page.get_by_role("button", name="Печать этикеток").click()
    queued = page.locator("#label-result .queued-job")
    expect(queued).to_contain_text("этикетки ячеек")
    worker()
    expect(queued).to_have_attribute("data-print-status", "printed", timeout=10000)
    expect(queued).to_contain_text("напечатана")
    screenshot(page, "desk-21-bin-labels-printed")
    assert [decode_all(label) for label in zebra.wait_for_labels(2)] == [
        [("Code128", code)] for code in codes
    ]

    page.get_by_role("link", name="Товары").click()
    row = page.locator("tr.product", has_text=MUG.name)
    expect(row.locator("svg")).to_be_visible()
    row.get_by_label("Копий").fill("3")
    row.get_by_role("button", name="Печать").click()
    queued = page.locator("#label-result .queued-job")
    expect(queued).to_contain_text("этикетки товара")
    worker()
    expect(queued).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(page, "desk-22-product-label-printed")
    label = zebra.wait_for_labels(3)[2]
    assert decode_all(label) == [("EAN13", MUG.barcodes[0])] and b"^PQ3" in label

    queued.get_by_role("link").click()
    expect(page.locator("h2").first).to_contain_text("напечатана")
    expect(page.locator("body")).to_contain_text("Старший смены")
    screenshot(page, "desk-23-product-label-job")
