"""A pack station's desktop (1440×900, USB scanner, a Zebra beside it): scan, check, print."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.test_end_to_end import import_now, our_order, sandbox_order
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.models import PickTask, Printer, User

pytestmark = pytest.mark.browser
SHIRT = PRODUCTS[1]


def scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    """A wedge scanner types into the focused field: the page's scan field, once loaded (a
    busy machine may still be loading the page the last scan opened)."""
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def pick_on_the_books(app, external_id: str) -> None:
    """The order was picked on a terminal (the terminal's own tests cover that)."""
    with app.app_context():
        session = db.session()
        picker = session.scalar(select(User).where(User.badge == "PICKER-002"))
        task = session.scalar(
            select(PickTask).join(PickTask.order).where(PickTask.order.has(external_id=external_id))
        )
        picking.start_task(session, task.id, picker)
        for n, code in enumerate((f"LOC-{SHIRT.bin}", SHIRT.barcodes[0])):
            assert picking.record_scan(session, task.id, code, f"desk-{n}", picker).ok
        session.commit()


def test_pack_station_on_a_desktop(app, demo_site, zebra, worker, desk_page):
    external_id = sandbox_order(demo_site)
    import_now(app, worker)
    pick_on_the_books(app, external_id)
    page = desk_page
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.get_by_role("link", name="Упаковка: сканировать заказ").click()
    expect(page.locator("#scan")).to_be_focused()
    scan(page, "NO-SUCH-ORDER")
    expect(page.locator("body")).to_contain_text("Нет собранного заказа NO-SUCH-ORDER")
    scan(page, external_id)
    page.wait_for_url("**/tsd/tasks/*/pack")
    items, pack = page.locator("#pack-items").bounding_box(), page.locator("#pack").bounding_box()
    assert items and pack and pack["x"] > items["x"] + items["width"]  # side by side
    scan(page, SHIRT.barcodes[0])
    expect(page.locator("#feedback")).to_have_class("feedback done")
    screenshot(page, "desk-01-pack-station-checked")
    page.get_by_role("button", name="Малая коробка").click()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "queued")
    worker()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(page, "desk-02-pack-station-printed")
    assert zebra.printed and our_order(app, external_id).status == "labelled"


def test_a_packer_at_a_terminal_opens_the_order_by_scanning_its_product(
    app, demo_site, zebra, worker, tsd_page
):
    """The single-order flow prints nothing to scan: the product itself finds its order."""
    external_id = sandbox_order(demo_site)
    import_now(app, worker)
    pick_on_the_books(app, external_id)
    page = tsd_page
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.get_by_role("link", name="Упаковка: сканировать заказ").click()
    expect(page.locator("h1")).to_have_text("Сканируйте заказ, стикер маркетплейса, тару или товар")
    expect(page.locator("#scan")).to_be_focused()
    screenshot(page, "tsd-40-pack-station-what-to-scan")
    scan(page, SHIRT.barcodes[0])  # the unit in the packer's hand
    page.wait_for_url("**/tsd/tasks/*/pack?*")
    expect(page.locator(".found-by")).to_contain_text(
        f"Найден по товару: заказ {external_id}, самый срочный"
    )
    screenshot(page, "tsd-41-pack-found-by-product")
    scan(page, SHIRT.barcodes[0])  # checked into the package
    expect(page.locator("#feedback")).to_have_class("feedback done")
    page.get_by_role("button", name="Малая коробка").click()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "queued")
    worker()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(page, "tsd-42-pack-found-by-product-printed")
    assert zebra.printed and our_order(app, external_id).status == "labelled"
    page.goto(f"{demo_site.url}/tsd/pack")
    scan(page, SHIRT.barcodes[0])  # nothing of it waits any more: said, not a 500
    expect(page.locator("#feedback")).to_have_class("feedback err")
    expect(page.locator("#feedback")).to_contain_text("Нет собранного заказа с товаром")
    screenshot(page, "tsd-43-pack-product-nothing-waits")


def test_a_label_that_does_not_fit_the_scanned_printer_is_refused_and_another_offered(
    app, demo_site, zebra, worker, tsd_page
):
    """The ТСД prints on a printer with smaller labels than the marketplace's: it says so
    in red and offers the printer that has them, never printing silently."""
    external_id = sandbox_order(demo_site)
    import_now(app, worker)
    pick_on_the_books(app, external_id)
    with app.app_context():
        session = db.session()
        small = session.scalar(select(Printer).where(Printer.code == "PRN-001"))
        small.label_width_mm, small.label_height_mm = 40, 30
        session.add(
            Printer(
                warehouse_id=small.warehouse_id,
                name="Zebra-58",
                code="PRN-058",
                host=small.host,
                port=small.port,
                station="PACK-1",
            )
        )
        session.commit()
    page = tsd_page
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.goto(f"{demo_site.url}/tsd/pack")
    scan(page, "PRN-001")  # this terminal prints on the 40×30 printer
    expect(page.locator("#station-printer")).to_contain_text("Zebra-1")
    scan(page, external_id)
    page.wait_for_url("**/tsd/tasks/*/pack")
    scan(page, SHIRT.barcodes[0])
    refusal = page.locator("#pack .refusal")
    expect(refusal).to_contain_text("Этикетка 58×40 мм, а в принтере Zebra-1 этикетки 40×30 мм")
    expect(page.get_by_role("button", name="Малая коробка")).to_have_count(0)
    screenshot(page, "tsd-44-pack-label-does-not-fit")
    page.get_by_role("button", name="Печатать на Zebra-58 (58×40 мм)").click()
    page.get_by_role("button", name="Малая коробка").click()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "queued")
    worker()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "printed", timeout=10000)
    expect(page.locator("#pack")).to_contain_text("Zebra-58")
    screenshot(page, "tsd-45-pack-printed-on-the-fitting-printer")
