"""A delivery walked on a real ТСД screen (Chromium, 480×800, scans typed like a wedge):
the desk (1440×900) opens it from an XLSX list; one product comes short, another is a
surplus; put-away to the suggested bin makes a waiting order pickable."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories as f
from tests.browser.conftest import screenshot
from warehouse.infra import db
from warehouse.models import Order, ReceiptLine
from warehouse.stock import ledger

pytestmark = pytest.mark.browser
MUG, CUP = "4607001234562", "4600000000017"


def _xlsx() -> bytes:
    book = Workbook()
    for row in (("Артикул", "Количество"), ("MUG-1", 3), ("CUP-1", 1)):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def scan(page, code: str) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_receive_then_put_away_makes_a_waiting_order_pickable(
    app, live_server, tsd_page, desk_page
):
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        f.make_product(s, "Кружка", MUG, article="MUG-1")
        f.make_product(s, "Чашка", CUP, article="CUP-1")
        f.make_location(s, warehouse, "A-01", walk=1)
        f.make_picker(s)
        f.make_supervisor(s, role="admin")
        f.import_order(s, account, "o-1", (MUG, 2))
        s.commit()

    desk = desk_page
    desk.goto(f"{live_server.url}/login")
    desk.fill("input[name=login]", "boss")
    desk.fill("input[name=password]", "boss")
    desk.press("input[name=password]", "Enter")
    desk.goto(f"{live_server.url}/receipts")
    desk.fill("input[name=supplier]", "Посуда ООО")
    desk.set_input_files(
        "input[name=file]",
        {"name": "list.xlsx", "mimeType": "application/octet-stream", "buffer": _xlsx()},
    )
    desk.click("button:has-text('Открыть поставку')")
    expect(desk.locator("h2")).to_contain_text("Посуда ООО")

    page = tsd_page
    page.goto(f"{live_server.url}/tsd/login")
    scan(page, "B-1")
    page.wait_for_url("**/tsd/")
    page.click("text=Приёмка поставки")
    page.click("text=Посуда ООО")
    page.wait_for_url("**/tsd/receiving/*")
    page.wait_for_load_state("load")  # tsd.js holds the scan form from here on
    page.locator("#scan").focus()
    scan(page, "4")
    expect(page.locator("#feedback")).to_contain_text("Количество 4")
    scan(page, MUG)
    expect(page.locator("#feedback")).to_contain_text("ИЗЛИШЕК: Кружка 4, ожидалось 3")
    expect(page.locator("#feedback")).to_have_class("feedback ok")
    scan(page, "2999999999999")
    expect(page.locator("#feedback")).to_have_class("feedback err")
    expect(page.locator("#feedback")).to_contain_text("Неизвестный штрихкод 2999999999999")
    screenshot(page, "tsd-receiving-refused")
    with app.app_context():
        assert (
            db.session().scalar(select(ReceiptLine.received).where(ReceiptLine.received > 0)) == 4
        )

    desk.reload()
    expect(desk.locator("tr.surplus .difference")).to_have_text("+1")
    expect(desk.locator("tr.shortage .difference")).to_have_text("-1")
    expect(desk.locator(".warning")).to_contain_text("строк 2")
    screenshot(desk, "desk-receipt-difference")
    desk.click("button:has-text('Закрыть поставку')")
    expect(desk.locator("h2")).to_contain_text("закрыта")

    page.goto(f"{live_server.url}/tsd/")
    page.click("text=Размещение из приёмки")
    page.wait_for_url("**/tsd/put-away")
    page.wait_for_load_state("load")
    page.locator("#scan").focus()
    scan(page, MUG)
    expect(page.locator("#feedback")).to_contain_text("Отнесите в ячейку A-01")
    scan(page, "3")
    expect(page.locator("#feedback")).to_contain_text("Кружка × 3")
    screenshot(page, "tsd-put-away-suggested")
    scan(page, "LOC-A-01")
    expect(page.locator("#feedback")).to_contain_text("Размещено: Кружка × 3 в A-01")
    expect(page.locator("#feedback")).to_contain_text("Заказов можно собирать: 1")
    expect(page.locator("#feedback")).to_have_class("feedback done")
    screenshot(page, "tsd-put-away-done")
    with app.app_context():
        s = db.session()
        assert s.scalar(select(Order.status)) == "reserved"
        assert ledger.disagreements(s) == []
