"""Issue 13 items 2 and 3 in Chromium: the desk (1440×900) builds a wave by rule (zone B)
after a preview and gives it to Анна; her terminal (480×800) gets that task from
«Следующее задание» before more urgent free orders and picks it; the desk's live shift,
never reloaded, shows the progress, where she stands and the burn-down moving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import due_in, screenshot
from tests.browser.test_desk import log_in
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import MarketplaceAccount, Order, Wave
from warehouse.orders import intake

pytestmark = pytest.mark.browser
WHITE_SHIRT, MUG, SOCKS, CABLE = PRODUCTS[1], PRODUCTS[2], PRODUCTS[3], PRODUCTS[4]
POLL = 25_000  # ms: a fragment polls every 10 s


def import_orders(app) -> None:
    """W-1 (socks and a cable, zone B) due latest; W-2 and W-3 (zone A) more urgent."""
    now = datetime.now(UTC)
    orders = (
        ("W-1", due_in(now, 50), (SOCKS, CABLE)),
        ("W-2", due_in(now, 30), (MUG,)),
        ("W-3", due_in(now, 40), (WHITE_SHIRT,)),
    )
    with app.app_context():
        session = db.session()
        account = session.scalar(select(MarketplaceAccount))
        incoming = [
            IncomingOrder(
                external_id=number,
                status="new",
                created_at=datetime.now(UTC) - timedelta(minutes=5),
                ship_by=ship_by,
                lines=tuple(IncomingLine((p.barcodes[0],), "", 1) for p in products),
            )
            for number, ship_by, products in orders
        ]
        intake.import_orders(session, account, incoming)
        session.commit()


def scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    """A wedge scanner types into the focused field: the page's scan field, once loaded (a
    busy machine may still be loading the page the last step opened)."""
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


@pytest.fixture
def two_screens(browser):  # type: ignore[no-untyped-def]
    """The desk (1440×900) and a terminal (480×800), two browser contexts: two people."""
    contexts = [
        browser.new_context(viewport={"width": w, "height": h}, locale="ru-RU")
        for w, h in ((1440, 900), (480, 800))
    ]
    yield [context.new_page() for context in contexts]
    for context in contexts:
        context.close()


def test_a_wave_by_rule_assigned_picked_and_watched_live(app, demo_site, two_screens):
    import_orders(app)
    desk, tsd = two_screens
    log_in(desk, demo_site)
    desk.locator("nav.menu").get_by_role("link", name="Волны", exact=True).click()
    expect(desk.locator("#build")).to_contain_text("Заказы к сборке вне волн: 3")
    desk.locator(".free-orders summary").click()
    expect(desk.locator(".free-orders tr")).to_have_count(4)  # a head and three orders
    desk.select_option("select[name=marketplace]", "wb")
    desk.select_option("select[name=zone]", "B")
    desk.get_by_role("button", name="Просмотр").click()
    preview = desk.locator("#wave-preview")
    expect(preview).to_contain_text("Заказов — 1, единиц сборки — 1")
    expect(preview).to_contain_text("WB W-1")
    expect(preview).not_to_contain_text("W-2")
    screenshot(desk, "desk-90-wave-preview")
    desk.get_by_role("button", name="Создать волну").click()
    expect(desk.locator(".banner.notice")).to_contain_text("заказов — 1, единиц сборки — 1")
    expect(desk.locator("#wave")).to_contain_text("зона B")
    desk.select_option(".assign-wave select[name=picker_id]", label="Анна Сборщица")
    desk.locator(".assign-wave").get_by_role("button", name="Назначить").click()
    expect(desk.locator(".banner.notice")).to_contain_text("назначены сборщику Анна Сборщица")
    expect(desk.locator("#units")).to_contain_text("назначено")
    screenshot(desk, "desk-91-wave-assigned")

    desk.locator("nav.menu").get_by_role("link", name="Смена", exact=True).click()
    expect(desk.locator("#live-work")).to_contain_text("Волна")
    expect(desk.locator("#left-to-pick")).to_have_text("3")
    screenshot(desk, "desk-92-live-before")

    tsd.goto(f"{demo_site.url}/tsd/login")
    scan(tsd, "PICKER-001")
    tsd.wait_for_url("**/tsd/")
    expect(tsd.locator("#task-list")).to_contain_text("назначено вам")
    screenshot(tsd, "tsd-90-assigned-task")
    tsd.get_by_role("button", name="Следующее задание").click()
    expect(tsd.locator(".order-ref")).to_contain_text("W-1")  # hers, though W-2 is due sooner
    scan(tsd, f"LOC-{SOCKS.bin}")
    scan(tsd, SOCKS.barcodes[0])
    expect(tsd.locator("#instruction .where")).to_have_text(CABLE.bin)
    screenshot(tsd, "tsd-91-wave-task-half")

    unit = desk.locator("#live-work tr.unit.picking")
    expect(unit).to_contain_text("1 / 2", timeout=POLL)
    expect(unit.locator(".bin")).to_have_text(CABLE.bin)
    anna = desk.locator('#live-pickers tr[data-picker="Анна Сборщица"]')
    expect(anna.locator(".bin")).to_have_text(CABLE.bin, timeout=POLL)
    screenshot(desk, "desk-93-live-picking")

    scan(tsd, f"LOC-{CABLE.bin}")
    scan(tsd, CABLE.barcodes[0])
    expect(tsd.locator("#feedback")).to_have_class("feedback done")
    screenshot(tsd, "tsd-92-wave-task-done")

    expect(desk.locator("#left-to-pick")).to_have_text("2", timeout=POLL)
    expect(desk.locator("#live-work tr.unit.done")).to_contain_text("2 / 2", timeout=POLL)
    expect(desk.locator("#live-work")).to_contain_text("собрана")
    bar = desk.locator('#live-pickers rect.bar[data-picker="Анна Сборщица"]')
    expect(bar).to_have_count(1, timeout=POLL)
    assert desk.locator("polyline.series.to_pick").get_attribute("data-values").endswith(" 2")
    screenshot(desk, "desk-94-live-done")
    desk.locator("nav.menu").get_by_role("link", name="Волны", exact=True).click()
    with app.app_context():  # PostgreSQL's ids run on between tests: ask, do not assume 1
        wave_id = db.session().scalar(select(Wave.id))
    expect(desk.locator(f"#wave-{wave_id}")).to_contain_text("собрана")
    expect(desk.locator(f"#wave-{wave_id}")).to_contain_text("2 / 2")
    screenshot(desk, "desk-95-waves-list")
    with app.app_context():
        rows = db.session().execute(select(Order.external_id, Order.status))
        statuses = {number: status for number, status in rows}
    assert statuses == {"W-1": "picked", "W-2": "reserved", "W-3": "reserved"}
