"""The picker's terminal under stress: refusals, marking codes, short picks, fast scans,
and Wi-Fi dropping in the aisle. Real Chromium at 480×800, scans typed like a wedge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import MarketplaceAccount, Order, PickItem, PickTask, ScanEvent
from warehouse.orders import intake

pytestmark = pytest.mark.browser
SHIRT_MARKED, MUG, SOCKS = PRODUCTS[0], PRODUCTS[2], PRODUCTS[3]
GS = "~"  # what the scanners are set to send for GS


def order_of(app, *lines: tuple[str, int]) -> int:
    """An order straight into the warehouse (as the import job would put it); its task id."""
    with app.app_context():
        session = db.session()
        account = session.scalar(select(MarketplaceAccount))
        incoming = IncomingOrder(
            external_id=f"T-{datetime.now(UTC).timestamp()}",
            status="new",
            created_at=datetime.now(UTC),
            lines=tuple(IncomingLine((barcode,), "", qty) for barcode, qty in lines),
        )
        intake.import_orders(session, account, [incoming])
        session.commit()
        order = session.scalar(select(Order).where(Order.external_id == incoming.external_id))
        return session.scalar(select(PickTask.id).where(PickTask.order_id == order.id))


def open_task(page, site, task_id: int) -> None:
    page.goto(f"{site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.goto(f"{site.url}/tsd/tasks/{task_id}")
    page.evaluate("localStorage.clear()")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    started = page.request.post(
        f"{site.url}/tsd/tasks/{task_id}/start", headers={"X-CSRFToken": token or ""}
    )
    assert started.ok
    page.goto(f"{site.url}/tsd/tasks/{task_id}")


def scan(page, code: str) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def feedback(page):
    return page.locator("#feedback")


def picked(app, task_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session().scalars(
                select(PickItem.picked).where(PickItem.task_id == task_id).order_by(PickItem.id)
            )
        )


def test_refusals_are_loud_and_count_nothing(app, demo_site, tsd_page):
    task_id = order_of(app, (MUG.barcodes[0], 1))
    page = tsd_page
    open_task(page, demo_site, task_id)
    scan(page, f"LOC-{MUG.bin}")
    expect(feedback(page)).to_have_class("feedback ok")
    scan(page, "2999999999999")
    expect(feedback(page)).to_have_class("feedback err")
    expect(feedback(page)).to_contain_text("Неизвестный штрихкод")
    screenshot(page, "tsd-10-unknown-code")
    scan(page, SOCKS.barcodes[0])
    expect(feedback(page)).to_contain_text("Не тот товар: Носки, 3 пары")
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_have_class("feedback done")
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_have_class("feedback err")
    screenshot(page, "tsd-11-after-done")
    assert picked(app, task_id) == [1]


def test_over_pick_refused(app, demo_site, tsd_page):
    task_id = order_of(app, (MUG.barcodes[0], 2))
    page = tsd_page
    open_task(page, demo_site, task_id)
    scan(page, f"LOC-{MUG.bin}")
    scan(page, MUG.barcodes[0])
    expect(page.locator("#instruction .take")).to_have_text("1")
    with app.app_context():  # a pack barcode of 3 mugs
        from warehouse.models import Product, ProductBarcode

        mug = db.session().scalar(select(Product).where(Product.article == MUG.article))
        db.session().add(ProductBarcode(product_id=mug.id, barcode="14607001234569", quantity=3))
        db.session().commit()
    scan(page, "14607001234569")
    expect(feedback(page)).to_contain_text("Лишний: осталось взять только 1")
    screenshot(page, "tsd-12-over-pick")
    assert picked(app, task_id) == [1]


def test_marking_codes_one_bad_one_duplicate(app, demo_site, tsd_page):
    task_id = order_of(app, (SHIRT_MARKED.barcodes[0], 2))
    page = tsd_page
    open_task(page, demo_site, task_id)
    gtin = "0" + SHIRT_MARKED.barcodes[0]
    good = f"01{gtin}21AAAAABBBBB001{GS}91EE06{GS}92{'x' * 44}"
    scan(page, f"LOC-{SHIRT_MARKED.bin}")
    scan(page, SHIRT_MARKED.barcodes[0])
    expect(feedback(page)).to_contain_text("Отсканируйте код Честного знака")
    scan(page, f"01{gtin[:-1]}0" + "21AAAAABBBBB002")
    expect(feedback(page)).to_contain_text("неверная контрольная цифра")
    screenshot(page, "tsd-13-marking-bad")
    scan(page, good)
    expect(feedback(page)).to_have_class("feedback ok")
    scan(page, good)
    expect(feedback(page)).to_contain_text("уже использован")
    screenshot(page, "tsd-14-marking-duplicate")
    scan(page, f"01{gtin}21AAAAABBBBB003{GS}93abcd")
    expect(feedback(page)).to_have_class("feedback done")
    assert picked(app, task_id) == [2]


def test_short_pick_from_the_terminal(app, demo_site, tsd_page):
    task_id = order_of(app, (SOCKS.barcodes[0], 2))
    page = tsd_page
    open_task(page, demo_site, task_id)
    scan(page, f"LOC-{SOCKS.bin}")
    scan(page, SOCKS.barcodes[0])
    expect(feedback(page)).to_contain_text("1 из 2")  # the answer is in before the button
    page.get_by_text("Нет товара").click()
    screenshot(page, "tsd-15-short-reasons")
    page.get_by_role("button", name="Нет в ячейке").click()
    expect(feedback(page)).to_contain_text("Не хватает: Носки, 3 пары × 1")
    expect(feedback(page)).to_have_class("feedback warn")  # not «Всё собрано» in green
    screenshot(page, "tsd-16-short-reported")
    with app.app_context():
        order = db.session().scalar(select(Order).join(PickTask).where(PickTask.id == task_id))
        assert order.status == "awaiting_stock"


def test_twenty_fast_scans_counted_once_each_in_order(app, demo_site, tsd_page):
    task_id = order_of(app, (MUG.barcodes[0], 19))
    page = tsd_page
    open_task(page, demo_site, task_id)
    codes = [f"LOC-{MUG.bin}"] + [MUG.barcodes[0]] * 19
    # a wedge scanner types a whole code and Enter in milliseconds: do the same in the page
    typed_ms = page.evaluate(
        """codes => {
            const field = document.getElementById("scan");
            const started = performance.now();
            for (const code of codes) {
                field.value = code;
                field.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true}));
            }
            return performance.now() - started;
        }""",
        codes,
    )
    expect(feedback(page)).to_have_class("feedback done", timeout=15000)
    with app.app_context():
        events = (
            db.session()
            .scalars(select(ScanEvent).where(ScanEvent.task_id == task_id).order_by(ScanEvent.id))
            .all()
        )
    assert [e.barcode for e in events] == codes  # each once, in the order typed
    assert all(e.ok for e in events)
    assert picked(app, task_id) == [19]
    report("fast-scans", f"20 scans typed in {typed_ms:.0f} ms, all counted once, in order")


def test_network_drop_keeps_scans_and_delivers_them_once(app, demo_site, tsd_page):
    task_id = order_of(app, (MUG.barcodes[0], 3))
    page = tsd_page
    open_task(page, demo_site, task_id)
    page.route("**/scan", lambda route: route.abort("internetdisconnected"))
    for code in (f"LOC-{MUG.bin}", MUG.barcodes[0], MUG.barcodes[0]):
        scan(page, code)
    expect(page.locator("#net")).to_contain_text("Нет связи")
    expect(page.locator("#net")).to_contain_text("3")
    screenshot(page, "tsd-17-offline")
    page.reload()  # the battery swap: the waiting scans survive in the page's storage
    expect(page.locator("#net")).to_contain_text("Нет связи")
    page.unroute("**/scan")
    expect(page.locator("#net")).to_be_hidden(timeout=10000)
    with app.app_context():
        count = len(
            db.session().scalars(select(ScanEvent).where(ScanEvent.task_id == task_id)).all()
        )
    assert count == 3 and picked(app, task_id) == [2]
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_have_class("feedback done")
    screenshot(page, "tsd-18-back-online")


def report(name: str, line: str) -> None:
    from tests.browser.conftest import ARTIFACTS

    path = ARTIFACTS.parent / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(line + "\n")
