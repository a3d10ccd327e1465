"""Issue 13's «Done when», walked as one shift on one demo site: the supervisor's desk
(1440×900) and Анна's terminal (480×800), two browser contexts, two people.

The desk sets the Telegram bot, filters and searches the orders, builds a wave by rule
(zone B) and gives it to Анна; the live shift, never reloaded, shows her progress and the
burn-down moving while her terminal picks it. Her next task (a late order) meets an empty
bin: the short pick shows on the live shift, the mug's free units fall below its minimum
and the fake Bot API gets exactly one message; the desk decides «Собрать из других
ячеек». Then a failed outbox command is retried on /operations, a product label printed
and reprinted from «Этикетки», and a new picker added whose badge the Zebra prints and
who logs in with it on the terminal.

Setup in code, not a step: the orders are bought in the WB sandbox and imported by the
import job (their ship-by then set: the sandbox gives none), the mug's minimum and spare
bin, WB's one refusal of the shirt's confirmation (the sandbox only fakes 429/5xx), and
the RQ worker run with ``worker()`` where a real one would run by itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from tests.browser.conftest import due_in, screenshot
from tests.browser.test_desk import log_in
from tests.printers.decode import decode_all
from tests.telegram_fake import CHAT, TOKEN
from tests.test_end_to_end import sandbox, sandbox_status
from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import (
    Location,
    MarketplaceAccount,
    Order,
    OutboxCommand,
    PickItem,
    PickTask,
    Product,
    Warehouse,
)
from warehouse.stock import ledger

pytestmark = pytest.mark.browser
WHITE_SHIRT, MUG, SOCKS, CABLE = PRODUCTS[1], PRODUCTS[2], PRODUCTS[3], PRODUCTS[4]
POLL = 25_000  # ms: the live shift's fragments poll every 10 s
SPARE_BIN, SPARE_MUGS, MUG_MINIMUM = "A-02-09", 4, 10


def _shift(app, site) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The shift's orders, bought in the WB sandbox and imported: a cart of socks and a
    cable (zone B) due latest, a white shirt (zone A) sooner, a mug already late. The mug
    has a minimum of 10 and a spare bin of 4 beside its own 500. Their numbers by name."""
    now = datetime.now(UTC)
    carts = {
        "cart": ((SOCKS, CABLE), due_in(now, 50)),
        "shirt": ((WHITE_SHIRT,), due_in(now, 30)),
        "mug": ((MUG,), now - timedelta(minutes=40)),
    }
    numbers = {
        name: [
            str(n)
            for n in sandbox(
                site,
                "POST",
                "/_control/orders",
                json={"items": [{"article": p.article, "qty": 1} for p in products]},
            )["ids"]
        ]
        for name, (products, _ship_by) in carts.items()
    }
    with app.app_context():
        session = db.session()
        account = session.scalar(select(MarketplaceAccount))
        jobs.import_orders(account.id)
        for name, (_products, ship_by) in carts.items():
            ours = select(Order.id).where(Order.external_id.in_(numbers[name]))
            session.execute(update(Order).where(Order.id.in_(ours)).values(ship_by=ship_by))
            session.execute(
                update(PickTask).where(PickTask.order_id.in_(ours)).values(ship_by=ship_by)
            )
        mug = session.scalar(select(Product).where(Product.article == MUG.article))
        mug.min_stock = MUG_MINIMUM
        warehouse = session.scalar(select(Warehouse))
        spare = Location(
            warehouse_id=warehouse.id, code=SPARE_BIN, barcode=f"LOC-{SPARE_BIN}", walk_order=99
        )
        session.add(spare)
        session.flush()
        ledger.opening(session, mug.id, spare.id, SPARE_MUGS, document="walk13")
        # WB refused the shirt's confirmation once (a 4xx: failed, not retried by itself)
        refused = session.scalar(
            select(OutboxCommand).join(Order).where(Order.external_id == numbers["shirt"][0])
        )
        refused.status, refused.attempts = "failed", 1
        refused.last_error = "IncorrectParameter: order is being updated, try again later"
        session.commit()
    return numbers


def scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def order_ref(number: str) -> re.Pattern[str]:
    """The terminal's order reference, «← WB 12», for exactly this number."""
    return re.compile(rf"WB {number}\s*$")


def next_task(tsd) -> None:  # type: ignore[no-untyped-def]
    """Back to the terminal's home («←») and «Следующее задание»."""
    tsd.get_by_role("link", name="←").click()
    tsd.wait_for_url("**/tsd/")
    tsd.get_by_role("button", name="Следующее задание").click()


def menu(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("nav.menu").get_by_role("link", name=name, exact=True).click()


def _commands(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session().execute(
            select(
                Order.external_id,
                OutboxCommand.kind,
                OutboxCommand.status,
                OutboxCommand.last_error,
            )
            .join(Order, Order.id == OutboxCommand.order_id, isouter=True)
            .order_by(OutboxCommand.id)
        )
        return [tuple(row) for row in rows]


def test_a_shift_walked_on_the_desk_and_the_terminal(
    app, demo_site, zebra, telegram, worker, desk_page, tsd_page
):
    numbers = _shift(app, demo_site)
    desk, tsd = desk_page, tsd_page

    # the admin sets the shift's Telegram bot (nothing is sent yet)
    log_in(desk, demo_site)
    menu(desk, "Оповещения")
    bot = desk.locator("#bot")
    expect(bot).to_contain_text("Бот не задан")
    bot.get_by_label("Токен бота").fill(TOKEN)
    bot.get_by_label("ID чата").fill(CHAT)
    bot.get_by_role("button", name="Сохранить").click()
    expect(desk.locator(".banner.notice")).to_contain_text("Сохранено")
    expect(bot).to_contain_text(CHAT)
    screenshot(desk, "walk13-01-bot-set")

    # the orders window: the late one, then a search
    menu(desk, "Заказы")
    rows = desk.locator("#orders tr.order-row")
    expect(rows).to_have_count(4)
    desk.select_option("select[name=problem]", "late")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(MUG.name)
    expect(rows.first).to_contain_text("просрочен на")
    screenshot(desk, "walk13-02-orders-late")
    desk.select_option("select[name=problem]", "")
    desk.fill("#order-search", SOCKS.article)  # an article names the orders with it
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(SOCKS.name)
    expect(desk).to_have_url(f"{demo_site.url}/?q={SOCKS.article}")
    screenshot(desk, "walk13-03-orders-search")

    # a wave by rule: zone B (the cart's socks and cable), after a preview, given to Анна
    socks_order, cable_order = numbers["cart"]
    menu(desk, "Волны")
    expect(desk.locator("#build")).to_contain_text("Заказы к сборке вне волн: 4")
    desk.select_option("select[name=marketplace]", "wb")
    desk.select_option("select[name=zone]", "B")
    desk.get_by_role("button", name="Просмотр").click()
    preview = desk.locator("#wave-preview")
    expect(preview).to_contain_text("Заказов — 2, единиц сборки — 2")
    expect(preview).to_contain_text(f"WB {socks_order}")
    expect(preview).to_contain_text(f"WB {cable_order}")
    expect(preview).not_to_contain_text(f"WB {numbers['mug'][0]}")
    screenshot(desk, "walk13-04-wave-preview")
    desk.get_by_role("button", name="Создать волну").click()
    expect(desk.locator(".banner.notice")).to_contain_text("заказов — 2, единиц сборки — 2")
    expect(desk.locator("#wave")).to_contain_text("зона B")
    desk.select_option(".assign-wave select[name=picker_id]", label="Анна Сборщица")
    desk.locator(".assign-wave").get_by_role("button", name="Назначить").click()
    expect(desk.locator(".banner.notice")).to_contain_text("назначены сборщику Анна Сборщица")
    screenshot(desk, "walk13-05-wave-assigned")

    # the live shift, left open on the desk while the terminal picks
    menu(desk, "Смена")
    wave = desk.locator(".live-wave:not(#live-wave-none)")
    expect(wave.locator(".progress")).to_have_attribute("data-total", "2")
    expect(wave.locator(".progress")).to_have_attribute("data-done", "0")
    expect(desk.locator("#left-to-pick")).to_have_text("4")
    screenshot(desk, "walk13-06-live-before")

    tsd.goto(f"{demo_site.url}/tsd/login")
    scan(tsd, "PICKER-001")
    tsd.wait_for_url("**/tsd/")
    expect(tsd.locator("#task-list")).to_contain_text("назначено вам")
    tsd.get_by_role("button", name="Следующее задание").click()
    # hers first, though the mug is late
    expect(tsd.locator(".order-ref")).to_have_text(order_ref(socks_order))
    expect(tsd.locator("#instruction .where")).to_have_text(SOCKS.bin)
    tsd.wait_for_load_state("load")  # tsd.js holds the scan form from here on
    scan(tsd, f"LOC-{SOCKS.bin}")
    scan(tsd, SOCKS.barcodes[0])
    expect(tsd.locator("#feedback")).to_have_class("feedback done")
    screenshot(tsd, "walk13-07-tsd-socks-picked")

    expect(wave.locator(".progress")).to_have_attribute("data-done", "1", timeout=POLL)
    expect(desk.locator("#left-to-pick")).to_have_text("3", timeout=POLL)

    next_task(tsd)
    expect(tsd.locator(".order-ref")).to_have_text(order_ref(cable_order))
    expect(tsd.locator("#instruction .where")).to_have_text(CABLE.bin)
    tsd.wait_for_load_state("load")
    scan(tsd, f"LOC-{CABLE.bin}")
    expect(tsd.locator("#feedback")).to_have_class("feedback ok")
    screenshot(tsd, "walk13-08-tsd-at-the-cable")
    picking = wave.locator("tr.unit.picking")
    expect(picking).to_contain_text("0 / 1", timeout=POLL)
    expect(picking.locator(".bin")).to_have_text(CABLE.bin)
    anna = desk.locator('#live-pickers tr[data-picker="Анна Сборщица"]')
    expect(anna.locator(".bin")).to_have_text(CABLE.bin, timeout=POLL)
    expect(wave.locator("tr.unit.done")).to_contain_text("1 / 1")
    screenshot(desk, "walk13-09-live-half-way")

    scan(tsd, CABLE.barcodes[0])
    expect(tsd.locator("#feedback")).to_have_class("feedback done")
    screenshot(tsd, "walk13-10-tsd-wave-done")

    expect(wave.locator(".progress")).to_have_attribute("data-done", "2", timeout=POLL)
    expect(desk.locator("#left-to-pick")).to_have_text("2", timeout=POLL)
    expect(wave).to_contain_text("собрана")
    bar = desk.locator('#live-pickers rect.bar[data-picker="Анна Сборщица"]')
    expect(bar).to_have_count(1, timeout=POLL)
    burn_down = desk.locator("polyline.series.to_pick").get_attribute("data-values")
    assert burn_down is not None and burn_down.endswith(" 2"), burn_down
    screenshot(desk, "walk13-11-live-burn-down")

    # her next task is the late mug; its bin is empty
    next_task(tsd)
    expect(tsd.locator(".order-ref")).to_have_text(order_ref(numbers["mug"][0]))
    expect(tsd.locator("#instruction .where")).to_have_text(MUG.bin)
    tsd.wait_for_load_state("load")
    scan(tsd, f"LOC-{MUG.bin}")
    tsd.get_by_text("Нет товара").click()
    tsd.get_by_role("button", name="Нет в ячейке").click()
    expect(tsd.locator("#feedback")).to_have_class("feedback warn")
    expect(tsd.locator("#feedback")).to_contain_text("Ничего не собрано")
    screenshot(tsd, "walk13-12-tsd-short-pick")
    expect(desk.locator("#live-shortages")).to_contain_text(MUG.name, timeout=POLL)
    desk.locator("#live-shortages").scroll_into_view_if_needed()
    screenshot(desk, "walk13-13-live-short-pick")
    worker()  # the stock check the short pick rang, then the sending it rang
    assert telegram.texts() == [
        f"⚠️ Мало товара: {MUG.name} ({MUG.article}) — свободно {SPARE_MUGS}, минимум {MUG_MINIMUM}"
    ]

    # the desk decides the short pick: the spare bin has mugs
    mug_order = numbers["mug"][0]
    menu(desk, "Заказы")
    to_decide = desk.locator("section", has_text="Недостачи: нужно решение")
    expect(to_decide).to_contain_text(MUG.name)
    screenshot(desk, "walk13-14-short-pick-to-decide")
    to_decide.get_by_role("link", name=f"WB {mug_order}").click()
    shortage = desk.locator(".shortage")
    expect(shortage).to_contain_text(MUG.bin)
    expect(shortage).to_contain_text("подозрение на недостачу")
    shortage.get_by_role("button", name="Собрать из других ячеек").click()
    expect(desk.locator(".banner.notice")).to_contain_text(
        "Новое задание на сборку возьмёт недостающее из других ячеек"
    )
    screenshot(desk, "walk13-15-short-pick-decided")
    with app.app_context():
        session = db.session()
        order = session.scalar(select(Order).where(Order.external_id == mug_order))
        spare_pick = session.scalar(
            select(PickItem)
            .join(PickTask)
            .join(Location, Location.id == PickItem.location_id)
            .where(PickTask.order_id == order.id, Location.code == SPARE_BIN)
        )
        assert spare_pick is not None and order.status != "cancelled"

    # the alert on the desk: sent once, still open
    menu(desk, "Оповещения")
    alert = desk.locator("table.alerts tr.alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(f"Мало товара: {MUG.name} ({MUG.article})")
    expect(alert).to_have_class(re.compile(r"\bsent\b"))
    screenshot(desk, "walk13-16-alert-sent")

    # the command WB refused, sent again from /operations
    shirt_order = numbers["shirt"][0]
    with app.app_context():
        refused_id = db.session().scalar(
            select(OutboxCommand.id).where(OutboxCommand.status == "failed")
        )
    menu(desk, "Операции")
    row = desk.locator(f"#command-{refused_id}")
    expect(row).to_contain_text("IncorrectParameter")
    expect(row).to_contain_text("confirm")
    screenshot(desk, "walk13-17-operations-failed")
    row.get_by_role("button", name="Повторить").click()
    expect(desk.locator(".banner.notice")).to_contain_text(
        f"Команда {refused_id} будет отправлена снова сейчас"
    )
    screenshot(desk, "walk13-18-command-retried")
    worker()
    desk.reload()
    expect(desk.locator(f"#command-{refused_id}")).to_have_count(0)
    expect(desk.locator("#commands")).to_contain_text("Долгов нет: все команды доставлены")
    screenshot(desk, "walk13-19-operations-delivered")
    assert (shirt_order, "confirm", "done", "") in _commands(app)
    assert sandbox_status(demo_site, shirt_order) == "confirm"

    # a product label printed, then printed again from «Этикетки»
    menu(desk, "Товары")
    product = desk.locator("tr.product", has_text=MUG.name)
    product.get_by_role("button", name="Печать").click()
    queued = desk.locator("#label-result .queued-job")
    expect(queued).to_contain_text("этикетки товара")
    worker()
    expect(queued).to_have_attribute("data-print-status", "printed", timeout=10000)
    (first,) = zebra.wait_for_labels(1)
    menu(desk, "Этикетки")
    job = desk.locator("#print-job-rows tr[data-job]").first
    expect(job).to_have_attribute("data-print-status", "printed")
    screenshot(desk, "walk13-20-label-printed")
    job.get_by_role("button", name="Напечатать ещё раз").click()
    reprint = desk.locator("#print-job-rows tr[data-job]", has_text="повтор")
    expect(reprint).to_have_count(1)
    worker()
    expect(reprint).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(desk, "walk13-21-label-reprinted")
    second = zebra.wait_for_labels(2)[1]
    assert second == first and decode_all(second) == [("EAN13", MUG.barcodes[0])]

    # a new picker, their badge printed, and they log in with it on the terminal
    menu(desk, "Сотрудники")
    form = desk.locator("#add-tsd-person")
    form.get_by_label("Имя").fill("Пётр Сборщик")
    form.get_by_label("Бейдж").fill("PICKER-007")
    form.get_by_label("PIN").fill("7007")
    expect(form.get_by_role("checkbox", name="сборщик")).to_be_checked()
    screenshot(desk, "walk13-22-add-picker")
    form.get_by_role("button", name="Добавить").click()
    person = desk.locator("tr", has_text="Пётр Сборщик")
    expect(person).to_contain_text("сборщик")
    person.get_by_role("link", name="Пётр Сборщик").click()
    expect(desk.locator("h2").first).to_contain_text("Пётр Сборщик")
    desk.locator("#badge-label").get_by_role("button", name="Печатать бейдж").click()
    badge = desk.locator("#label-result .queued-job")
    expect(badge).to_contain_text("бейдж")
    worker()
    expect(badge).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(desk, "walk13-23-badge-printed")
    assert decode_all(zebra.wait_for_labels(3)[2]) == [("Code128", "PICKER-007")]

    tsd.get_by_role("button", name="Выйти").click()
    tsd.wait_for_url("**/tsd/login")
    scan(tsd, "PICKER-007")
    tsd.wait_for_url("**/tsd/login/pin")
    scan(tsd, "7007")
    tsd.wait_for_url("**/tsd/")
    expect(tsd.locator("body")).to_contain_text("Пётр Сборщик")
    expect(tsd.get_by_role("button", name="Следующее задание")).to_be_visible()
    expect(tsd.locator("#task-list")).to_contain_text(f"WB {mug_order}")  # from the spare bin
    screenshot(tsd, "walk13-24-tsd-new-picker")

    # the whole shift rang Telegram once
    worker()
    assert len(telegram.messages) == 1 and telegram.messages[0].chat_id == CHAT
