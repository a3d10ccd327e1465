"""Batch picking on a 480×800 terminal: two orders on one cart, a tote each, one wrong tote."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import MarketplaceAccount, Order, PickTask
from warehouse.orders import intake

pytestmark = pytest.mark.browser
MUG, SOCKS = PRODUCTS[2], PRODUCTS[3]  # bins A-02-01, then B-01-01 on the walk


def import_order(app, external_id: str, *lines: tuple[str, int]) -> None:
    with app.app_context():
        session = db.session()
        account = session.scalar(select(MarketplaceAccount))
        incoming = IncomingOrder(
            external_id=external_id,
            status="new",
            created_at=datetime.now(UTC),
            lines=tuple(IncomingLine((barcode,), "", qty) for barcode, qty in lines),
        )
        intake.import_orders(session, account, [incoming])
        session.commit()


def scan(page, code: str) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def expect_answer(page, css: str, text: str) -> None:
    expect(page.locator("#feedback")).to_have_class(f"feedback {css}")
    expect(page.locator("#feedback")).to_contain_text(text)


def start_batch(page, demo_site):  # type: ignore[no-untyped-def]
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.get_by_role("button", name="Пакетная сборка").click()
    page.wait_for_url("**/tsd/batches/*")
    return page


def test_batch_of_two_orders_into_two_totes(app, demo_site, tsd_page):
    import_order(app, "B-1001", (MUG.barcodes[0], 1), (SOCKS.barcodes[0], 1))
    import_order(app, "B-1002", (SOCKS.barcodes[0], 1))
    page = start_batch(tsd_page, demo_site)
    expect(page.locator("#instruction")).to_contain_text("Поставьте короб для заказа B-1001")
    screenshot(page, "tsd-20-batch-totes")
    scan(page, "TOTE-01")
    expect_answer(page, "ok", "Короб TOTE-01 — заказ B-1001")
    scan(page, "TOTE-01")
    expect_answer(page, "err", "уже занят заказом B-1001")
    scan(page, "TOTE-02")
    expect(page.locator("#instruction .where")).to_have_text(MUG.bin)

    scan(page, f"LOC-{MUG.bin}")
    scan(page, MUG.barcodes[0])
    expect_answer(page, "ok", "Положите в короб TOTE-01 — заказ B-1001")
    screenshot(page, "tsd-21-batch-in-hand")
    scan(page, SOCKS.barcodes[0])
    expect_answer(page, "err", "Сначала положите в короб TOTE-01")
    scan(page, "TOTE-02")
    expect_answer(page, "err", "Не тот короб TOTE-02")
    screenshot(page, "tsd-22-batch-wrong-tote")
    scan(page, "TOTE-01")
    expect_answer(page, "ok", "в коробе TOTE-01")

    scan(page, f"LOC-{SOCKS.bin}")
    scan(page, SOCKS.barcodes[0])
    expect_answer(page, "ok", "Положите в короб TOTE-01 — заказ B-1001")
    scan(page, "TOTE-01")
    expect_answer(page, "ok", "Заказ B-1001 собран в короб TOTE-01")
    scan(page, SOCKS.barcodes[0])
    expect_answer(page, "ok", "Положите в короб TOTE-02 — заказ B-1002")
    scan(page, "TOTE-02")
    expect_answer(page, "done", "Все заказы собраны")
    packs = page.locator("#pack a.pack-order")
    expect(packs).to_have_count(2)
    expect(packs.first).to_contain_text("Упаковать · B-1001 · TOTE-01")
    screenshot(page, "tsd-23-batch-done")

    with app.app_context():
        rows = db.session().execute(select(PickTask.tote, Order.status).join(Order)).all()
    assert sorted(rows) == [("TOTE-01", "picked"), ("TOTE-02", "picked")]
    packs.nth(1).click()
    page.wait_for_url("**/tsd/tasks/*/pack")
    expect(page.locator("body")).to_contain_text("B-1002")


def cancel_order(app, external_id: str) -> None:
    with app.app_context():
        session = db.session()
        order = session.scalar(select(Order).where(Order.external_id == external_id))
        intake.cancel(session, order, by_marketplace=True)
        session.commit()


def test_batch_short_pick_and_an_order_cancelled_in_hand(app, demo_site, tsd_page):
    import_order(app, "B-2001", (MUG.barcodes[0], 1), (SOCKS.barcodes[0], 1))
    import_order(app, "B-2002", (MUG.barcodes[0], 1))
    page = start_batch(tsd_page, demo_site)
    batch_url = page.url
    scan(page, "TOTE-11")
    scan(page, "TOTE-12")
    scan(page, f"LOC-{MUG.bin}")
    scan(page, MUG.barcodes[0])
    scan(page, "TOTE-11")
    expect_answer(page, "ok", "в коробе TOTE-11")
    scan(page, MUG.barcodes[0])
    expect_answer(page, "ok", "Положите в короб TOTE-12 — заказ B-2002")

    cancel_order(app, "B-2002")  # the marketplace cancels while the mug is in hand
    scan(page, "TOTE-12")
    expect_answer(page, "err", "Заказ B-2002 отменён: верните 1 × ")
    expect(page.locator("#instruction .where")).to_have_text(MUG.bin)
    screenshot(page, "tsd-24-batch-cancelled-in-hand")
    scan(page, f"LOC-{MUG.bin}")
    expect_answer(page, "ok", f"снова в ячейке {MUG.bin}")

    page.goto(f"{demo_site.url}/tsd/")  # the batch is one entry of the task list
    batch_entry = page.locator("#task-list a.batch")
    expect(batch_entry).to_contain_text("B-2001, B-2002")
    screenshot(page, "tsd-25-task-list-batch")
    batch_entry.click()
    page.wait_for_url(batch_url)

    scan(page, f"LOC-{SOCKS.bin}")
    expect_answer(page, "ok", f"Ячейка {SOCKS.bin}")
    page.get_by_text("Нет товара").click()
    page.get_by_role("button", name="Нет в ячейке").click()
    expect_answer(page, "done", "Недостача")
    expect(page.locator("#pack")).to_contain_text("B-2001 (короб TOTE-11): недостача")
    expect(page.locator("#instruction .note")).to_have_count(0)  # TOTE-12 stayed empty
    screenshot(page, "tsd-26-batch-short")
    with app.app_context():
        statuses = dict(db.session().execute(select(Order.external_id, Order.status)).all())
    assert (statuses["B-2001"], statuses["B-2002"]) == ("awaiting_stock", "cancelled")
