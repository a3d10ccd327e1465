"""A delivery from a МойСклад purchase order, walked on the desk (1440×900) in Chromium: the
deliveries page loads the account's open orders by itself, «Принять по заказу» opens the
delivery, whose page names the order and the position it does not expect; the list then
links the order to that delivery. МойСклад is the app's own sandbox over HTTP."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import screenshot
from tests.conftest import CREDENTIALS_KEY
from warehouse import jobs
from warehouse.accounting import accounts, assortment
from warehouse.infra import db

pytestmark = pytest.mark.browser
SHIRT, KETTLE = str(uuid.UUID(int=301)), str(uuid.UUID(int=302))


def _item(item_id: str, name: str, article: str) -> dict[str, object]:
    return {"meta": {"type": "product"}, "id": item_id, "name": name, "article": article}


def test_a_purchase_order_opens_a_delivery_on_the_desk(app, live_server, desk_page):
    sandbox = f"{live_server.url}/sandbox/moysklad"
    http = httpx.Client(timeout=10)
    http.post(f"{sandbox}/_control/reset")
    http.post(f"{sandbox}/_control/products", json={"rows": [_item(SHIRT, "Рубашка", "SH-1")]})
    with app.app_context():
        s = db.session()
        f.make_warehouse(s)
        f.make_supervisor(s, role="admin")  # an admin: the desk is set up
        account = accounts.create(
            s,
            name="МойСклад",
            base_url=f"{sandbox}/api/remap/1.2",
            token="sandbox",
            credentials_key=CREDENTIALS_KEY,
        )
        sync = assortment.start(s, account)
        s.commit()
        assert jobs.sync_assortment(sync.id) == "done"
    http.post(f"{sandbox}/_control/products", json={"rows": [_item(KETTLE, "Чайник", "KT-1")]})
    order = {
        "agent": 'ООО "Поставщик"',
        "moment": "2026-12-05 11:30:00",
        "positions": [
            {"product": SHIRT, "quantity": 4, "price": 90_000.0},
            {"product": KETTLE, "quantity": 1, "price": 150_000.0},
        ],
    }
    http.post(f"{sandbox}/_control/purchaseorders", json={"rows": [order]}).raise_for_status()

    page = desk_page
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=login]", "boss")
    page.fill("input[name=password]", "boss")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/receipts")
    row = page.locator("tr.purchase-order")
    expect(row).to_contain_text("00001")  # loaded by htmx once the page opened
    expect(row).to_contain_text('ООО "Поставщик"')
    expect(row).to_contain_text("05.12.2026")
    screenshot(page, "desk-purchase-orders")
    row.get_by_role("button", name="Принять по заказу").click()

    expect(page.locator("h2").first).to_contain_text("по заказу поставщику №00001")
    expect(page.locator(".order-refusals")).to_contain_text("Позиция 2: Чайник (KT-1), 1")
    expect(page.locator("tr.line")).to_contain_text(["SH-1"])
    screenshot(page, "desk-receipt-from-purchase-order")
    page.goto(f"{live_server.url}/receipts")
    expect(page.locator("tr.purchase-order")).to_contain_text("Поставка №")
    expect(page.get_by_role("button", name="Принять по заказу")).to_have_count(0)
