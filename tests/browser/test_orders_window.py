"""The orders window at 1440×900: filter, search, page forward, an order's history."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import MarketplaceAccount, Order, PickTask, User
from warehouse.orders import intake

pytestmark = pytest.mark.browser
SHIRT, MUG = PRODUCTS[1], PRODUCTS[2]


def _orders(app) -> None:  # type: ignore[no-untyped-def]
    """24 orders: two late, two due within the hour, the rest over the next days; one
    of them picked a little (its history has scans)."""
    now = datetime.now(UTC)
    deadlines = [now - timedelta(hours=3), now - timedelta(minutes=40)]
    deadlines += [now + timedelta(minutes=50), now + timedelta(hours=1)]
    deadlines += [now + timedelta(hours=6 * n) for n in range(1, 21)]
    with app.app_context():
        session = db.session()
        account = session.scalar(select(MarketplaceAccount))
        batch = [
            IncomingOrder(
                external_id=f"WB-{9000 + n}",
                status="new",
                created_at=now,
                lines=(
                    IncomingLine((SHIRT.barcodes[0],), "", 1),
                    IncomingLine((MUG.barcodes[0],), "", 1 + n % 2),
                ),
                group_id=f"cart-{n // 2}",
                ship_by=deadline,
            )
            for n, deadline in enumerate(deadlines)
        ]
        intake.import_orders(session, account, batch)
        order = session.scalar(select(Order).where(Order.external_id == "WB-9000"))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        picking.start_task(session, task.id, picker)
        picking.record_scan(session, task.id, "LOC-NOWHERE", "b1", picker)
        session.commit()


def test_filter_search_page_forward_and_open_a_history(app, demo_site, desk_page):
    app.config["ORDERS_PAGE_SIZE"] = 10
    _orders(app)
    page = desk_page
    log_in(page, demo_site)
    rows = page.locator("#orders tr.order-row")
    expect(rows).to_have_count(10)
    expect(rows.first).to_contain_text("WB-9000")
    expect(page.locator("tr.order-row.late")).to_have_count(2)
    expect(page.locator("tr.order-row.late").first).to_contain_text("просрочен на")
    expect(page.locator("tr.order-row.at-risk")).to_have_count(2)
    expect(page.locator("tr.order-row.at-risk").first).to_contain_text("осталось")
    screenshot(page, "desk-40-orders-window")

    page.select_option("select[name=problem]", "late")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(f"{demo_site.url}/?problem=late")
    screenshot(page, "desk-41-orders-late")

    page.select_option("select[name=problem]", "")
    page.fill("#order-search", "cart-3")  # a buyer's cart: two orders
    expect(rows).to_have_count(2)
    expect(page).to_have_url(f"{demo_site.url}/?q=cart-3")
    page.wait_for_timeout(6000)  # the list refreshes itself every 5 s: what is typed stays
    expect(page.locator("#order-search")).to_have_value("cart-3")
    expect(rows).to_have_count(2)
    screenshot(page, "desk-42-orders-search")

    page.get_by_role("link", name="Сбросить").click()
    expect(rows).to_have_count(10)
    first_page = rows.all_inner_texts()
    page.get_by_role("link", name="Дальше").click()
    expect(page).to_have_url(re.compile(r"/\?after=\w+$"))
    expect(rows).to_have_count(10)
    second_page = rows.all_inner_texts()
    assert not set(first_page) & set(second_page)
    page.get_by_role("link", name="Дальше").click()
    expect(rows).to_have_count(4)
    expect(page.get_by_role("link", name="Дальше")).to_have_count(0)
    screenshot(page, "desk-43-orders-last-page")

    page.get_by_role("link", name="Первая страница").click()
    expect(rows.first).to_contain_text("WB-9000")
    page.get_by_role("link", name="WB-9000").click()
    history = page.locator("#timeline")
    expect(history).to_contain_text("Заказ получен от маркетплейса")
    expect(history).to_contain_text("Статус: зарезервирован → в сборке")
    expect(history.locator("tr.event.kind-scan.trouble")).to_contain_text("LOC-NOWHERE")
    history.scroll_into_view_if_needed()
    screenshot(page, "desk-44-order-history")
