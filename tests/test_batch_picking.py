"""Batch picking: several orders on one cart, one tote each, every unit put in its tote."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories as f
from warehouse.errors import DomainError
from warehouse.floor import batch_picking
from warehouse.models import PickTask, ScanEvent

SHIRT, MUG = "4601234567893", "4607001234562"


@pytest.fixture
def site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    near = f.make_location(session, warehouse, "A-01", walk=1)
    far = f.make_location(session, warehouse, "B-07", walk=9)
    f.put_stock(session, f.make_product(session, "Shirt", SHIRT), far, 10)
    f.put_stock(session, f.make_product(session, "Mug", MUG), near, 10)
    picker = f.make_picker(session)
    first = f.import_order(session, account, "wb-1", (SHIRT, 1), (MUG, 1))
    second = f.import_order(session, account, "wb-2", (MUG, 2))
    return {"picker": picker, "orders": (first, second)}


@pytest.fixture
def batch(session, site):
    return batch_picking.start_batch(session, site["picker"], 4)


def scanner(session, site, batch):
    ids = iter(range(1000))

    def scan(barcode, scan_id=None):
        scan_id = scan_id or f"s{next(ids)}"
        return batch_picking.record_scan(session, batch.id, barcode, scan_id, site["picker"])

    return scan


def with_totes(session, site, batch):
    scan = scanner(session, site, batch)
    assert scan("TOTE-01").code == "tote_assigned"
    assert scan("TOTE-02").code == "tote_assigned"
    return scan


def test_start_batch_takes_the_free_tasks_and_starts_them(session, site, batch):
    assert [task.order.external_id for task in batch.tasks] == ["wb-1", "wb-2"]
    assert all(task.status == "in_progress" for task in batch.tasks)
    assert all(task.picker_id == site["picker"].id for task in batch.tasks)
    assert batch_picking.start_batch(session, site["picker"], 4) is batch  # own batch back
    with pytest.raises(DomainError) as refused:
        batch_picking.start_batch(session, f.make_picker(session, badge="B-2"), 4)
    assert refused.value.code == "no_free_tasks"
    with pytest.raises(DomainError):
        batch_picking.start_batch(session, f.make_picker(session, badge="B-3"), 7)


def test_totes_assigned_first_and_a_tote_is_used_once(session, site, batch):
    scan = scanner(session, site, batch)
    first = scan("LOC-A-01")
    assert (first.ok, first.code, first.params) == (False, "scan_tote_first", {"order": "wb-1"})
    assert scan("TOTE-01").params == {"tote": "TOTE-01", "order": "wb-1"}
    reused = scan("TOTE-01")
    assert (reused.ok, reused.code, reused.params["order"]) == (False, "tote_in_use", "wb-1")
    assert scan("TOTE-02").params == {"tote": "TOTE-02", "order": "wb-2"}
    assert [task.tote for task in batch.tasks] == ["TOTE-01", "TOTE-02"]


def test_wrong_tote_refused_and_double_product_scan_refused(session, site, batch):
    scan = with_totes(session, site, batch)
    assert scan("LOC-A-01").code == "bin_ok"
    held = scan(MUG)
    assert (held.code, held.params["tote"], held.params["order"]) == (
        "put_in_tote",
        "TOTE-01",
        "wb-1",
    )
    again = scan(MUG)
    assert (again.ok, again.code, again.params["tote"]) == (False, "put_first", "TOTE-01")
    wrong = scan("TOTE-02")
    assert (wrong.ok, wrong.code, wrong.params["tote"]) == (False, "wrong_tote", "TOTE-01")
    item = batch.tasks[0].items[0]
    assert (item.picked, item.in_hand) == (0, 1)
    assert scan("TOTE-01").code == "tote_ok"
    assert (item.picked, item.in_hand) == (1, 0)
    assert scan("TOTE-03").code == "tote_not_expected"


def test_two_orders_completed_in_walk_order(session, site, batch):
    scan = with_totes(session, site, batch)
    first, second = site["orders"]
    steps = [
        ("LOC-A-01", "bin_ok"),
        (MUG, "put_in_tote"),
        ("TOTE-01", "tote_ok"),  # wb-1's mug
        (MUG, "put_in_tote"),  # same bin, wb-2's mugs: no second bin scan
        ("TOTE-02", "tote_ok"),
        (MUG, "put_in_tote"),
        ("TOTE-02", "tote_order_done"),
        ("LOC-B-07", "bin_ok"),
        (SHIRT, "put_in_tote"),
        ("TOTE-01", "batch_done"),
    ]
    for barcode, code in steps:
        result = scan(barcode)
        assert (barcode, result.code) == (barcode, code), result
    assert batch.status == "done"
    assert [task.status for task in batch.tasks] == ["done", "done"]
    assert (first.status, second.status) == ("picked", "picked")
    stock = batch.tasks[1].items[0].line.reservations[0].stock
    assert (stock.on_hand, stock.reserved) == (7, 0)
    assert scan(MUG).code == "task_already_done"


def test_resent_scan_is_answered_from_store_not_counted(session, site, batch):
    scan = with_totes(session, site, batch)
    scan("LOC-A-01")
    scan(MUG, "product")
    first = scan("TOTE-01", "put")
    again = scan("TOTE-01", "put")
    assert (first.replayed, again.replayed, again.code) == (False, True, "tote_ok")
    assert batch.tasks[0].items[0].picked == 1
    resent_product = scan(MUG, "product")
    assert resent_product.replayed and batch.tasks[1].items[0].in_hand == 0
    assert session.scalar(select(func.count()).select_from(ScanEvent)) == 5


def test_batch_tasks_are_not_handed_to_others(session, site, batch):
    other = f.make_picker(session, badge="B-2")
    free = select(PickTask).where(PickTask.picker_id.is_(None))
    assert session.scalars(free).all() == []
    assert batch_picking.batch_for(session, batch.id, site["picker"]) is batch
    with pytest.raises(DomainError):
        batch_picking.batch_for(session, batch.id, other)


def test_packer_finds_the_order_by_its_tote(session, site, batch):
    from warehouse.floor import packing

    task = session.scalars(select(PickTask).where(PickTask.batch_id == batch.id)).first()
    task.tote, task.status, task.order.status = "TOTE-07", "done", "picked"
    assert packing.to_pack(session, " TOTE-07 ").task is task
    with pytest.raises(DomainError):
        packing.to_pack(session, "TOTE-99")


def test_short_pick_in_a_batch_reports_and_moves_on(session, site, batch):
    from warehouse.floor import shortages
    from warehouse.models import Shortage

    scan = with_totes(session, site, batch)
    picker = site["picker"]
    scan("LOC-A-01")
    scan(MUG)  # wb-1's mug in hand: it must be put before a shortage is reported
    held = shortages.report_batch_short(session, batch.id, picker, "not_in_bin")
    assert (held.ok, held.code) == (False, "put_first")
    assert scan("TOTE-01").code == "tote_ok"
    short = shortages.report_batch_short(session, batch.id, picker, "not_in_bin")
    assert (short.ok, short.code, short.params) == (
        True,
        "short_reported",
        {"product": "Mug", "missing": 2},
    )
    first, second = site["orders"]
    assert second.status == "awaiting_stock"  # wb-2 had only mugs: its task is done, short
    assert session.scalars(select(Shortage)).one().quantity == 2
    scan("LOC-B-07")
    scan(SHIRT)
    assert scan("TOTE-01").code == "batch_done"
    assert (batch.status, first.status) == ("done", "picked")


def test_short_of_the_last_item_closes_the_batch(session, site, batch):
    from warehouse.floor import shortages

    scan = with_totes(session, site, batch)
    for barcode in ("LOC-A-01", MUG, "TOTE-01", MUG, "TOTE-02", MUG, "TOTE-02", "LOC-B-07"):
        assert scan(barcode).ok
    last = shortages.report_batch_short(session, batch.id, site["picker"], "damaged")
    assert (last.code, last.task_done, batch.status) == ("short_reported", True, "done")
    again = shortages.report_batch_short(session, batch.id, site["picker"], "damaged")
    assert (again.ok, again.code) == (False, "task_not_in_progress")


def test_cancelled_order_units_in_hand_go_back_to_their_bin(session, site, batch):
    from warehouse.orders import intake

    scan = with_totes(session, site, batch)
    _first, second = site["orders"]
    for barcode in ("LOC-A-01", MUG, "TOTE-01", MUG):  # wb-1's mug put, wb-2's mug in hand
        assert scan(barcode).ok
    intake.cancel(session, second, by_marketplace=True)
    assert batch_picking.cancelled(batch) == [batch.tasks[1]]
    refused = scan("TOTE-02")
    assert (refused.ok, refused.code) == (False, "cancelled_return_to_bin")
    assert refused.params == {
        "tote": "TOTE-02",
        "order": "wb-2",
        "product": "Mug",
        "quantity": 1,
        "bin": "A-01",
    }
    back = scan("LOC-A-01")
    assert (back.ok, back.code) == (True, "returned_to_bin")
    assert batch.tasks[1].items[0].in_hand == 0
    stock = batch.tasks[0].items[0].line.reservations[0].stock  # the mug bin, on the books
    assert (stock.on_hand, stock.reserved) == (9, 0)  # one mug taken (wb-1), none reserved
    assert scan("LOC-B-07").code == "bin_ok"  # picking goes on with wb-1's shirt
    scan(SHIRT)
    assert scan("TOTE-01").code == "batch_done"


def test_batch_closes_when_its_last_open_order_is_cancelled(session, site, batch):
    from warehouse.orders import intake

    scan = with_totes(session, site, batch)
    first, _second = site["orders"]
    for barcode in ("LOC-A-01", MUG, "TOTE-01", MUG, "TOTE-02", MUG, "TOTE-02"):
        assert scan(barcode).ok
    intake.cancel(session, first, by_marketplace=True)
    assert scan("LOC-B-07").code == "task_already_done"
    assert batch.status == "done"
    putback = session.scalars(select(PickTask).where(PickTask.kind == "putback")).one()
    assert [(item.product.name, item.quantity) for item in putback.items] == [("Mug", 1)]


def test_batched_task_is_shown_once_and_cannot_be_scanned_alone(session, site, batch):
    from warehouse.floor import picking

    batches, singles = batch_picking.group(picking.open_tasks(session, site["picker"]))
    assert (batches, singles) == ([batch], [])
    task = batch.tasks[0]
    alone = picking.record_scan(session, task.id, "LOC-A-01", "alone", site["picker"])
    assert (alone.ok, alone.code) == (False, "task_in_batch")
    assert task.items[0].bin_confirmed is False


def test_a_tote_still_holding_another_cart_s_order_is_refused(session, site, batch):
    """Another picker's batch, or an order waiting at packing, still has TOTE-01: a second
    order in it could not be told apart at the pack table."""
    account = site["orders"][0].account
    f.import_order(session, account, "wb-3", (SHIRT, 1))
    f.import_order(session, account, "wb-4", (MUG, 1))
    scan = with_totes(session, site, batch)
    other_picker = f.make_picker(session, badge="B-2")
    other = batch_picking.start_batch(session, other_picker, 2)
    taken = batch_picking.record_scan(session, other.id, "TOTE-01", "o1", other_picker)
    assert (taken.ok, taken.code, taken.params) == (
        False,
        "tote_in_use",
        {"tote": "TOTE-01", "order": "wb-1"},
    )
    assert scan("LOC-A-01").ok  # the first cart goes on as before


def test_a_code_that_is_no_tote_is_told_what_a_tote_looks_like(session, site, batch):
    scan = scanner(session, site, batch)
    refused = scan("4601234567893")
    assert (refused.ok, refused.code) == (False, "not_a_tote")
    assert refused.params == {"scanned": "4601234567893", "order": "wb-1"}


def test_the_database_refuses_one_tote_for_two_orders_being_picked(session, site, batch):
    from sqlalchemy.exc import IntegrityError

    first, second = batch.tasks
    first.tote = "TOTE-05"
    session.flush()
    second.tote = "TOTE-05"
    with pytest.raises(IntegrityError):
        session.flush()
