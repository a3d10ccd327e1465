"""The desk's orders window: each filter and the search narrow to exactly the orders they
name, keyset pages neither repeat nor skip, a broken link is refused in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from warehouse.models import (
    IssuedSscc,
    MarketplaceAccount,
    Order,
    OrderLine,
    OrderNumber,
    OutboxCommand,
    Parcel,
    PickItem,
    PickTask,
    Printer,
    PrintJob,
    Shortage,
)
from warehouse.orders import numbers
from warehouse.shift import orders_window as w

# 12:00 in Moscow: «today» runs until 21:00 UTC
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _account(session, warehouse, kind="wb", name="WB one") -> MarketplaceAccount:
    account = f.make_account(session, warehouse)
    account.kind, account.name = kind, name
    return account


def _order(
    session,
    account,
    external,
    *,
    status="reserved",
    ship_by=None,
    group="",
    raw=None,
    marketplace_status="new",
    lines=(("ART-1", "4600000000017"),),
) -> Order:
    order = Order(
        account=account,
        external_id=external,
        group_id=group,
        marketplace_status=marketplace_status,
        status=status,
        ship_by=ship_by,
        raw=raw or {},
    )
    for article, barcode in lines:
        order.lines.append(OrderLine(article=article, barcode=barcode, quantity=1))
    kept = numbers.of(account.kind, order.external_id, order.group_id or "", order.raw)
    order.numbers = [OrderNumber(number=number) for number in kept]
    session.add(order)
    session.flush()
    return order


def _found(session, now=NOW, **args) -> list[str]:
    filters = w.read_filters({name: str(value) for name, value in args.items()})
    page = w.page(session, filters, now=now, size=500)
    return [row.order.external_id for row in page.rows]


@pytest.fixture
def shop(session):
    warehouse = f.make_warehouse(session)
    return warehouse, _account(session, warehouse), _account(session, warehouse, "ozon", "Ozon")


def test_marketplace_account_and_status_filters_narrow(session, shop):
    warehouse, wb, ozon = shop
    wb_two = _account(session, warehouse, "wb", "WB two")
    _order(session, wb, "wb-1", ship_by=NOW + HOUR)
    _order(session, wb_two, "wb-2", ship_by=NOW + 2 * HOUR, status="packed")
    _order(session, ozon, "oz-1", ship_by=NOW + 3 * HOUR)
    _order(session, ozon, "oz-gone", ship_by=NOW - 48 * HOUR, status="delivered")
    _order(session, wb, "wb-cancelled", status="cancelled")
    assert _found(session) == ["wb-1", "wb-2", "oz-1"]  # in work, by deadline
    assert _found(session, marketplace="ozon") == ["oz-1"]
    assert _found(session, marketplace="wb", account=wb_two.id) == ["wb-2"]
    assert _found(session, status="packed") == ["wb-2"]
    assert _found(session, status="all") == ["oz-gone", "wb-1", "wb-2", "oz-1", "wb-cancelled"]
    assert _found(session, status="delivered", marketplace="ozon") == ["oz-gone"]


def test_ship_by_days_are_moscow_days_and_a_range_takes_both_ends(session, shop):
    _, wb, _ = shop
    _order(session, wb, "yesterday", ship_by=datetime(2026, 12, 6, 20, 0, tzinfo=UTC))
    _order(session, wb, "this-morning", ship_by=datetime(2026, 12, 7, 6, 0, tzinfo=UTC))
    _order(session, wb, "tonight", ship_by=datetime(2026, 12, 7, 20, 59, tzinfo=UTC))
    # 00:30 on the 8th in Moscow, still the 7th in UTC: tomorrow
    _order(session, wb, "after-midnight", ship_by=datetime(2026, 12, 7, 21, 30, tzinfo=UTC))
    _order(session, wb, "in-three-days", ship_by=datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _order(session, wb, "no-deadline")
    assert _found(session, ship="today") == ["this-morning", "tonight"]
    assert _found(session, ship="tomorrow") == ["after-midnight"]
    assert _found(session, ship="overdue") == ["yesterday", "this-morning"]
    assert _found(session, ship="range", **{"from": "2026-12-08", "to": "2026-12-10"}) == [
        "after-midnight",
        "in-three-days",
    ]
    assert _found(session, to="2026-12-06") == ["yesterday"]  # a date alone is a range
    assert _found(session, **{"from": "2026-12-09"}) == ["in-three-days"]


def _task_item(session, order, product, location) -> PickItem:
    task = PickTask(warehouse_id=location.warehouse_id, order_id=order.id)
    item = PickItem(
        line_id=order.lines[0].id, product_id=product.id, location_id=location.id, quantity=1
    )
    task.items.append(item)
    session.add(task)
    session.flush()
    return item


def test_problem_filters_narrow_to_their_orders(session, shop):
    warehouse, wb, ozon = shop
    product = f.make_product(session, "Кружка", "4600000000024")
    location = f.make_location(session, warehouse, "A-1")
    printer = f.make_printer(session, warehouse, ("127.0.0.1", 9))
    short = _order(session, wb, "short", ship_by=NOW + 30 * HOUR)
    resolved = _order(session, wb, "short-resolved", ship_by=NOW + 30 * HOUR)
    for order, status in ((short, "open"), (resolved, "cancelled")):
        item = _task_item(session, order, product, location)
        session.add(
            Shortage(
                item_id=item.id, order_id=order.id, quantity=1, reason="damaged", status=status
            )
        )
    _order(session, ozon, "unpaid", marketplace_status="UNPAID/WAITING_USER_INPUT")
    unlabelled = _order(session, wb, "no-label", status="packed")
    misprinted = _order(session, wb, "print-failed", status="labelled")
    reprinted = _order(session, wb, "print-failed-then-printed", status="labelled")
    session.add(Parcel(order_id=unlabelled.id, label_barcode=""))
    for order, statuses in (
        (misprinted, ("printed", "failed")),
        (reprinted, ("failed", "printed")),
    ):
        parcel = Parcel(order_id=order.id, label_barcode=f"*{order.external_id}")
        session.add(parcel)
        session.flush()
        for status in statuses:
            session.add(_job(printer, parcel, status))
    failing = _order(session, wb, "failing")
    failed = _order(session, wb, "failed")
    quiet = _order(session, wb, "quiet")
    for order, status, attempts in (
        (failing, "pending", 2),
        (failed, "failed", 1),
        (quiet, "pending", 0),
        (quiet, "done", 3),
    ):
        session.add(
            OutboxCommand(
                account=wb, order_id=order.id, kind="confirm", status=status, attempts=attempts
            )
        )
    _order(session, wb, "late", ship_by=NOW - HOUR, status="picking")
    _order(session, wb, "gone-late", ship_by=NOW - HOUR, status="handed_over")
    _order(session, wb, "soon", ship_by=NOW + 3 * HOUR)
    _order(session, wb, "soon-packed", ship_by=NOW + 3 * HOUR, status="packed")
    _order(session, wb, "later", ship_by=NOW + 5 * HOUR)
    session.flush()
    assert _found(session, problem="short") == ["short"]
    assert _found(session, problem="unpaid") == ["unpaid"]
    assert _found(session, problem="no_label") == ["no-label", "print-failed"]
    assert _found(session, problem="failed_command") == ["failing", "failed"]
    assert _found(session, problem="late") == ["late"]
    assert _found(session, problem="late", status="all") == ["late"]  # handed over: not late
    assert _found(session, problem="at_risk") == ["soon"]
    rows = {
        row.order.external_id: row for row in w.page(session, w.Filters(), now=NOW, size=99).rows
    }
    assert rows["short"].problems == ["short"] and rows["unpaid"].problems == ["unpaid"]
    assert rows["failing"].problems == ["failed_command"] and rows["quiet"].problems == []
    assert rows["late"].late and not rows["late"].at_risk and rows["late"].hours_left == -1
    assert rows["soon"].at_risk and not rows["soon-packed"].at_risk and not rows["later"].at_risk


def _job(printer: Printer, parcel: Parcel, status: str) -> PrintJob:
    return PrintJob(printer_id=printer.id, parcel_id=parcel.id, kind="marketplace", status=status)


def test_search_finds_an_order_by_each_of_its_numbers_and_codes(session, shop):
    _, wb, ozon = shop
    mug = f.make_product(session, "Кружка", "4600000000024", ("4600000000031", 6), article="MUG")
    wb_order = _order(
        session,
        wb,
        "1234567",
        group="cart-9",
        raw={"rid": "f00d.r1", "orderUid": "cart-9"},
        lines=(("TSHIRT-M", "4600000000048"),),
    )
    _order(session, ozon, "0101-0002-1", raw={"order_id": 31337}, status="delivered")
    mug_order = _order(session, ozon, "0101-0003-1", lines=(("оффер-кружка", ""),))
    mug_order.lines[0].product_id = mug.id
    _order(session, wb, "7654321")  # found by nothing below
    parcel = Parcel(order_id=wb_order.id, label_barcode="*WB-STICKER-1")
    session.add(parcel)
    session.flush()
    session.add(
        IssuedSscc(
            code="195299990000000017",
            company_prefix="9529999",
            extension=1,
            serial=1,
            parcel_id=parcel.id,
        )
    )
    session.flush()
    for q, expected in (
        ("1234567", ["1234567"]),
        ("cart-9", ["1234567"]),
        ("f00d.r1", ["1234567"]),
        ("*WB-STICKER-1", ["1234567"]),
        ("00195299990000000017", ["1234567"]),  # our box label, as scanned with its AI
        ("TSHIRT-M", ["1234567"]),
        ("4600000000048", ["1234567"]),
        ("31337", ["0101-0002-1"]),  # delivered: a search looks beyond «in work»
        ("MUG", ["0101-0003-1"]),
        ("4600000000031", ["0101-0003-1"]),  # the product's pack barcode
        ("nothing-like-it", []),
    ):
        assert _found(session, q=q) == expected, q
    assert _found(session, q="31337", status="in_work") == ["0101-0002-1"]
    assert _found(session, q="31337", status="packed") == []  # a chosen status still narrows
    assert _found(session, q="1234567", marketplace="ozon") == []


def test_keyset_pages_neither_repeat_nor_skip_across_equal_deadlines(session, shop):
    _, wb, ozon = shop
    same = NOW + 5 * HOUR
    made = []
    for n in range(7):
        made.append(_order(session, wb if n % 2 else ozon, f"same-{n}", ship_by=same))
    made.append(_order(session, wb, "earlier", ship_by=NOW + HOUR))
    made += [_order(session, wb, f"undated-{n}") for n in range(4)]
    made.append(_order(session, wb, "latest", ship_by=NOW + 50 * HOUR))
    expected = sorted(
        made, key=lambda o: (o.ship_by is None, o.ship_by or NOW, o.id)
    )  # (ship_by NULLS LAST, id)
    seen: list[int] = []
    cursor = None
    for _ in range(20):
        page = w.page(session, w.Filters(), cursor, now=NOW, size=3)
        seen += [row.order.id for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = w.Cursor.decode(page.next_cursor)
    assert seen == [order.id for order in expected]
    assert len(seen) == len(set(seen)) == 13


def test_the_last_full_page_knows_it_is_the_last(session, shop):
    _, wb, _ = shop
    for n in range(3):
        _order(session, wb, f"o-{n}", ship_by=NOW + n * HOUR)
    first = w.page(session, w.Filters(), now=NOW, size=3)
    assert len(first.rows) == 3 and first.next_cursor is None and first.first


@pytest.mark.parametrize(
    "after",
    ["garbage!", "", "LS4w", "MTIzNA", "LS4tMQ", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OS4x", "w6k"],
)
def test_a_cursor_that_does_not_decode_is_refused(after):
    if not after:
        assert w.read_cursor({"after": after}) is None
        return
    with pytest.raises(w.BadFilter) as refused:
        w.read_cursor({"after": after})
    assert refused.value.params["name"] == "after"


def test_a_cursor_round_trips():
    moment = datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=UTC)
    for cursor in (w.Cursor(moment, 42), w.Cursor(None, 7)):
        assert w.Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ({"from": "2026-13-45"}, "from"),
        ({"to": "tomorrow"}, "to"),
        ({"status": "lost"}, "status"),
        ({"marketplace": "aliexpress"}, "marketplace"),
        ({"account": "1; drop"}, "account"),
        ({"account": str(2**63)}, "account"),
        ({"ship": "yesterday"}, "ship"),
        ({"problem": "all"}, "problem"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_a_filter_the_form_cannot_produce_is_refused_by_name(args, name):
    with pytest.raises(w.BadFilter) as refused:
        w.read_filters(args)
    assert refused.value.params["name"] == name


def test_filters_go_back_into_a_link_without_their_defaults():
    filters = w.read_filters({"q": " 123 ", "status": "in_work", "from": "2026-12-08"})
    assert filters.query() == {"ship": "range", "from": "2026-12-08", "q": "123"}
    assert w.read_filters(filters.query()) == filters
    assert w.Filters().query() == {}
