"""An order's timeline: every kind of event it had, oldest first, who and when, and none
of another order's."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests import factories as f
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.models import (
    HandOver,
    HandOverEvent,
    OrderEvent,
    OutboxCommand,
    Parcel,
    PickTask,
    PrintEvent,
    PrintJob,
    Return,
    ReturnUnit,
    ScanEvent,
    Shortage,
    StockMove,
    utcnow,
)
from warehouse.shift import order_timeline

SHIRT = "4601234567893"


def _site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    shirt = f.make_product(session, "Футболка", SHIRT)
    bin_ = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, shirt, bin_, 5)
    picker = f.make_picker(session, badge="PICKER-9", name="Анна")
    printer = f.make_printer(session, warehouse, ("127.0.0.1", 9))
    return account, shirt, bin_, picker, printer


def _every_kind(session):
    """An order imported for real, then one event of every other kind at known times."""
    account, shirt, bin_, picker, printer = _site(session)
    order = f.import_order(session, account, "WB-100", (SHIRT, 1))
    other = f.import_order(session, account, "WB-1000", (SHIRT, 1))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    start = utcnow() + timedelta(minutes=1)

    def at(minute):
        return start + timedelta(minutes=minute)

    session.add(
        OrderEvent(
            order=order, from_status="reserved", to_status="picking", user_id=picker.id, at=at(1)
        )
    )
    for scan_id, (minute, ok, code) in enumerate(((2, True, "bin_ok"), (3, False, "wrong_bin"))):
        session.add(
            ScanEvent(
                scope=f"{picker.id}:task:{task.id}",
                scan_id=str(scan_id),
                task_id=task.id,
                user_id=picker.id,
                barcode="LOC-A-01",
                ok=ok,
                code=code,
                message=code,
                details={"params": {"bin": "A-01", "product": "Футболка", "scanned": "X"}},
                created_at=at(minute),
            )
        )
    session.add(
        StockMove(
            product_id=shirt.id,
            location_id=bin_.id,
            quantity=-1,
            reason="pick",
            document=f"task:{task.id}",
            user_id=picker.id,
            created_at=at(4),
        )
    )
    parcel = Parcel(order_id=order.id, label_barcode="*WB100", package="box-s", created_at=at(5))
    session.add(parcel)
    session.flush()
    job = PrintJob(printer_id=printer.id, parcel_id=parcel.id, kind="marketplace_label")
    job.events.append(PrintEvent(kind="requested", user_id=picker.id, at=at(6)))
    job.events.append(PrintEvent(kind="failed", detail="printer_unreachable", at=at(7)))
    session.add(job)
    session.add(
        OutboxCommand(
            account=account,
            order_id=order.id,
            kind="pack",
            status="done",
            attempts=2,
            created_at=at(8),
            done_at=at(9),
        )
    )
    handover = HandOver(account_id=account.id, ship_date=at(0).date())
    session.add(handover)
    session.flush()
    order.handover_id = other.handover_id = handover.id
    session.add_all(
        [
            HandOverEvent(
                handover_id=handover.id, kind="loaded", text="WB-100 ← *WB100", order_id=order.id
            ),
            HandOverEvent(handover_id=handover.id, kind="loaded", text="WB-1000 ← x"),
            HandOverEvent(handover_id=handover.id, kind="decision", text="left for HO9: WB-1000"),
            HandOverEvent(handover_id=handover.id, kind="closed", text="done"),
        ]
    )
    session.flush()
    for minute, line in zip((10, 11, 12, 13), session.scalars(select(HandOverEvent)), strict=True):
        line.at = at(minute)
    item = task.items[0]
    session.add(
        Shortage(
            item_id=item.id,
            order_id=order.id,
            quantity=1,
            reason="damaged",
            reported_by=picker.id,
            created_at=at(14),
        )
    )
    ret = Return(
        order_id=order.id, previous_status="shipped", received_by_id=picker.id, created_at=at(15)
    )
    ret.units.append(
        ReturnUnit(
            line_id=order.lines[0].id,
            product_id=shirt.id,
            quantity=1,
            grade="stock",
            location_id=bin_.id,
            scan_id="r1",
            user_id=picker.id,
            created_at=at(16),
        )
    )
    session.add(ret)
    session.flush()
    session.add(
        StockMove(
            product_id=shirt.id,
            location_id=bin_.id,
            quantity=1,
            reason="return",
            document=f"return:{ret.id}",
            created_at=at(17),
        )
    )
    session.commit()
    return order, other, picker


def test_the_timeline_lists_every_kind_oldest_first_and_only_this_orders(session):
    order, other, _ = _every_kind(session)
    timeline = order_timeline.of(session, order.id)
    kinds = [(entry.kind, entry.what) for entry in timeline.entries]
    assert kinds == [
        ("order", "received"),
        ("status", "changed"),  # new → reserved, at import
        ("task", "created"),
        ("command", "queued"),  # confirm
        ("status", "changed"),  # reserved → picking, by the picker
        ("scan", "bin_ok"),
        ("scan", "wrong_bin"),
        ("stock", "pick"),
        ("parcel", "packed"),
        ("print", "requested"),
        ("print", "failed"),
        ("command", "queued"),  # pack
        ("command", "done"),
        ("handover", "loaded"),  # this order's, not WB-1000's
        ("handover", "closed"),  # the pickup's own line; the decision names another order
        ("shortage", "reported"),
        ("return", "received"),
        ("return", "graded"),
        ("stock", "return"),
    ]
    moments = [entry.at for entry in timeline.entries]
    assert moments == sorted(moments)
    by_picker = [e for e in timeline.entries if e.who == "Анна"]
    assert {e.kind for e in by_picker} == {"status", "scan", "stock", "print", "shortage", "return"}
    assert [e.ok for e in timeline.entries if e.kind == "scan"] == [True, False]
    assert not next(e for e in timeline.entries if e.what == "failed").ok
    mine = {e.params.get("text") for e in timeline.entries if e.kind == "handover"}
    assert mine == {"WB-100 ← *WB100", "done"}
    others = [(e.kind, e.what) for e in order_timeline.of(session, other.id).entries]
    assert ("scan", "bin_ok") not in others and ("print", "requested") not in others
    assert ("handover", "decision") in others and ("handover", "closed") in others


def test_a_picked_order_reads_in_words_on_its_page_and_a_picker_cannot_open_it(app, client):
    with app.app_context():
        session = db.session()
        account, _, _, picker, _ = _site(session)
        f.make_supervisor(session)
        order = f.import_order(session, account, "WB-200", (SHIRT, 1))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picking.start_task(session, task.id, picker)
        picking.record_scan(session, task.id, "LOC-A-01", "s1", picker)
        picking.record_scan(session, task.id, "0000", "s2", picker)
        picking.record_scan(session, task.id, SHIRT, "s3", picker)
        session.commit()
        order_id = order.id
    client.post("/tsd/login", data={"badge": "PICKER-9"})
    assert client.get(f"/orders/{order_id}").status_code == 302
    client.post("/logout")
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    history = page[page.index('id="timeline"') :]
    for words in (
        "Заказ получен от маркетплейса",
        "Статус: новый → зарезервирован",
        "Задание №",
        "Скан «LOC-A-01»: Ячейка A-01",
        "Скан «0000»: Неизвестный штрихкод 0000",
        "Футболка -1 в ячейке A-01",
        "Команда «confirm» маркетплейсу поставлена в очередь",
        "Анна",
        "система",
    ):
        assert words in history, words
    assert history.index("Заказ получен") < history.index("Скан «LOC-A-01»")
    assert 'class="event kind-scan trouble"' in history  # the unknown barcode stands out
    assert client.get("/orders/999999").status_code == 404
