"""Price lists, their documents, guards, rules, schedules and files (#17), in the database."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.factories import make_account, make_product, make_supervisor, make_warehouse
from warehouse.errors import DomainError
from warehouse.models import (
    Listing,
    OutboxCommand,
    Price,
    PriceDocument,
    PriceList,
    utcnow,
)
from warehouse.pricing import documents, guards, price_files, rules
from warehouse.pricing.documents import NewPrice


@pytest.fixture
def shop(session):  # type: ignore[no-untyped-def]
    """A WB account with three cards of two products (the second has two sizes), a list
    with 15 % commission, 50 ₽ logistics, 20 % largest change, and a supervisor."""
    warehouse = make_warehouse(session)
    account = make_account(session, warehouse)
    mug = make_product(session, "Кружка", "4600000000011", article="MUG")
    mug.cost_price, mug.category = 300_00, "Посуда"
    tee = make_product(session, "Футболка", "4600000000028", article="TEE")
    tee.cost_price, tee.category = 500_00, "Одежда"
    cards = [
        Listing(account_id=account.id, product_id=mug.id, sku="101", marketplace_id="9001"),
        Listing(account_id=account.id, product_id=tee.id, sku="201", marketplace_id="9002"),
        Listing(account_id=account.id, product_id=tee.id, sku="202", marketplace_id="9002"),
    ]
    session.add_all(cards)
    plist = PriceList(
        account=account, name="Основной", commission_bp=1500, logistics=50_00, max_change_percent=20
    )
    session.add(plist)
    session.flush()
    return {
        "account": account,
        "list": plist,
        "cards": cards,
        "mug": mug,
        "tee": tee,
        "boss": make_supervisor(session),
    }


def _prices(session, account) -> dict[str, tuple[int, int | None, str]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Listing.sku, Price.price, Price.old_price, Price.push_status)
        .join(Listing, Listing.id == Price.listing_id)
        .where(Price.account_id == account.id)
    )
    return {sku: (price, old, status) for sku, price, old, status in rows}


def _pushes(session) -> list[OutboxCommand]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "push_prices")))


def test_break_even_counts_commission_on_the_price_and_logistics(shop) -> None:  # type: ignore[no-untyped-def]
    plist = shop["list"]
    floor = guards.floor(300_00, plist)
    assert floor == 41177  # (300 + 50) / 0.85 = 411.76… rounded up
    keep = floor - floor * 1500 // 10_000 - plist.logistics
    assert keep >= 300_00
    assert guards.floor(None, plist) is None


@pytest.mark.parametrize(
    ("kopecks", "ending", "expected"),
    [
        (123456, "99", 129900),
        (123456, "90", 129000),
        (123456, "9", 123900),
        (123456, "00", 130000),
        (123456, "", 123500),
        (129900, "99", 129900),
        (130000, "99", 139900),
    ],
)
def test_rounding_to_a_price_ending(kopecks: int, ending: str, expected: int) -> None:
    assert rules.rounded(kopecks, ending) == expected


def test_a_price_below_break_even_waits_for_a_supervisor(session, shop) -> None:  # type: ignore[no-untyped-def]
    mug, tee = shop["cards"][0], shop["cards"][1]
    doc = documents.draft(
        session,
        shop["list"],
        [NewPrice(mug.id, 399_00), NewPrice(tee.id, 990_00)],
        source="manual",
        reason="start",
        user=shop["boss"],
    )
    held = {line.listing_id: line.hold_reason for line in doc.lines}
    size = shop["cards"][2]  # the tee's other size: WB prices the card, every size alike
    assert held == {mug.id: "below_cost", tee.id: None, size.id: None}
    documents.submit(session, doc, shop["boss"])
    assert doc.status == "held"
    assert _prices(session, shop["account"]) == {}  # nothing sent silently
    assert _pushes(session) == []

    still = documents.confirm(session, doc, [doc.lines[0].id], shop["boss"])
    assert still == 0
    assert doc.status == "applied"
    assert _prices(session, shop["account"]) == {
        "101": (399_00, None, "pending"),
        "201": (990_00, None, "pending"),
        "202": (990_00, None, "pending"),
    }
    assert len(_pushes(session)) == 1  # one push for the account, whatever the lines


def test_a_large_change_is_held_but_not_the_return_of_a_discount(session, shop) -> None:  # type: ignore[no-untyped-def]
    card = shop["cards"][1]
    first = documents.draft(
        session, shop["list"], [NewPrice(card.id, 1000_00)], source="manual", reason="", user=None
    )
    documents.submit(session, first, shop["boss"])
    assert first.status == "applied"
    cut = documents.draft(
        session,
        shop["list"],
        [NewPrice(card.id, 700_00, old_price=1000_00)],
        source="manual",
        reason="sale",
        user=None,
    )
    assert cut.lines[0].hold_reason == "big_change"  # 30 % > 20 %
    start = utcnow() + timedelta(hours=1)
    back = documents.submit(
        session, cut, shop["boss"], run_at=start, restore_at=start + timedelta(days=2)
    )
    assert cut.status == "held"
    assert back is not None and back.status == "scheduled"  # +43 % back is no new decision
    assert back.lines[0].price == 1000_00 and back.lines[0].old_price is None


def test_weekend_discount_goes_out_and_comes_back_every_week(session, shop) -> None:  # type: ignore[no-untyped-def]
    card = shop["cards"][0]
    base = documents.draft(
        session, shop["list"], [NewPrice(card.id, 900_00)], source="manual", reason="", user=None
    )
    documents.submit(session, base, shop["boss"])
    friday = utcnow() + timedelta(days=1)
    monday = friday + timedelta(days=3)
    sale = documents.draft(
        session,
        shop["list"],
        [NewPrice(card.id, 810_00, old_price=900_00)],
        source="manual",
        reason="weekend",
        user=shop["boss"],
    )
    back = documents.submit(
        session, sale, shop["boss"], run_at=friday, repeat_days=7, restore_at=monday
    )
    assert back is not None
    assert (sale.status, back.status) == ("scheduled", "scheduled")
    assert [d.id for d in documents.upcoming(session)] == [sale.id, back.id]

    assert documents.run_due(session, friday - timedelta(minutes=1)) == 0
    assert documents.run_due(session, friday + timedelta(minutes=1)) == 1
    assert _prices(session, shop["account"])["101"] == (810_00, 900_00, "pending")
    assert sale.run_at == friday + timedelta(days=7)  # next Friday
    assert documents.run_due(session, monday + timedelta(minutes=1)) == 1
    assert _prices(session, shop["account"])["101"] == (900_00, None, "pending")
    assert back.run_at == monday + timedelta(days=7)
    assert documents.run_due(session, friday + timedelta(days=7, minutes=1)) == 1
    assert _prices(session, shop["account"])["101"][0] == 810_00
    assert sale.times_applied == 2


def test_a_cost_rise_holds_a_scheduled_price_at_its_time(session, shop) -> None:  # type: ignore[no-untyped-def]
    card = shop["cards"][0]
    doc = documents.draft(
        session, shop["list"], [NewPrice(card.id, 500_00)], source="manual", reason="", user=None
    )
    at = utcnow() + timedelta(hours=2)
    documents.submit(session, doc, shop["boss"], run_at=at)
    assert doc.status == "scheduled"
    shop["mug"].cost_price = 450_00  # break-even is now 588.24 ₽
    session.flush()
    assert documents.run_due(session, at + timedelta(minutes=1)) == 0
    assert doc.status == "held"
    assert doc.lines[0].hold_reason == "below_cost"
    assert _prices(session, shop["account"]) == {}


def test_drafts_refuse_what_the_marketplace_cannot_take(session, shop) -> None:  # type: ignore[no-untyped-def]
    card = shop["cards"][0]
    with pytest.raises(DomainError) as whole:  # WB takes whole roubles
        documents.draft(
            session,
            shop["list"],
            [NewPrice(card.id, 999_50)],
            source="manual",
            reason="",
            user=None,
        )
    assert whole.value.code == "price_whole_roubles"
    other = make_account(session, make_warehouse(session))
    stranger = Listing(account_id=other.id, sku="X", marketplace_id="1")
    session.add(stranger)
    session.flush()
    with pytest.raises(DomainError) as foreign:
        documents.draft(
            session,
            shop["list"],
            [NewPrice(stranger.id, 999_00)],
            source="manual",
            reason="",
            user=None,
        )
    assert foreign.value.code == "price_card_not_of_account"


def test_a_price_above_its_old_price_is_refused_by_the_database(session, shop) -> None:  # type: ignore[no-untyped-def]
    session.add(
        Price(
            price_list_id=shop["list"].id,
            account_id=shop["account"].id,
            listing_id=shop["cards"][0].id,
            price=500_00,
            old_price=400_00,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_rule_prices_a_category_from_cost(session, shop) -> None:  # type: ignore[no-untyped-def]
    doc = rules.draft(
        session,
        shop["list"],
        rules.Rule(markup_percent=100, ending="90", discount_percent=10, category="Одежда"),
        shop["boss"],
    )
    by_card = {line.listing_id: (line.price, line.old_price) for line in doc.lines}
    # 500 ₽ × 2 = 1000 → …90 = 1090; before a 10 % discount 1211.11 → 1212 ₽ on WB (whole
    # roubles, no ending, so WB's 10 % leaves the buyer 1090.80 ₽); elsewhere …90: 1290 ₽
    assert by_card == {
        shop["cards"][1].id: (1090_80, 1212_00),
        shop["cards"][2].id: (1090_80, 1212_00),
    }
    assert doc.source == "rule" and "Одежда" in doc.reason
    assert rules.price_for(500_00, rules.Rule(100, "90", 10)) == (1090_00, 1290_00)


def _xlsx(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_price_file_becomes_a_draft(session, shop) -> None:  # type: ignore[no-untyped-def]
    data = _xlsx(
        ["Артикул", "SKU", "Цена", "Цена до скидки", "Скидка, %", "Мин. цена"],
        ["MUG", "", 590, 790, "", ""],
        ["", "201", "1 190", "", "15", 1000],
        ["", "202", "", "", "", ""],  # no price: left as it is
    )
    doc = price_files.draft_from_file(session, shop["list"], "prices.xlsx", data, shop["boss"])
    lines = {line.listing_id: (line.price, line.old_price, line.min_price) for line in doc.lines}
    mug, tee, size = shop["cards"]
    # WB: 590 ₽ off 790 ₽ is its whole 25 %, so the buyer pays 592.50 ₽
    assert lines == {
        mug.id: (592_50, 790_00, None),
        tee.id: (1190_00, 1400_00, 1000_00),
        size.id: (1190_00, 1400_00, 1000_00),  # the row of 201 prices its card's every size
    }
    assert doc.status == "draft" and doc.source == "xlsx"


def test_a_price_file_with_bad_rows_is_refused_whole_naming_them(session, shop) -> None:  # type: ignore[no-untyped-def]
    data = _xlsx(
        ["article", "sku", "price", "old_price"],
        ["MUG", "", "590", ""],
        ["NOPE", "", "100", ""],
        ["", "201", "abc", ""],
        ["", "202", "900", "800"],
    )
    with pytest.raises(price_files.FileRefused) as refused:
        price_files.draft_from_file(session, shop["list"], "p.xlsx", data, shop["boss"])
    codes = [(line, code) for line, code, _params in refused.value.refusals.rows]
    assert codes == [
        (3, "price_row_no_card"),
        (4, "price_row_not_a_sum"),
        (5, "price_row_old_not_higher"),
    ]
    assert session.scalars(select(PriceDocument)).all() == []


def test_the_export_reads_back_as_the_same_prices(session, shop) -> None:  # type: ignore[no-untyped-def]
    card = shop["cards"][0]
    doc = documents.draft(
        session,
        shop["list"],
        [NewPrice(card.id, 590_00, old_price=790_00)],
        source="manual",
        reason="",
        user=None,
    )
    documents.submit(session, doc, shop["boss"])
    data = price_files.export(session, shop["list"], "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Артикул", "SKU", "Наименование"]
    mug = next(row for row in rows if row[1] == "101")
    assert mug[3:9] == ["300", "411.77", "592.50", "790", "25", None]  # cost, floor, prices, %
    with pytest.raises(DomainError) as same:
        price_files.draft_from_file(session, shop["list"], "back.xlsx", data, None)
    assert same.value.code == "price_nothing_changes"


def test_a_wb_discount_is_shown_as_wb_works_it_out(session, shop) -> None:  # type: ignore[no-untyped-def]
    card = shop["cards"][0]
    doc = documents.draft(
        session,
        shop["list"],
        [NewPrice(card.id, 890_00, old_price=1090_00)],
        source="manual",
        reason="",
        user=None,
    )
    line = doc.lines[0]
    # WB takes 1,090 ₽ and a whole 18 %: the buyer pays 893.80 ₽, and the document says so
    assert (line.price, line.old_price) == (893_80, 1090_00)
    assert documents.as_shown("ozon", NewPrice(1, 890_00, 1090_00)).price == 890_00
    assert documents.as_shown("wb", NewPrice(1, 1089_00, 1090_00)) == NewPrice(1, 1090_00)


def _set(session, shop, card, price: int, old: int | None = None) -> None:  # type: ignore[no-untyped-def]
    doc = documents.draft(
        session,
        shop["list"],
        [NewPrice(card.id, price, old_price=old)],
        source="manual",
        reason="",
        user=None,
    )
    documents.submit(session, doc, shop["boss"])
    for line in doc.lines:  # a test's own price: confirmed if a guard held it
        if line.waits:
            documents.confirm(session, doc, [line.id], shop["boss"])
    assert doc.status == "applied"


def test_a_weekly_return_takes_back_this_weeks_price_and_leaves_a_price_changed_since(
    session, shop
) -> None:  # type: ignore[no-untyped-def]
    shop["list"].max_change_percent = 50
    mug = shop["cards"][0]
    _set(session, shop, mug, 1000_00)
    friday = utcnow() + timedelta(days=1)
    monday = friday + timedelta(days=3)
    sale = documents.draft(
        session,
        shop["list"],
        [NewPrice(mug.id, 800_00, old_price=1000_00)],
        source="manual",
        reason="weekend",
        user=None,
    )
    back = documents.submit(
        session, sale, shop["boss"], run_at=friday, repeat_days=7, restore_at=monday
    )
    assert back is not None and back.restore_of_id == sale.id
    week = timedelta(days=7)
    documents.run_due(session, friday + timedelta(minutes=1))
    documents.run_due(session, monday + timedelta(minutes=1))
    assert _prices(session, shop["account"])["101"][:2] == (1000_00, None)
    _set(session, shop, mug, 1100_00)  # the price rose during the week
    documents.run_due(session, friday + week + timedelta(minutes=1))
    assert _prices(session, shop["account"])["101"][:2] == (800_00, 1000_00)
    documents.run_due(session, monday + week + timedelta(minutes=1))
    assert _prices(session, shop["account"])["101"][:2] == (1100_00, None)  # this week's
    documents.run_due(session, friday + 2 * week + timedelta(minutes=1))
    _set(session, shop, mug, 900_00)  # changed by hand over the weekend
    documents.run_due(session, monday + 2 * week + timedelta(minutes=1))
    assert _prices(session, shop["account"])["101"][:2] == (900_00, None)  # left alone


def test_cancelling_a_discount_takes_its_return_along_unless_the_discount_is_on(
    session, shop
) -> None:  # type: ignore[no-untyped-def]
    mug = shop["cards"][0]
    _set(session, shop, mug, 1000_00)
    friday = utcnow() + timedelta(days=1)
    monday = friday + timedelta(days=3)

    def planned() -> tuple[PriceDocument, PriceDocument]:
        sale = documents.draft(
            session,
            shop["list"],
            [NewPrice(mug.id, 900_00, 1000_00)],
            source="manual",
            reason="",
            user=None,
        )
        back = documents.submit(
            session, sale, shop["boss"], run_at=friday, repeat_days=7, restore_at=monday
        )
        assert back is not None
        return sale, back

    sale, back = planned()
    documents.cancel(session, sale)
    assert back.status == "cancelled"  # never on: nothing to take back

    sale, back = planned()
    documents.run_due(session, friday + timedelta(minutes=1))  # the discount is on
    documents.cancel(session, sale)
    assert (back.status, back.repeat_days) == ("scheduled", None)  # back once more, then done
    documents.run_due(session, monday + timedelta(minutes=1))
    assert back.status == "applied"
    assert _prices(session, shop["account"])["101"][:2] == (1000_00, None)


def test_a_held_discount_confirmed_too_late_waits_for_its_next_time_or_is_refused(
    session, shop
) -> None:  # type: ignore[no-untyped-def]
    mug = shop["cards"][0]
    _set(session, shop, mug, 1000_00)
    start = utcnow() + timedelta(hours=1)
    weekly = documents.draft(
        session,
        shop["list"],
        [NewPrice(mug.id, 600_00, 1000_00)],
        source="manual",
        reason="",
        user=None,
    )  # 40 % off: a big change, held
    documents.submit(session, weekly, shop["boss"], run_at=start, repeat_days=7)
    assert weekly.status == "held"
    weekly.run_at = utcnow() - timedelta(hours=1)  # the supervisor comes back after it
    documents.confirm(session, weekly, [weekly.lines[0].id], shop["boss"])
    assert weekly.status == "scheduled" and weekly.run_at > utcnow()  # next week's
    assert _prices(session, shop["account"])["101"][0] == 1000_00

    once = documents.draft(
        session,
        shop["list"],
        [NewPrice(mug.id, 600_00, 1000_00)],
        source="manual",
        reason="",
        user=None,
    )
    back = documents.submit(
        session, once, shop["boss"], run_at=start, restore_at=start + timedelta(hours=2)
    )
    assert once.status == "held" and back is not None
    once.run_at, back.run_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    with pytest.raises(DomainError) as late:
        documents.confirm(session, once, [once.lines[0].id], shop["boss"])
    assert late.value.code == "price_window_passed"


def test_a_confirmed_big_change_is_held_again_from_another_base(session, shop) -> None:  # type: ignore[no-untyped-def]
    mug = shop["cards"][0]
    _set(session, shop, mug, 1000_00)
    doc = documents.draft(
        session, shop["list"], [NewPrice(mug.id, 700_00)], source="manual", reason="", user=None
    )
    documents.submit(session, doc, shop["boss"], run_at=utcnow() + timedelta(hours=1))
    documents.confirm(session, doc, [doc.lines[0].id], shop["boss"])
    assert doc.status == "scheduled" and doc.lines[0].confirmed_was == 1000_00
    _set(session, shop, mug, 1200_00)  # the base moved: −42 % was never confirmed
    assert documents.run_due(session, utcnow() + timedelta(hours=2)) == 0
    assert doc.status == "held" and doc.lines[0].waits


def test_a_first_price_without_a_cost_waits_and_wb_sizes_take_one_price(session, shop) -> None:  # type: ignore[no-untyped-def]
    shop["tee"].cost_price = None
    tee, size = shop["cards"][1], shop["cards"][2]
    doc = documents.draft(
        session, shop["list"], [NewPrice(tee.id, 1_00)], source="manual", reason="", user=None
    )
    assert {line.hold_reason for line in doc.lines} == {"no_basis"}  # a 1 ₽ typo, caught
    with pytest.raises(DomainError) as sizes:
        documents.draft(
            session,
            shop["list"],
            [NewPrice(tee.id, 990_00), NewPrice(size.id, 1090_00)],
            source="manual",
            reason="",
            user=None,
        )
    assert sizes.value.code == "price_sizes_differ"


def test_an_answer_for_another_minimum_price_does_not_settle_the_new_one(session, shop) -> None:  # type: ignore[no-untyped-def]
    from warehouse.marketplaces.base import PriceItem
    from warehouse.pricing import push

    row = Price(
        price_list_id=shop["list"].id,
        account_id=shop["account"].id,
        listing_id=shop["cards"][0].id,
        price=1000_00,
        min_price=950_00,  # changed while 900 was on its way
    )
    session.add(row)
    session.flush()
    push._settle(session, [(row.id, PriceItem("101", "9001", 1000_00, None, 900_00), "sent", "")])
    session.refresh(row)
    assert row.push_status == "pending"
    push._settle(session, [(row.id, PriceItem("101", "9001", 1000_00, None, 950_00), "sent", "")])
    session.refresh(row)
    assert (row.push_status, row.sent_price) == ("sent", 1000_00)


def test_a_sheet_declaring_more_than_it_holds_is_read_for_its_cells(session, shop) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from warehouse.catalog import catalogue_files

    data = _xlsx(["SKU", "Цена"], ["101", "590"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD1048576" />'
                )
                assert b"XFD1048576" in body
            dst.writestr(item, body)
    table = catalogue_files.read("big.xlsx", out.getvalue())
    assert table.rows == [(2, {"sku": "101", "цена": "590"})]


def _weekend(session, shop, card, price: int, old: int):  # type: ignore[no-untyped-def]
    friday = utcnow() + timedelta(days=1)
    monday = friday + timedelta(days=3)
    sale = documents.draft(
        session,
        shop["list"],
        [NewPrice(card.id, price, old)],
        source="manual",
        reason="",
        user=None,
    )
    back = documents.submit(
        session, sale, shop["boss"], run_at=friday, repeat_days=7, restore_at=monday
    )
    assert back is not None
    return sale, back, friday, monday


def test_a_return_held_on_monday_and_confirmed_late_goes_back_at_once(session, shop) -> None:  # type: ignore[no-untyped-def]
    mug = shop["cards"][0]
    _set(session, shop, mug, 1000_00)
    _sale, back, friday, monday = _weekend(session, shop, mug, 900_00, 1000_00)
    documents.run_due(session, friday + timedelta(minutes=1))
    shop["mug"].cost_price = 900_00  # over the weekend: 1,000 ₽ is now below break-even
    session.flush()
    assert documents.run_due(session, monday + timedelta(minutes=1)) == 0
    assert back.status == "held"
    back.run_at = utcnow() - timedelta(hours=2)  # the supervisor confirms after its time
    documents.confirm(session, back, [line.id for line in back.lines if line.waits], shop["boss"])
    assert back.status == "scheduled" and back.run_at < utcnow()  # due now, not next week
    assert documents.run_due(session, utcnow()) == 1
    assert _prices(session, shop["account"])["101"][:2] == (1000_00, None)


def test_a_card_repriced_over_the_weekend_does_not_hold_the_others_return(session, shop) -> None:  # type: ignore[no-untyped-def]
    mug, tee = shop["cards"][0], shop["cards"][1]
    _set(session, shop, mug, 1000_00)
    _set(session, shop, tee, 2000_00)
    friday = utcnow() + timedelta(days=1)
    monday = friday + timedelta(days=3)
    sale = documents.draft(
        session,
        shop["list"],
        [NewPrice(mug.id, 900_00, 1000_00), NewPrice(tee.id, 1800_00, 2000_00)],
        source="manual",
        reason="",
        user=None,
    )
    back = documents.submit(session, sale, shop["boss"], run_at=friday, restore_at=monday)
    documents.run_due(session, friday + timedelta(minutes=1))
    _set(session, shop, mug, 1500_00)  # repriced by hand on Saturday
    shop["mug"].cost_price = 950_00  # its stale return (1,000 ₽) would be below cost now
    session.flush()
    assert documents.run_due(session, monday + timedelta(minutes=1)) == 1
    assert back is not None and back.status == "applied"
    prices = _prices(session, shop["account"])
    assert prices["101"][:2] == (1500_00, None) and prices["201"][:2] == (2000_00, None)


def test_a_card_priced_after_the_discount_was_planned_is_taken_back_too(session, shop) -> None:  # type: ignore[no-untyped-def]
    shop["list"].max_change_percent = 1000
    mug, tee = shop["cards"][0], shop["cards"][1]
    _set(session, shop, mug, 1000_00)
    friday = utcnow() + timedelta(days=1)
    monday = friday + timedelta(days=3)
    sale = documents.draft(
        session,
        shop["list"],
        [NewPrice(mug.id, 900_00, 1000_00), NewPrice(tee.id, 1800_00, 2000_00)],
        source="manual",
        reason="",
        user=None,
    )
    for line in sale.lines:
        if line.waits:
            line.confirmed_by_id = shop["boss"].id
    back = documents.submit(
        session, sale, shop["boss"], run_at=friday, repeat_days=7, restore_at=monday
    )
    assert back is not None and [line.listing_id for line in back.lines] == [mug.id]
    _set(session, shop, tee, 2200_00)  # the tee gets its price during the week
    documents.run_due(session, friday + timedelta(minutes=1))
    documents.run_due(session, monday + timedelta(minutes=1))
    assert _prices(session, shop["account"])["201"][:2] == (2200_00, None)


def test_a_return_of_an_open_discount_is_not_cancelled_alone(session, shop) -> None:  # type: ignore[no-untyped-def]
    mug = shop["cards"][0]
    _set(session, shop, mug, 1000_00)
    sale, back, _friday, _monday = _weekend(session, shop, mug, 900_00, 1000_00)
    with pytest.raises(DomainError) as alone:
        documents.cancel(session, back)
    assert alone.value.code == "price_return_of_open_discount"
    documents.cancel(session, sale)
    assert (sale.status, back.status) == ("cancelled", "cancelled")


@pytest.mark.parametrize("cells", [["101", "590", "nan"], ["101", "1e30", ""], ["101", "sNaN", ""]])
def test_numbers_no_price_is_are_refused_by_row(session, shop, cells) -> None:  # type: ignore[no-untyped-def]
    data = _xlsx(["SKU", "Цена", "Скидка, %"], cells)
    with pytest.raises(price_files.FileRefused) as refused:
        price_files.draft_from_file(session, shop["list"], "p.xlsx", data, None)
    assert [line for line, _code, _params in refused.value.refusals.rows] == [2]
