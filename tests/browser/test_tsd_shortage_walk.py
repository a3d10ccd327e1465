"""A picker at 480×800 meets an empty bin and a cancelled order; the supervisor decides.

Issue 10, items 1, 14, 15 as they were seen on the demo: «Нет в ячейке» left the bin's
phantom stock on sale and sent the next picker back to it; the terminal then said «Всё
собрано» in green; a client cancel was only shown at the next scan.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.browser.test_tsd_scanning import feedback, open_task, order_of, scan
from warehouse import jobs
from warehouse.demo import STOCK_PER_PRODUCT
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import (
    Listing,
    Location,
    MarketplaceAccount,
    Order,
    OutboxCommand,
    PickTask,
    Stock,
    StockMove,
    utcnow,
)
from warehouse.orders import intake

pytestmark = pytest.mark.browser
MUG, CABLE = PRODUCTS[2], PRODUCTS[4]


def _order_of_task(app, task_id: int) -> Order:
    with app.app_context():
        return db.session().scalar(select(Order).join(PickTask).where(PickTask.id == task_id))


def _cable_bin(app) -> Stock:
    with app.app_context():
        return db.session().scalar(select(Stock).join(Location).where(Location.code == CABLE.bin))


def wb_account(session) -> MarketplaceAccount:
    return session.scalar(select(MarketplaceAccount).where(MarketplaceAccount.kind == "wb"))


def test_an_empty_bin_is_not_sold_again_nor_visited_again(
    app, demo_site, worker, tsd_page, desk_page
):
    with app.app_context():  # WB's cards, linked to our products: the cable is on sale
        jobs.import_cards(wb_account(db.session()).id)
    worker()
    task_id = order_of(app, (CABLE.barcodes[0], 1))
    page = tsd_page
    open_task(page, demo_site, task_id)
    expect(page.locator("#instruction .where")).to_have_text(CABLE.bin)
    screenshot(page, "shortage-01-task")

    scan(page, f"LOC-{CABLE.bin}")
    expect(feedback(page)).to_have_class("feedback ok")
    page.get_by_text("Нет товара").click()
    page.get_by_role("button", name="Нет в ячейке").click()
    expect(feedback(page)).to_have_class("feedback warn")  # item 14: not «Всё собрано»
    expect(feedback(page)).to_contain_text("Ничего не собрано")
    expect(feedback(page)).to_contain_text("возьмите следующее задание")
    expect(page.locator("#instruction .where")).to_have_text("Ничего не собрано")
    expect(page.get_by_role("button", name="Следующее задание")).to_be_visible()
    screenshot(page, "shortage-02-nothing-picked")

    # item 1: the bin's stock left at once, with a record, and the lower level is pushed
    stock = _cable_bin(app)
    assert stock.on_hand == stock.reserved == 0
    with app.app_context():
        session = db.session()
        move = session.scalar(select(StockMove).where(StockMove.reason != "opening"))
        assert (move.reason, move.quantity) == ("suspected_shortage", -STOCK_PER_PRODUCT)
        # the import job's retry does not send a picker back to the empty bin
        assert intake.retry_waiting(session, wb_account(session)) == 0
        session.execute(OutboxCommand.__table__.update().values(next_attempt_at=utcnow()))
        session.commit()
        jobs.sweep_outbox()
    worker()
    with app.app_context():
        session = db.session()
        listing = session.scalar(
            select(Listing).where(
                Listing.account_id == wb_account(session).id, Listing.article == CABLE.article
            )
        )
        assert listing.last_pushed == 0  # WB was told: none left

    page.get_by_role("button", name="Следующее задание").click()
    page.wait_for_url("**/tsd/")
    expect(page.locator("body")).not_to_contain_text(CABLE.bin)
    screenshot(page, "shortage-03-next-task")

    desk = desk_page
    log_in(desk, demo_site)
    expect(desk.locator("body")).to_contain_text("Кабель USB-C 1 м")
    screenshot(desk, "shortage-04-desk-to-decide")
    desk.get_by_role("button", name="Собрать из других ячеек").first.click()
    expect(desk.locator(".banner.error")).to_contain_text("свободно только")
    expect(desk.locator("header nav.menu")).to_be_visible()  # the desk's layout, a way back
    expect(desk.locator(".shortage")).to_contain_text("подозрение на недостачу")
    screenshot(desk, "shortage-05-not-enough-elsewhere")
    desk.fill("input[name=counted]", "0")
    desk.get_by_role("button", name="Записать пересчёт").click()
    expect(desk.locator(".banner.notice")).to_contain_text("Пересчёт записан")
    desk.get_by_role("button", name="Отменить заказ").click()
    expect(desk.locator(".banner.notice")).to_contain_text("Заказ отменён")
    screenshot(desk, "shortage-06-cancelled")
    assert _order_of_task(app, task_id).status == "cancelled"


def test_a_client_cancel_reaches_the_open_task_within_seconds(app, demo_site, tsd_page):
    task_id = order_of(app, (MUG.barcodes[0], 2))
    page = tsd_page
    open_task(page, demo_site, task_id)
    scan(page, f"LOC-{MUG.bin}")
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_contain_text("1 из 2")
    with app.app_context():  # what the import does when the marketplace says «cancelled»
        session = db.session()
        intake.cancel(
            session, session.get_one(Order, _order_of_task(app, task_id).id), by_marketplace=True
        )
        session.commit()
    # no scan: the open page asks every 3 s
    expect(feedback(page)).to_contain_text("отменён", timeout=10000)
    expect(feedback(page)).to_have_class("feedback err")
    expect(feedback(page)).to_contain_text("верните взятое")
    expect(page.locator("#instruction .where")).to_have_text("Заказ отменён")
    expect(page.locator("#short")).to_be_hidden()
    screenshot(page, "cancel-01-told-without-a-scan")
