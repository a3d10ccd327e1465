"""Two people (or two taps, or two jobs) doing the same thing at the same moment.

Each test starts real threads, each on its own connection, that all read what they act on
before any of them writes (a barrier), then act at once. On SQLite and on PostgreSQL
(``.ci/run``) one of them does the thing, the other is told in words, nothing is done twice
and no request ends in a 500. Figures go to ``test-artifacts/reliability/races.json``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests import figures
from warehouse.errors import DomainError
from warehouse.floor import packing, picking, shortages
from warehouse.infra import db
from warehouse.models import (
    MarketplaceAccount,
    Order,
    OutboxCommand,
    Parcel,
    PickItem,
    PickTask,
    PrintJob,
    Product,
    Reservation,
    Shortage,
    Stock,
    User,
    Warehouse,
)
from warehouse.orders import intake

MUG, CUP = "4607001234562", "4607001234579"


def _at_once(app, count: int, act: Callable[[int, threading.Barrier], Any]) -> list[Any]:  # type: ignore[no-untyped-def]
    """``act(n, barrier)`` in ``count`` threads, each in its own app context; their answers
    (or the exception each raised) in thread order."""
    barrier, answers = threading.Barrier(count, timeout=30), [None] * count

    def run(n: int) -> None:
        with app.app_context():
            try:
                answers[n] = act(n, barrier)
            except Exception as exc:
                db.session().rollback()
                answers[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not any(thread.is_alive() for thread in threads)
    return answers


def _site(session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A WB order of 2 mugs (bin A-01) and 1 cup (bin B-01), started by a picker."""
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    mugs, cups = (
        f.make_location(session, warehouse, "A-01", 1),
        f.make_location(session, warehouse, "B-01", 2),
    )
    f.put_stock(session, f.make_product(session, "Mug", MUG), mugs, 5)
    f.put_stock(session, f.make_product(session, "Cup", CUP), cups, 5)
    picker = f.make_picker(session)
    order = f.import_order(session, account, "wb-1", (MUG, 2), (CUP, 1))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    session.commit()
    return {"task": task.id, "picker": picker.id, "order": order.id, "account": account.id}


def test_two_taps_on_no_goods_report_one_shortage_and_never_the_next_item(app):
    """Gloves press «Нет в ячейке» twice on the mugs: one shortage of 2 mugs; the cups,
    next on the list, are not reported."""
    with app.app_context():
        site = _site(db.session())
        mugs = db.session().scalar(select(PickItem.id).order_by(PickItem.walk_order))

    def tap(n: int, barrier: threading.Barrier) -> str:
        session = db.session()
        user = session.get_one(User, site["picker"])
        picking.task_for(session, site["task"], user).items  # noqa: B018 — read before
        barrier.wait()
        result = shortages.report_short(session, site["task"], user, "not_in_bin", mugs)
        session.commit()
        return result.code

    answers = _at_once(app, 2, tap)
    assert sorted(answers) == ["short_already_reported", "short_reported"], answers
    with app.app_context():
        session = db.session()
        items = session.execute(
            select(PickItem.quantity, PickItem.short).order_by(PickItem.walk_order)
        ).all()
        assert [tuple(item) for item in items] == [(2, 2), (1, 0)]
        assert session.scalar(select(func.count(Shortage.id))) == 1
    figures.record("races", "short_double_tap", {"taps": 2, "shortages": 1})


def test_a_second_tap_through_the_page_is_refused_in_words(app, client):
    """The same, one tap after the other through the ТСД's page: the second answer says
    it is reported already, and the cups are still to pick."""
    with app.app_context():
        site = _site(db.session())
        mugs = db.session().scalar(select(PickItem.id).order_by(PickItem.walk_order))
    client.post("/tsd/login", data={"badge": "B-1"})
    url = f"/tsd/tasks/{site['task']}/short"
    first = client.post(url, data={"reason": "not_in_bin", "item": mugs})
    again = client.post(url, data={"reason": "not_in_bin", "item": mugs})
    assert first.status_code == 200
    assert again.status_code == 422
    assert "уже записана" in again.get_data(as_text=True)
    with app.app_context():
        shorts = db.session().scalars(select(PickItem.short).order_by(PickItem.walk_order))
        assert list(shorts) == [2, 0]


def test_two_supervisors_deciding_one_shortage_at_once_one_decides(app):
    with app.app_context():
        site = _site(db.session())
        session = db.session()
        user = session.get_one(User, site["picker"])
        shortages.report_short(session, site["task"], user, "damaged")
        mugs = session.scalar(select(Product).where(Product.name == "Mug"))
        warehouse = session.get_one(Warehouse, session.scalar(select(Warehouse.id)))
        f.put_stock(session, mugs, f.make_location(session, warehouse, "C-01"), 5)  # elsewhere
        session.commit()
        shortage_id = session.scalar(select(Shortage.id))
    actions = ("pick_elsewhere", "cancel")

    def decide(n: int, barrier: threading.Barrier) -> str:
        session = db.session()
        session.get_one(Shortage, shortage_id).order.lines  # noqa: B018 — read before
        barrier.wait()
        try:
            shortage = shortages.resolve(session, shortage_id, actions[n])
        except DomainError as exc:
            session.rollback()
            return exc.code
        session.commit()
        return shortage.status

    answers = _at_once(app, 2, decide)
    assert "shortage_decided" in answers and len(set(answers)) == 2, answers
    with app.app_context():
        session = db.session()
        status = session.scalar(select(Shortage.status))
        order = session.get_one(Order, site["order"])
        assert status == next(a for a in answers if a != "shortage_decided")
        tasks = session.scalar(select(func.count(PickTask.id)).where(PickTask.kind == "pick"))
        if status == "cancelled":
            assert order.status == "cancelled"
            assert session.scalar(select(func.sum(Stock.reserved))) == 0
            assert tasks == 1  # no task made for goods of a cancelled order
        else:
            assert order.status == "reserved" and tasks == 2
        ledger_ok = session.scalar(
            select(func.count(Stock.id)).where(Stock.reserved > Stock.on_hand)
        )
        assert ledger_ok == 0
    figures.record("races", "shortage_two_supervisors", {"decisions": 2, "done": 1})


def _picked(session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Three mugs picked for one order (a pack barcode counts one at a time here)."""
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    bin_ = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, f.make_product(session, "Mug", MUG), bin_, 10)
    picker = f.make_picker(session)
    order = f.import_order(session, account, "wb-pack", (MUG, 3))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    for n, code in enumerate(("LOC-A-01", MUG, MUG, MUG)):
        picking.record_scan(session, task.id, code, f"p-{n}", picker)
    f.make_printer(session, warehouse, ("127.0.0.1", 9))
    session.commit()
    assert order.status == "picked"
    return {"task": task.id, "picker": picker.id, "order": order.id, "warehouse": warehouse.id}


def test_four_check_scans_at_once_for_three_units_count_three(app):
    """At the pack table the packer's scans arrive at once (a queue emptied after Wi-Fi
    came back): each unit is counted, none twice, the fourth is refused."""
    with app.app_context():
        site = _picked(db.session())

    def check(n: int, barrier: threading.Barrier) -> str:
        session = db.session()
        user = session.get_one(User, site["picker"])
        packing.task_for_packing(session, site["task"]).items  # noqa: B018 — read before
        barrier.wait()
        result = packing.verify_scan(session, site["task"], MUG, f"v-{n}", user)
        session.commit()
        return result.code

    answers = _at_once(app, 4, check)
    assert answers.count("verify_extra") == 1, answers
    with app.app_context():
        assert db.session().scalar(select(PickItem.verified)) == 3
    figures.record("races", "verify_at_once", {"scans": 4, "units": 3, "counted": 3})


def test_a_double_tap_on_pack_makes_one_parcel_and_one_label(app, monkeypatch):
    """Both taps pass the «not packed yet» check before either writes; the second finds
    the parcel made and is answered with the first one's print job, not a 500."""
    app.config["PACK_VERIFY_MARKETPLACES"] = ()
    with app.app_context():
        site = _picked(db.session())
    barrier = threading.Barrier(2, timeout=10)
    real = packing.label_printer
    waited: list[bool] = []

    def both_past_the_check(*args: Any, **kwargs: Any) -> packing.LabelPrinter:
        if len(waited) < 2:  # the first pass of each tap; the repeat after the clash goes on
            waited.append(True)
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(packing, "label_printer", both_past_the_check)
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        client.post("/tsd/login", data={"badge": "B-1"})

    def tap(n: int, _barrier: threading.Barrier) -> tuple[int, str]:
        answer = clients[n].post(f"/tsd/tasks/{site['task']}/pack", data={"package": "bag"})
        return answer.status_code, answer.get_data(as_text=True)

    answers = _at_once(app, 2, tap)
    assert [status for status, _ in answers] == [200, 200], answers
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count(Parcel.id))) == 1
        assert session.scalar(select(func.count(PrintJob.id))) == 1
        kinds = sorted(session.scalars(select(OutboxCommand.kind)))
        assert kinds.count("pack") == 1 and kinds.count("ship") == 1
    figures.record("races", "pack_double_tap", {"taps": 2, "parcels": 1, "labels": 1})


def test_imports_of_one_cabinet_at_once_import_each_order_once(app):
    """Three imports of the same page at once (the cron's, «Загрузить сейчас», a second
    worker): every order once, reserved once, confirmed once, none failing."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account_id = f.make_account(session, warehouse).id
        f.put_stock(
            session,
            f.make_product(session, "Mug", MUG),
            f.make_location(session, warehouse, "A"),
            8,
        )
        session.commit()
    page = [f.incoming(f"wb-{n}", (MUG, 1)) for n in range(10)]

    def import_page(n: int, barrier: threading.Barrier) -> int:
        session = db.session()
        account = session.get_one(MarketplaceAccount, account_id)
        barrier.wait()
        result = intake.import_orders(session, account, page)
        session.commit()
        return result.created

    answers = _at_once(app, 3, import_page)
    assert sorted(answers) == [0, 0, 10], answers  # no exception among them
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count(Order.id))) == 10
        assert session.scalar(select(func.sum(Reservation.quantity))) == 8
        assert session.scalar(select(Stock.reserved)) == 8
        statuses = sorted(session.scalars(select(Order.status)))
        assert statuses == ["awaiting_stock"] * 2 + ["reserved"] * 8
        assert session.scalar(select(func.count(OutboxCommand.id))) == 8  # one confirm each
    figures.record("races", "imports_at_once", {"imports": 3, "orders": 10, "imported": 10})


def test_two_retries_of_waiting_orders_at_once_reserve_each_once(app):
    """Goods arrive for orders that waited; the import's retry and the put-away's run at
    once: each order gets one reservation and one pick task."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        product = f.make_product(session, "Mug", MUG)
        for n in range(4):
            f.import_order(session, account, f"wb-{n}", (MUG, 1))
        f.put_stock(session, product, f.make_location(session, warehouse, "A"), 3)
        session.commit()
        account_id = account.id

    def retry(n: int, barrier: threading.Barrier) -> int:
        session = db.session()
        account = session.get_one(MarketplaceAccount, account_id)
        session.scalars(select(Order)).all()  # both have read the waiting orders
        barrier.wait()
        reserved = intake.retry_waiting(session, account)
        session.commit()
        return reserved

    answers = _at_once(app, 2, retry)
    assert sum(answers) == 3, answers
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count(PickTask.id))) == 3
        assert session.scalar(select(Stock.reserved)) == 3
        assert session.scalar(select(func.count(Reservation.id))) == 3
        assert (
            sorted(session.scalars(select(Order.status))) == ["awaiting_stock"] + ["reserved"] * 3
        )
    figures.record("races", "retries_at_once", {"retries": 2, "orders": 4, "reserved": 3})


@pytest.mark.parametrize("pickers", [4])
def test_pickers_racing_for_tasks_each_get_their_own(app, pickers):
    """Four pickers press «Следующее задание» at once for three tasks: three get one each,
    different ones; the fourth gets none."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        f.put_stock(
            session,
            f.make_product(session, "Mug", MUG),
            f.make_location(session, warehouse, "A"),
            9,
        )
        for n in range(3):
            f.import_order(session, account, f"wb-{n}", (MUG, 1))
        ids = [f.make_picker(session, badge=f"B-{n}", name=f"P{n}").id for n in range(pickers)]
        session.commit()

    def take(n: int, barrier: threading.Barrier) -> int | None:
        session = db.session()
        user = session.get_one(User, ids[n])
        picking.open_tasks(session, user)
        barrier.wait()
        task = picking.next_task(session, user)
        session.commit()
        return task.id if task else None

    answers = _at_once(app, pickers, take)
    taken = [a for a in answers if a is not None]
    assert len(taken) == 3 and len(set(taken)) == 3, answers
    with app.app_context():
        owners = db.session().scalars(select(PickTask.picker_id)).all()
        assert len(set(owners)) == 3
    figures.record("races", "tasks_at_once", {"pickers": pickers, "tasks": 3, "given_twice": 0})
