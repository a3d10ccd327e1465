"""Scans at once and scan ids: every unit counted once, every picker's ids their own."""

from __future__ import annotations

import threading

from sqlalchemy import select

from tests import factories as f
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.models import Order, PickItem, PickTask, ScanEvent, Stock, User


def _two_to_pick(session):
    """An order of 2 mugs from a bin of 10, started and the bin scanned; another order
    holds 3 more of the bin, so a lost update cannot hide behind a CHECK."""
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    bin_ = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, f.make_product(session, "Mug", "4607001234562"), bin_, 10)
    picker = f.make_picker(session)
    order = f.import_order(session, account, "wb-race", ("4607001234562", 2))
    f.import_order(session, account, "wb-other", ("4607001234562", 3))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    picking.record_scan(session, task.id, "LOC-A-01", "bin", picker)
    session.commit()
    return task.id, picker.id


def test_three_scans_at_once_for_two_units_count_two_and_take_two(app):
    """Real threads on their own connections, each having read the item (0 picked)
    before any of them writes: the third scan must be refused, not lost."""
    with app.app_context():
        task_id, picker_id = _two_to_pick(db.session())
    barrier, answers = threading.Barrier(3), []

    def scan(scan_id: str) -> None:
        with app.app_context():
            session = db.session()
            user = session.get_one(User, picker_id)
            seen = session.get_one(PickTask, task_id)
            assert [item.picked for item in seen.items] == [0]
            barrier.wait()
            result = picking.record_scan(session, task_id, "4607001234562", scan_id, user)
            session.commit()
            answers.append(result.ok)

    threads = [threading.Thread(target=scan, args=(f"s-{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        session = db.session()
        item = session.scalar(select(PickItem).where(PickItem.task_id == task_id))
        stock = session.scalar(select(Stock))
        assert sorted(answers) == [False, True, True]
        assert item.picked == 2
        assert (stock.on_hand, stock.reserved) == (8, 3)  # two left the bin; 3 still promised


def _two_pickers(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    bin_ = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, f.make_product(session, "Mug", "4607001234562"), bin_, 10)
    pickers = [f.make_picker(session, badge=f"B-{n}", name=f"Picker {n}") for n in range(2)]
    tasks = []
    for n, picker in enumerate(pickers):
        order = f.import_order(session, account, f"wb-{n}", ("4607001234562", 1))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        tasks.append(picking.start_task(session, task.id, picker))
    return pickers, tasks


def test_another_pickers_scan_id_is_not_their_answer(session):
    (anna, boris), (annas, boris_s) = _two_pickers(session)
    picking.record_scan(session, annas.id, "LOC-A-01", "same-id", anna)
    result = picking.record_scan(session, boris_s.id, "LOC-A-01", "same-id", boris)
    assert not result.replayed
    assert (result.ok, result.code) == (True, "bin_ok")
    assert boris_s.items[0].bin_confirmed
    assert session.query(ScanEvent).count() == 2


def test_same_scan_id_on_another_task_of_the_same_picker_is_a_new_scan(session):
    (anna, _boris), (first, _other) = _two_pickers(session)
    picking.record_scan(session, first.id, "LOC-A-01", "x", anna)
    picking.record_scan(session, first.id, "4607001234562", "y", anna)
    account = first.order.account
    order = f.import_order(session, account, "wb-9", ("4607001234562", 1))
    second = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, second.id, anna)
    result = picking.record_scan(session, second.id, "LOC-A-01", "x", anna)
    assert not result.replayed and result.code == "bin_ok"


def test_an_overlong_scan_id_is_refused_and_not_stored(app, client):
    with app.app_context():
        (anna, _boris), (task, _other) = _two_pickers(db.session())
        task_id, badge = task.id, anna.badge
        db.session().commit()
    client.post("/tsd/login", data={"badge": badge})
    response = client.post(
        f"/tsd/tasks/{task_id}/scan",
        data={"barcode": "LOC-A-01", "scan_id": "x" * 100_000},
        headers={"HX-Request": "true"},
    )
    assert 400 <= response.status_code < 500
    with app.app_context():
        assert db.session().query(ScanEvent).count() == 0


def _batch_holding_one_mug(session):
    """A batch of one order (2 mugs) with its tote, the bin scanned; ``hold``: 1 in hand."""
    from warehouse.floor import batch_picking

    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    bin_ = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, f.make_product(session, "Mug", "4607001234562"), bin_, 10)
    picker = f.make_picker(session)
    f.import_order(session, account, "wb-batch", ("4607001234562", 2))
    batch = batch_picking.start_batch(session, picker, 4)
    for n, code in enumerate(("TOTE-01", "LOC-A-01")):
        batch_picking.record_scan(session, batch.id, code, f"setup-{n}", picker)
    session.commit()
    return batch.id, picker.id


def _at_once(app, batch_id, picker_id, barcodes):
    from warehouse.floor import batch_picking
    from warehouse.models import PickBatch

    barrier, answers = threading.Barrier(len(barcodes)), []

    def scan(n: int, barcode: str) -> None:
        with app.app_context():
            session = db.session()
            user = session.get_one(User, picker_id)
            seen = session.get_one(PickBatch, batch_id)
            assert [item.in_hand for task in seen.tasks for item in task.items]
            barrier.wait()
            result = batch_picking.record_scan(session, batch_id, barcode, f"at-once-{n}", user)
            session.commit()
            answers.append(result.code)

    threads = [threading.Thread(target=scan, args=pair) for pair in enumerate(barcodes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        item = db.session().scalar(select(PickItem))
        stock = db.session().scalar(select(Stock))
        return sorted(answers), (item.in_hand, item.picked), (stock.on_hand, stock.reserved)


def test_batch_two_product_scans_at_once_take_one_in_hand_and_refuse_the_other(app):
    with app.app_context():
        batch_id, picker_id = _batch_holding_one_mug(db.session())
    answers, item, stock = _at_once(app, batch_id, picker_id, ["4607001234562"] * 2)
    assert answers == ["put_first", "put_in_tote"] and item == (1, 0) and stock == (10, 2)


def test_batch_two_tote_scans_at_once_put_the_unit_in_hand_once(app):
    from warehouse.floor import batch_picking

    with app.app_context():
        batch_id, picker_id = _batch_holding_one_mug(db.session())
        session = db.session()
        user = session.get_one(User, picker_id)
        batch_picking.record_scan(session, batch_id, "4607001234562", "one", user)
        session.commit()
    answers, item, stock = _at_once(app, batch_id, picker_id, ["TOTE-01"] * 2)
    assert "tote_ok" in answers and answers.count("tote_ok") == 1
    assert item == (0, 1) and stock == (9, 1)


def test_two_marking_codes_at_once_for_the_last_marked_unit_keep_one(app):
    """Two Честный знак codes scanned at once for one marked unit: one is counted and
    kept, the other is refused in words (not a 500) and its code is not kept."""
    from tests.test_marking import CLOTHES, WATER
    from tests.test_races import _at_once

    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        bin_ = f.make_location(session, warehouse, "A-01")
        shirt = f.make_product(session, "Shirt", "4601234567893")
        shirt.needs_marking = True
        f.put_stock(session, shirt, bin_, 5)
        picker = f.make_picker(session)
        order = f.import_order(session, account, "wb-marked", ("4601234567893", 1))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picking.start_task(session, task.id, picker)
        picking.record_scan(session, task.id, "LOC-A-01", "bin", picker)
        session.commit()
        task_id, picker_id, order_id = task.id, picker.id, order.id
    codes = (CLOTHES, WATER)

    def scan(n: int, barrier: threading.Barrier) -> tuple[bool, str]:
        session = db.session()
        user = session.get_one(User, picker_id)
        barrier.wait()
        result = picking.record_scan(session, task_id, codes[n], f"m-{n}", user)
        session.commit()
        return result.ok, result.code

    answers = _at_once(app, 2, scan)
    with app.app_context():
        session = db.session()
        kept = picking.marking_codes(session, session.get_one(Order, order_id))
        item = session.scalar(select(PickItem).where(PickItem.task_id == task_id))
    assert all(isinstance(answer, tuple) for answer in answers), answers  # no exception
    assert sorted(ok for ok, _code in answers) == [False, True]
    assert {code for ok, code in answers if not ok} <= {"item_already_picked", "task_already_done"}
    assert item.picked == 1
    assert len([code for line_codes in kept.values() for code in line_codes]) == 1
