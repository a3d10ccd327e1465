"""Picking rules: every scan checked against the reserved order, nothing counted twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories as f
from warehouse.errors import DomainError
from warehouse.floor import picking
from warehouse.models import Order, OutboxCommand, PickTask, ScanEvent, Stock
from warehouse.orders import intake


@pytest.fixture
def site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    near = f.make_location(session, warehouse, "A-01", walk=1)
    far = f.make_location(session, warehouse, "B-07", walk=9)
    shirt = f.make_product(session, "Shirt", "4601234567893", ("14601234567890", 3))
    mug = f.make_product(session, "Mug", "4607001234562")
    f.put_stock(session, shirt, far, 10)
    f.put_stock(session, mug, near, 10)
    picker = f.make_picker(session)
    return {"account": account, "picker": picker, "near": near, "far": far}


def started(session, site, *lines):
    order = f.import_order(session, site["account"], "wb-1", *lines)
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    return picking.start_task(session, task.id, site["picker"])


def scan(session, site, task, barcode, scan_id):
    return picking.record_scan(session, task.id, barcode, scan_id, site["picker"])


def test_import_reserves_creates_task_in_walk_order_and_queues_confirm(session, site):
    order = f.import_order(
        session, site["account"], "wb-1", ("4601234567893", 2), ("4607001234562", 1)
    )
    assert order.status == "reserved"
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    assert [item.location.code for item in task.items] == ["A-01", "B-07"]
    assert (
        session.scalar(select(OutboxCommand.kind).where(OutboxCommand.order_id == order.id))
        == "confirm"
    )
    assert task.items[1].line.reservations[0].stock.reserved == 2


def test_import_is_idempotent(session, site):
    f.import_order(session, site["account"], "wb-1", ("4601234567893", 1))
    f.import_order(session, site["account"], "wb-1", ("4601234567893", 1))
    assert session.scalar(select(func.count()).select_from(PickTask)) == 1


def test_not_enough_stock_waits_and_reserves_nothing(session, site):
    order = f.import_order(session, site["account"], "wb-1", ("4607001234562", 11))
    assert order.status == "awaiting_stock"
    assert session.scalar(select(func.count()).select_from(PickTask)) == 0


def test_unknown_product_waits(session, site):
    order = f.import_order(session, site["account"], "wb-1", ("0000000000000", 1))
    assert order.status == "awaiting_stock"
    assert order.lines[0].product is None


def test_full_pick_with_refusals(session, site):
    task = started(session, site, ("4601234567893", 1))
    assert scan(session, site, task, "4601234567893", "s1").code == "scan_bin_first"
    wrong_bin = scan(session, site, task, "LOC-A-01", "s2")
    assert (wrong_bin.ok, wrong_bin.code) == (False, "wrong_bin")
    assert scan(session, site, task, "LOC-B-07", "s3").code == "bin_ok"
    wrong = scan(session, site, task, "4607001234562", "s4")
    assert (wrong.ok, wrong.code, wrong.params["scanned"]) == (False, "wrong_product", "Mug")
    unknown = scan(session, site, task, "2999999999999", "s5")
    assert (unknown.ok, unknown.code) == (False, "unknown_barcode")
    assert task.items[0].picked == 0
    done = scan(session, site, task, "4601234567893", "s6")
    assert (done.ok, done.code, done.task_done) == (True, "task_done", True)
    assert task.status == "done" and task.order.status == "picked"
    stock = task.items[0].line.reservations[0].stock
    assert (stock.on_hand, stock.reserved) == (9, 0)


def test_over_pick_refused_and_pack_barcode_counts_its_quantity(session, site):
    task = started(session, site, ("4601234567893", 4))
    scan(session, site, task, "LOC-B-07", "b")
    assert scan(session, site, task, "14601234567890", "pack").params["picked"] == 3
    over = scan(session, site, task, "14601234567890", "pack-again")
    assert (over.ok, over.code, over.params["remaining"]) == (False, "over_pick", 1)
    assert scan(session, site, task, "4601234567893", "last").task_done


def test_repeated_scan_id_is_answered_from_store_not_counted(session, site):
    task = started(session, site, ("4601234567893", 3))
    scan(session, site, task, "LOC-B-07", "b")
    first = scan(session, site, task, "4601234567893", "same")
    again = scan(session, site, task, "4601234567893", "same")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.params == first.params
    assert task.items[0].picked == 1
    assert session.scalar(select(func.count()).select_from(ScanEvent)) == 2


def test_two_pickers_cannot_take_one_task(session, site):
    task = started(session, site, ("4601234567893", 1))
    other = f.make_picker(session, badge="B-2")
    with pytest.raises(DomainError) as refused:
        picking.start_task(session, task.id, other)
    assert refused.value.code == "task_taken"


def test_next_task_gives_own_then_assigned_then_most_urgent_and_never_the_same_twice(session, site):
    from datetime import timedelta

    from warehouse.models import utcnow

    late = f.import_order(session, site["account"], "late", ("4607001234562", 1))
    soon = f.import_order(session, site["account"], "soon", ("4607001234562", 1))
    assigned = f.import_order(session, site["account"], "mine", ("4607001234562", 1))
    tasks = {
        order.external_id: session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        for order in (late, soon, assigned)
    }
    tasks["late"].ship_by = utcnow() + timedelta(hours=5)
    tasks["soon"].ship_by = utcnow() + timedelta(hours=1)
    other = f.make_picker(session, badge="B-2")
    tasks["mine"].picker_id = other.id  # the supervisor assigned it to the other picker

    first = picking.next_task(session, site["picker"])
    assert first is tasks["soon"]  # most urgent free one
    assert picking.next_task(session, site["picker"]) is first  # own task in progress
    assert picking.next_task(session, other) is tasks["mine"]  # assigned to them
    with pytest.raises(DomainError):
        picking.start_task(session, tasks["mine"].id, site["picker"])
    third = f.make_picker(session, badge="B-3")
    assert picking.next_task(session, third) is tasks["late"]
    assert picking.next_task(session, f.make_picker(session, badge="B-4")) is None


def test_bin_scan_can_be_switched_off(session, site):
    task = started(session, site, ("4601234567893", 1))
    result = picking.record_scan(
        session, task.id, "4601234567893", "no-bin", site["picker"], require_bin=False
    )
    assert result.task_done


@pytest.mark.parametrize(
    ("barcode", "units"),
    [
        ("04601234567893", 1),  # GTIN-14 of the EAN-13
        ("]E04601234567893", 1),  # EAN-13 with the scanner's AIM prefix
        ("(01)04601234567893", 1),  # a GS1 element string with brackets
        ("]C10104601234567893", 1),  # GS1-128 on a carton: AI 01
        ("0114601234567890", 3),  # the pack's GTIN-14 in a GS1-128: counts the pack
    ],
)
def test_any_form_of_the_products_gtin_is_recognised(session, site, barcode, units):
    task = started(session, site, ("4601234567893", 4))
    scan(session, site, task, "LOC-B-07", "b")
    result = scan(session, site, task, barcode, "gtin")
    assert (result.ok, result.params.get("picked")) == (True, units)


def test_upc_and_ean8_match_their_padded_forms_and_bad_check_digits_do_not(session, site):
    from warehouse.stock import inventory

    upc = f.make_product(session, "Cereal", "036000291452")  # UPC-A, stored as 12 digits
    ean8 = f.make_product(session, "Gum", "96385074")
    assert inventory.product_by_barcode(session, "0036000291452").product is upc  # as EAN-13
    assert inventory.product_by_barcode(session, "00000096385074").product is ean8
    assert inventory.product_by_barcode(session, "4601234567894") is None  # check digit off
    assert inventory.product_by_barcode(session, "(01)04601234567894") is None


def test_two_pickers_pressing_at_once_on_two_connections_get_one_task_each_time(app):
    """Real concurrency (two sessions, two threads): SQLite ignores FOR UPDATE, the claim
    must still let exactly one picker have the task."""
    import threading

    from warehouse.infra import db

    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        f.put_stock(
            session,
            f.make_product(session, "Mug", "4607001234562"),
            f.make_location(session, warehouse, "A-01"),
            10,
        )
        badges = [f.make_picker(session, badge=f"B-{n}").badge for n in range(2)]
        order = f.import_order(session, account, "wb-race", ("4607001234562", 1))
        task_id = session.scalar(select(PickTask.id).where(PickTask.order_id == order.id))
        session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def press(badge):
        from warehouse.models import User

        with app.app_context():
            session = db.session()
            user = session.scalar(select(User).where(User.badge == badge))
            barrier.wait()
            try:
                picking.start_task(session, task_id, user)
                session.commit()
                outcomes.append("taken")
            except DomainError as exc:
                session.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=press, args=(badge,)) for badge in badges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["taken", "task_taken"]


def test_a_page_of_orders_is_reserved_first_come_first_served_each_all_or_nothing(session, site):
    """One page, ten shirts and ten mugs: the first order takes six shirts; the second
    wants three mugs and six shirts, only four are left, so it waits with nothing
    reserved (not even its mugs); the third takes the four shirts. A task and a confirm
    for the first and the third only."""
    page = [
        f.incoming("wb-1", ("4601234567893", 6)),
        f.incoming("wb-2", ("4607001234562", 3), ("4601234567893", 6)),
        f.incoming("wb-3", ("4601234567893", 4)),
    ]
    result = intake.import_orders(session, site["account"], page)
    session.commit()
    assert (result.created, result.reserved, result.awaiting_stock) == (3, 2, 1)
    orders = {order.external_id: order for order in session.scalars(select(Order))}
    statuses = [orders[number].status for number in ("wb-1", "wb-2", "wb-3")]
    assert statuses == ["reserved", "awaiting_stock", "reserved"]
    assert not [r for line in orders["wb-2"].lines for r in line.reservations]
    shirts = session.scalar(select(Stock).where(Stock.location_id == site["far"].id))
    mugs = session.scalar(select(Stock).where(Stock.location_id == site["near"].id))
    assert (shirts.reserved, mugs.reserved) == (10, 0)
    taken = sorted([orders["wb-1"].id, orders["wb-3"].id])
    assert sorted(session.scalars(select(PickTask.order_id))) == taken
    confirms = select(OutboxCommand.order_id).where(OutboxCommand.kind == "confirm")
    assert sorted(session.scalars(confirms)) == taken
