"""The stock page and the alerts page at 1440×900: levels against the minimum (a product
below it in red, goods in the receiving area in transit), the WB cabinet's cards and its
last push, one product bin by bin; the Telegram bot set, tested, and a low-stock alert
sent to the fake Bot API."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.browser.test_tsd_batch import import_order
from tests.telegram_fake import CHAT, TOKEN
from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import Location, MarketplaceAccount, Product, Warehouse
from warehouse.stock import ledger, receiving

pytestmark = pytest.mark.browser
SHIRT, MUG = PRODUCTS[1], PRODUCTS[2]


def _stock_to_show(app) -> None:
    """Zones by the bins' first letter, the white shirt's minimum above its 500 units, 24
    mugs waiting in the receiving area, the WB cabinet's cards linked and pushed."""
    with app.app_context():
        s = db.session()
        for location in s.scalars(select(Location)):
            location.zone = location.code[0]
        shirt = s.scalar(select(Product).where(Product.article == SHIRT.article))
        mug = s.scalar(select(Product).where(Product.article == MUG.article))
        assert shirt is not None and mug is not None
        shirt.min_stock, mug.min_stock = 600, 100
        dock = receiving.receiving_bin(s, s.scalars(select(Warehouse)).one())
        ledger.move(s, ledger.stock_of(s, mug.id, dock.id), 24, "receipt", document="t", user=None)
        s.commit()
        jobs.import_cards(s.scalars(select(MarketplaceAccount)).one().id)


def test_stock_page_and_alerts_at_1440(app, demo_site, telegram, worker, desk_page):
    _stock_to_show(app)
    worker()  # the push reaches the WB sandbox
    import_order(app, "WB-7301", (SHIRT.barcodes[0], 2))
    page = desk_page
    log_in(page, demo_site)
    page.get_by_role("link", name="Остатки", exact=True).click()
    shirt = page.locator(f"tr.product[data-article='{SHIRT.article}']")
    expect(shirt).to_have_class("product below")
    expect(shirt.locator("td.free")).to_have_text("498")
    expect(page.locator(f"tr.product[data-article='{MUG.article}'] td.num").nth(3)).to_have_text(
        "24"
    )  # in transit
    # the order's reservation queued the next push (sent a few seconds later); the
    # cards' push made with the card import reached WB
    expect(page.locator("tr.push .push-state")).to_contain_text("Ждёт отправки")
    expect(page.locator("tr.push .push-done")).not_to_have_text("—")
    screenshot(page, "desk-40-stock")

    page.select_option("select[name=account]", label="WB · WB песочница")
    page.get_by_role("button", name="Показать").click()
    expect(shirt.locator(".waiting")).to_have_text("498")  # the order's 2 not pushed yet
    screenshot(page, "desk-41-stock-cabinet")

    page.check("input[name=below]")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("tr.product")).to_have_count(1)
    page.locator("tr.product a").click()
    expect(page.locator("h2").first).to_contain_text(SHIRT.name)
    expect(page.locator("dd.error")).to_contain_text("ниже минимума")
    screenshot(page, "desk-42-stock-product")

    page.get_by_role("link", name="Оповещения").click()
    page.fill("input[name=token]", TOKEN)
    page.fill("input[name=chat_id]", CHAT)
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".banner.notice")).to_have_text("Сохранено")
    page.get_by_role("button", name="Отправить тестовое сообщение").click()
    expect(page.locator("#bot-test")).to_contain_text("Отправлено")
    with app.app_context():
        jobs.check_alerts()
    worker()
    page.reload()
    expect(page.locator("tr.alert.sent")).to_have_count(1)
    screenshot(page, "desk-43-alerts")
    assert telegram.texts()[1] == (
        f"⚠️ Мало товара: {SHIRT.name} ({SHIRT.article}) — свободно 498, минимум 600"
    )


def test_fbo_stock_read_from_the_marketplaces_at_1440(app, live_server, zebra, worker, desk_page):
    """Every cabinet's FBO panel; «Прочитать сейчас» reads WB's and Ozon's report (the
    sandboxes' demo amounts) through the worker and they show beside our stock."""
    from tests.conftest import load_demo

    site = load_demo(app, live_server, zebra, ("wb", "ozon", "megamarket"))
    page = desk_page
    log_in(page, site)
    page.goto(f"{site.url}/stock/#fbo")
    panel = page.locator("#fbo")
    expect(panel).to_contain_text("ещё не читали")
    expect(panel.locator("tr.fbo-source").nth(2)).to_contain_text("API маркетплейса не отдаёт")
    for n in range(2):
        panel.locator("tr.fbo-source").nth(n).get_by_role("button", name="Прочитать сейчас").click()
        expect(page.locator(".banner")).to_contain_text("Читаем остатки FBO")
    worker()
    page.reload()
    wb = panel.locator("tr.fbo-source").nth(0)
    expect(wb).to_contain_text("Коледино")
    expect(panel.locator("tr.fbo-source").nth(1)).to_contain_text("ХОРУГВИНО_РФЦ")
    expect(wb.locator(".fbo-read")).not_to_contain_text("ещё не читали")
    # the demo's first article: 3 units at WB's Коледино and 3 at Ozon's ХОРУГВИНО_РФЦ
    first = page.locator(f"tr.product[data-article='{PRODUCTS[0].article}'] td.fbo")
    expect(first).to_have_text("6")
    screenshot(page, "desk-42-stock-fbo")
    page.locator(f"tr.product[data-article='{PRODUCTS[0].article}'] a").click()
    expect(page.locator("table.stock-fbo")).to_contain_text("Коледино")
    screenshot(page, "desk-43-stock-product-fbo")
