"""A count at 480×800: the desk opens it, the ТСД counts a bin blind, is asked for a
recount, recounts, and the desk approves (#12 item 6)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.browser.test_tsd_scanning import feedback, scan
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import Location, Stock, StockMove
from warehouse.stock import ledger

pytestmark = pytest.mark.browser
MUG = PRODUCTS[2]


def test_a_bin_counted_blind_recounted_and_approved(app, demo_site, tsd_page, desk_page):
    desk = desk_page
    log_in(desk, demo_site)
    desk.goto(f"{demo_site.url}/counts")
    desk.select_option("select[name=kind]", "bins")
    desk.fill("input[name=scope]", MUG.bin)
    desk.get_by_role("button", name="Открыть").click()
    desk.wait_for_url("**/counts/*")

    page = tsd_page
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.get_by_role("link", name="Инвентаризация (пересчёт)").click()
    page.locator("a.count").first.click()
    expect(feedback(page)).to_contain_text("Инвентаризация: отсканируйте ячейку")
    scan(page, "LOC-NOPE-1")
    expect(feedback(page)).to_have_class("feedback err")
    scan(page, f"LOC-{MUG.bin}")
    expect(feedback(page)).to_contain_text(f"Ячейка {MUG.bin}: отсканируйте каждую")
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_contain_text(f"{MUG.name}: 1")
    scan(page, f"LOC-{MUG.bin}")
    expect(feedback(page)).to_contain_text("не сходится: пересчитайте")
    expect(feedback(page)).to_have_class("feedback err")
    screenshot(page, "tsd-count-1-recount")
    scan(page, f"LOC-{MUG.bin}")
    scan(page, MUG.barcodes[0])
    scan(page, "3")
    expect(feedback(page)).to_contain_text(f"{MUG.name}: 3")
    scan(page, f"LOC-{MUG.bin}")
    expect(feedback(page)).to_contain_text("Все ячейки посчитаны")
    screenshot(page, "tsd-count-2-done")

    desk.reload()
    expect(desk.locator("tr.count-line.differs")).to_have_count(1)
    desk.get_by_role("button", name="Утвердить").click()
    expect(desk.locator(".banner.notice")).to_contain_text("Пересчёт утверждён")
    screenshot(desk, "desk-count-approved")
    with app.app_context():
        session = db.session()
        stock = session.scalar(select(Stock).join(Location).where(Location.code == MUG.bin))
        assert stock.on_hand == max(3, stock.reserved)
        assert session.scalar(select(StockMove.id).where(StockMove.reason == "count"))
        assert ledger.disagreements(session) == []
