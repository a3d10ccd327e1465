"""Prices walked as a manager and a supervisor do it at 1440×900 (issue 17's «Done when»).

For each of the four marketplace accounts: a price list XLSX is loaded; the desk shows the
one row the below-cost guard holds, the supervisor confirms it and the prices go out. A
weekend discount is loaded and planned (Friday evening → Monday morning, every week). The
test moves the clock to Friday and then to Monday: every sandbox receives the discount and
then the old prices back. A 429 and a 500 meet each push on the way and lose nothing.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.test_price_push import KINDS, control, faults, ready_shop, until_settled
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import Price, PriceDocument, PriceList, utcnow
from warehouse.pricing import documents
from warehouse.shipping.handovers import LOCAL

pytestmark = pytest.mark.browser

# roubles per article: (price, price before the discount); the socks' 200 ₽ is below
# every list's break-even (cost 150 ₽ + logistics, over 1 − commission)
BASE = {
    "TSH-BLK-M": 1190,
    "TSH-WHT-L": 1090,
    "MUG-330": 490,
    "SOCK-3P": 200,
    "CABLE-USBC": 690,
}
SALE = {  # at most 18 % off: within the lists' 20 %, so nothing is held
    "TSH-BLK-M": (990, 1190),
    "TSH-WHT-L": (890, 1090),
    "MUG-330": (420, 490),
    "CABLE-USBC": (590, 690),
}
SOCKS = PRODUCTS[3]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def base_file() -> bytes:
    return xlsx([["Артикул", "Цена"], *([a, p] for a, p in BASE.items())])


def sale_file() -> bytes:
    return xlsx([["Артикул", "Цена", "Цена до скидки"], *([a, p, o] for a, (p, o) in SALE.items())])


def next_friday_evening() -> datetime:
    now = utcnow().astimezone(LOCAL)
    friday = now + timedelta(days=(4 - now.weekday()) % 7 or 7)
    return friday.replace(hour=18, minute=0, second=0, microsecond=0)


def shown(site, kind: str) -> dict[str, tuple[float, float | None]]:  # type: ignore[no-untyped-def]
    """What the marketplace's sandbox holds now per article: (price, before discount)."""
    book = control(site, kind)["prices"]
    found = {}
    for product in PRODUCTS:
        if kind == "wb":
            entry = book.get(str(product.wb_nm_id))
            if entry is None:
                continue
            before, discount = entry["price"], entry["discount"]
            price = before * (100 - discount) / 100
            found[product.article] = (price, before if discount else None)
        elif kind == "ozon":
            entry = book.get(product.article)
            if entry is not None:
                found[product.article] = (entry["price"], entry["old_price"] or None)
        elif kind == "yandex":
            entry = book.get(product.article)
            if entry is not None:
                found[product.article] = (entry["value"], entry.get("discountBase"))
        else:
            entry = book.get(product.article)
            if entry is not None:
                found[product.article] = (entry["price"], None)
    return found


def close_to(got: dict, want: dict[str, tuple[int, int | None]], kind: str) -> None:  # type: ignore[type-arg]
    """WB keeps the price before its discount and a whole percent, the buyer's price it
    works out from them (the document showed it so); Megamarket has no price before a
    discount."""
    for article, (price, before) in want.items():
        assert article in got, (kind, article)
        have_price, have_before = got[article]
        if kind == "wb" and before:
            price = before * (100 - round(100 - price * 100 / before)) / 100
        assert have_price == price, (kind, article, got[article], want[article])
        if kind != "megamarket":
            assert have_before == before, (kind, article, got[article], want[article])


def test_price_lists_guards_and_a_weekend_discount_reach_every_marketplace(
    app, live_server, zebra, worker, desk_page
):
    site = ready_shop(app, live_server, zebra, worker)
    page = desk_page
    log_in(page, site)
    with app.app_context():
        lists = {
            plist.account.kind: plist.id for plist in db.session().scalars(select(PriceList)).all()
        }
    assert sorted(lists) == sorted(KINDS)
    friday = next_friday_evening()
    monday = (friday + timedelta(days=3)).replace(hour=9)
    sales: dict[str, int] = {}

    for n, kind in enumerate(KINDS):
        page.goto(f"{site.url}/prices/lists/{lists[kind]}")
        page.set_input_files(
            "form.price-import input[type=file]",
            files=[
                {
                    "name": "prices.xlsx",
                    "mimeType": "application/octet-stream",
                    "buffer": base_file(),
                }
            ],
        )
        page.click("form.price-import button[type=submit]")
        expect(page.locator("tr.price-line.held")).to_have_count(1)
        held = page.locator("tr.price-line.held")
        expect(held).to_contain_text(SOCKS.name)
        expect(held.locator("td.guard")).to_contain_text("ниже безубыточной")
        if n == 0:
            screenshot(page, "prices-10-held-below-cost")
        page.click("form.price-submit button[type=submit]")  # apply now: it waits instead
        expect(page.locator(".banner.notice")).to_contain_text("ждёт")
        expect(page.locator("span.doc-status")).to_have_text("ждёт подтверждения")
        held.locator("input[name=line]").check()
        page.click("#confirm-form button:not([name])")
        expect(page.locator("span.doc-status")).to_have_text("применён")
        if n == 0:
            screenshot(page, "prices-20-confirmed-applied")

    faults(site, "wb", "429", "500")
    faults(site, "ozon", "500", "429")
    faults(site, "yandex", "429", "500")
    faults(site, "megamarket", "500", "429")
    until_settled(app, worker)
    for kind in KINDS:
        close_to(shown(site, kind), {a: (p, None) for a, p in BASE.items()}, kind)

    for kind in KINDS:
        page.goto(f"{site.url}/prices/lists/{lists[kind]}")
        page.set_input_files(
            "form.price-import input[type=file]",
            files=[
                {
                    "name": "weekend.xlsx",
                    "mimeType": "application/octet-stream",
                    "buffer": sale_file(),
                }
            ],
        )
        page.click("form.price-import button[type=submit]")
        expect(page.locator("tr.price-line")).to_have_count(len(SALE))
        expect(page.locator("tr.price-line.held")).to_have_count(0)
        sales[kind] = int(page.url.rsplit("/", 1)[1])
        page.check("form.price-submit input[value=later]")
        page.fill("input[name=run_at]", friday.strftime("%Y-%m-%dT%H:%M"))
        page.fill("input[name=restore_at]", monday.strftime("%Y-%m-%dT%H:%M"))
        page.check("input[name=weekly]")
        page.click("form.price-submit button[type=submit]")
        expect(page.locator("span.doc-status")).to_have_text("запланирован")
        expect(page.locator("dd.run-at")).to_contain_text(friday.strftime("%d.%m 18:00"))

    page.goto(f"{site.url}/prices/")
    upcoming = page.locator("table.price-upcoming tr")
    expect(upcoming).to_have_count(1 + 2 * len(KINDS))  # a discount and its return each
    expect(upcoming.nth(1)).to_contain_text(friday.strftime("%d.%m 18:00"))
    expect(upcoming.nth(len(KINDS) + 1)).to_contain_text(monday.strftime("%d.%m 09:00"))
    screenshot(page, "prices-30-what-changes-next")

    # the clock moves to Friday evening: the scheduler's minute applies the discounts
    with app.app_context():
        assert documents.run_due(db.session(), friday + timedelta(minutes=1)) == len(KINDS)
        db.session().commit()
    for kind in ("wb", "yandex"):
        faults(site, kind, "500", "429")
    until_settled(app, worker)
    for kind in KINDS:
        close_to(shown(site, kind), SALE, kind)

    # and to Monday morning: the old prices come back, the discount waits for next Friday
    with app.app_context():
        assert documents.run_due(db.session(), monday + timedelta(minutes=1)) == len(KINDS)
        db.session().commit()
    for kind in ("ozon", "megamarket"):
        faults(site, kind, "429", "500")
    until_settled(app, worker)
    for kind in KINDS:
        close_to(shown(site, kind), {a: (BASE[a], None) for a in SALE}, kind)
    with app.app_context():
        s = db.session()
        for kind in KINDS:
            sale = s.get_one(PriceDocument, sales[kind])
            assert sale.status == "scheduled" and sale.times_applied == 1
            assert sale.run_at == friday + timedelta(days=7)
        assert s.scalars(select(Price.push_status).distinct()).all() == ["sent"]

    page.goto(f"{site.url}/prices/lists/{lists['ozon']}")
    page.click("text=Сверить с маркетплейсом")
    expect(page.locator(".banner.notice")).to_contain_text("Запрашиваем цены")
    worker()
    page.reload()
    mug = page.locator("tr.price-row[data-sku='MUG-330']")
    expect(mug.locator("td.market")).to_contain_text("490 ₽")
    expect(page.locator("td.market .error")).to_have_count(0)  # no difference
    screenshot(page, "prices-40-list-after-the-weekend")
