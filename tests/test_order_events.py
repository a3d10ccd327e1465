"""Every change of an order's unified status is kept: from, to, who, when."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.models import Order, OrderEvent, OrderNumber, PickTask, User
from warehouse.orders import intake, numbers


def _changes(session, order_id):
    rows = session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
    )
    return [(e.from_status, e.to_status, e.user_id) for e in rows]


def _shop(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    shirt = f.make_product(session, "Футболка", "4601234567893")
    f.put_stock(session, shirt, f.make_location(session, warehouse, "A-01"), 5)
    return account


def test_a_worker_changes_statuses_as_nobody_and_the_arrival_is_no_change(session):
    account = _shop(session)
    order = f.import_order(session, account, "wb-1", ("4601234567893", 1))
    waiting = f.import_order(session, account, "wb-2", ("4601234567893", 9))
    intake.cancel(session, order, by_marketplace=True)
    session.commit()
    assert _changes(session, order.id) == [
        ("new", "reserved", None),
        ("reserved", "cancelled", None),
    ]
    assert _changes(session, waiting.id) == [("new", "awaiting_stock", None)]
    event = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)).first()
    assert event.marketplace_status == "new" and event.at is not None


def test_the_picker_who_takes_the_task_is_who_changed_the_status(app, client):
    with app.app_context():
        session = db.session()
        account = _shop(session)
        picker = f.make_picker(session, badge="PICKER-9", name="Анна")
        order = f.import_order(session, account, "wb-77", ("4601234567893", 1))
        session.commit()
        task_id = session.scalar(select(PickTask.id).where(PickTask.order_id == order.id))
        order_id, picker_id = order.id, picker.id
    client.post("/tsd/login", data={"badge": "PICKER-9"})
    client.post(f"/tsd/tasks/{task_id}/start")
    with app.app_context():
        session = db.session()
        assert _changes(session, order_id)[-1] == ("reserved", "picking", picker_id)
        assert session.get(User, picker_id).name == "Анна"


def test_an_order_keeps_every_number_it_goes_by(session):
    account = _shop(session)
    account.kind = "ozon"
    item = replace(
        f.incoming("0123-0001-1", ("4601234567893", 1)),
        group_id="0123-0001",
        raw={"order_id": 987654, "order_number": "0123-0001", "posting_number": "x"},
    )
    intake.import_orders(session, account, [item])
    session.commit()
    order = session.scalar(select(Order).where(Order.external_id == "0123-0001-1"))
    kept = session.scalars(
        select(OrderNumber.number).where(OrderNumber.order_id == order.id).order_by(OrderNumber.id)
    ).all()
    assert kept == ["0123-0001-1", "0123-0001", "x", "987654"]


def test_numbers_leave_out_blanks_structures_and_duplicates():
    raw = {"id": 5, "rid": "", "srid": {"a": 1}, "orderUid": "  U-1 "}
    assert numbers.of("wb", "5", "U-1", raw) == ["5", "U-1"]
    yandex = {"orderId": 77, "delivery": {"shipments": [{"id": 555}, "junk"]}}
    assert numbers.of("yandex", "77", "", yandex) == ["77", "555"]
    assert numbers.of("unknown", "1", "", {"id": 2}) == ["1"]


def test_no_code_changes_a_status_behind_the_listeners_back():
    """A bulk UPDATE of orders setting the status would change it without history: none is
    written (a compare-and-set that only takes the row's lock sets no status)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "warehouse"
    bulk = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "Order.__table__.update" in text:
            bulk.append(str(path.relative_to(root)))
        for found in re.finditer(r"update\(Order\)(.*?)\.values\(([^)]*)\)", text, re.DOTALL):
            if "status" in found.group(2):
                bulk.append(str(path.relative_to(root)))
        if text.count("update(Order)") != len(
            re.findall(r"update\(Order\).*?\.values\(", text, re.DOTALL)
        ):
            bulk.append(str(path.relative_to(root)))  # an update whose values are elsewhere
    assert bulk == []
