""" "Нет товара": shortages reported at pick, nothing dropped, the supervisor decides."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from tests import factories as f
from warehouse.errors import DomainError
from warehouse.floor import picking, shortages
from warehouse.models import OutboxCommand, PickTask, Shortage


@pytest.fixture
def short_site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    mug = f.make_product(session, "Mug", "4607001234562")
    near = f.put_stock(session, mug, f.make_location(session, warehouse, "A-01", walk=1), 2)
    far = f.put_stock(session, mug, f.make_location(session, warehouse, "C-09", walk=9), 5)
    picker = f.make_picker(session)
    order = f.import_order(session, account, "o-1", ("4607001234562", 2))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    picking.record_scan(session, task.id, "LOC-A-01", "bin", picker)
    picking.record_scan(session, task.id, "4607001234562", "one", picker)
    return {"order": order, "task": task, "picker": picker, "near": near, "far": far}


def test_short_pick_releases_the_rest_and_opens_a_shortage(session, short_site):
    task, near = short_site["task"], short_site["near"]
    result = shortages.report_short(session, task.id, short_site["picker"], "not_in_bin")
    assert (result.ok, result.code, result.params["missing"]) == (True, "short_task_done", 1)
    assert result.task_done and task.status == "done"
    assert short_site["order"].status == "awaiting_stock"  # not packed incomplete
    assert (near.on_hand, near.reserved) == (0, 0)  # one picked, one not there
    shortage = session.scalar(select(Shortage))
    assert (shortage.quantity, shortage.reason, shortage.status) == (1, "not_in_bin", "open")


def test_unknown_reason_is_refused(session, short_site):
    result = shortages.report_short(session, short_site["task"].id, short_site["picker"], "bored")
    assert (result.ok, result.code) == (False, "bad_short_reason")


def test_supervisor_picks_the_missing_unit_from_another_bin(session, short_site):
    shortages.report_short(session, short_site["task"].id, short_site["picker"], "damaged")
    shortage = session.scalar(select(Shortage))
    shortages.resolve(session, shortage.id, "pick_elsewhere")
    assert shortage.status == "picked_elsewhere" and short_site["order"].status == "reserved"
    assert short_site["far"].reserved == 1
    second = session.scalar(
        select(PickTask).where(
            PickTask.order_id == short_site["order"].id, PickTask.status == "open"
        )
    )
    assert [(i.location.code, i.quantity) for i in second.items] == [("C-09", 1)]
    picker = short_site["picker"]
    picking.start_task(session, second.id, picker)
    picking.record_scan(session, second.id, "LOC-C-09", "b2", picker)
    assert picking.record_scan(session, second.id, "4607001234562", "u2", picker).task_done
    assert short_site["order"].status == "picked"


def test_supervisor_cancels_the_order_and_picked_goods_go_back(session, short_site):
    shortages.report_short(session, short_site["task"].id, short_site["picker"], "not_found")
    shortage = session.scalar(select(Shortage))
    shortages.resolve(session, shortage.id, "cancel")
    assert short_site["order"].status == "cancelled"
    assert session.scalar(select(OutboxCommand.kind).where(OutboxCommand.kind == "cancel"))
    putback = session.scalar(select(PickTask).where(PickTask.kind == "putback"))
    assert [(i.location.code, i.quantity) for i in putback.items] == [("A-01", 1)]
    with pytest.raises(DomainError):
        shortages.resolve(session, shortage.id, "cancel")


def test_where_the_marketplace_allows_it_only_the_missing_units_leave_the_order(
    session, short_site
):
    """Ozon, YM, Megamarket take single units off an order: the line shrinks in SQL, the
    marketplace is owed a cancel_lines command, and what was picked goes to packing."""
    order = short_site["order"]
    order.account.kind = "ozon"
    shortages.report_short(session, short_site["task"].id, short_site["picker"], "not_found")
    shortage = session.scalar(select(Shortage))
    shortages.resolve(session, shortage.id, "cancel_lines")
    assert (shortage.status, order.status, order.lines[0].quantity) == (
        "lines_cancelled",
        "picked",
        1,
    )
    command = session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "cancel_lines"))
    assert command.payload == {
        "lines": [{"line": order.lines[0].id, "sku": order.lines[0].external_sku, "quantity": 1}]
    }
    with pytest.raises(DomainError) as again:
        shortages.resolve(session, shortage.id, "cancel_lines")
    assert again.value.code == "shortage_decided"


def test_wildberries_and_an_order_left_empty_refuse_to_take_lines_off(session, short_site):
    shortages.report_short(session, short_site["task"].id, short_site["picker"], "not_found")
    shortage = session.scalar(select(Shortage))
    with pytest.raises(DomainError) as wb:
        shortages.resolve(session, shortage.id, "cancel_lines")
    assert (wb.value.code, wb.value.params) == ("partial_cancel_not_allowed", {"marketplace": "WB"})
    short_site["order"].account.kind = "yandex"
    shortage.quantity = 2  # as if nothing had been picked
    with pytest.raises(DomainError) as empty:
        shortages.resolve(session, shortage.id, "cancel_lines")
    assert empty.value.code == "partial_cancel_nothing_left"
    assert shortage.status == "open" and short_site["order"].lines[0].quantity == 2


def test_not_enough_elsewhere_is_said_plainly(session, short_site):
    short_site["far"].on_hand = 0
    shortages.report_short(session, short_site["task"].id, short_site["picker"], "not_in_bin")
    shortage = session.scalar(select(Shortage))
    with pytest.raises(DomainError) as refused:
        shortages.resolve(session, shortage.id, "pick_elsewhere")
    assert refused.value.code == "not_enough_stock"
    assert shortage.status == "open"


@pytest.fixture
def one_mug_task(app):
    """A started task for 1 mug from A-01; returns (task id, badge)."""
    from warehouse.infra import db

    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        mug = f.make_product(session, "Mug", "4607001234562")
        f.put_stock(session, mug, f.make_location(session, warehouse, "A-01", walk=1), 5)
        picker = f.make_picker(session)
        order = f.import_order(session, account, "o-1", ("4607001234562", 1))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picking.start_task(session, task.id, picker)
        session.commit()
        return task.id, picker.badge


def test_after_a_full_shortage_the_tsd_says_what_happened_not_all_picked(client, one_mug_task):
    task_id, badge = one_mug_task
    client.post("/tsd/login", data={"badge": badge})
    response = client.post(
        f"/tsd/tasks/{task_id}/short", data={"reason": "not_in_bin"}, headers={"HX-Request": "1"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Всё собрано" not in body and "feedback done" not in body
    assert "feedback warn" in body
    assert "Ничего не собрано" in body and "следующее задание" in body
    page = client.get(f"/tsd/tasks/{task_id}").get_data(as_text=True)
    assert "Всё собрано" not in page and "Ничего не собрано" in page


def test_a_cancel_during_picking_reaches_the_open_task_page_without_a_scan(
    app, client, one_mug_task
):
    from warehouse.infra import db
    from warehouse.models import Order
    from warehouse.orders import intake

    task_id, badge = one_mug_task
    client.post("/tsd/login", data={"badge": badge})
    page = client.get(f"/tsd/tasks/{task_id}").get_data(as_text=True)
    state_url = f"/tsd/tasks/{task_id}/state"
    assert f'hx-get="{state_url}"' in page  # the open page asks every few seconds
    assert client.get(state_url, headers={"HX-Request": "1"}).status_code == 204
    with app.app_context():
        session = db.session()
        intake.cancel(session, session.scalar(select(Order)), by_marketplace=True)
        session.commit()
    answer = client.get(state_url, headers={"HX-Request": "1"})
    assert answer.status_code == 286  # htmx stops polling
    body = answer.get_data(as_text=True)
    assert "Заказ o-1 отменён" in body and "следующее задание" in body


@pytest.fixture
def phantom_cable(session):
    """473 cables on record in A-01 that nobody can find, sold on WB; an order for 1,
    another order holding 2 of the same bin, and 5 more in C-09."""
    from warehouse.models import Listing

    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    cable = f.make_product(session, "Cable", "4607001234562")
    session.add(Listing(account_id=account.id, product_id=cable.id, sku="cable-1"))
    near = f.put_stock(session, cable, f.make_location(session, warehouse, "A-01", walk=1), 473)
    far = f.put_stock(session, cable, f.make_location(session, warehouse, "C-09", walk=9), 5)
    picker = f.make_picker(session)
    f.import_order(session, account, "o-other", ("4607001234562", 2))
    order = f.import_order(session, account, "o-1", ("4607001234562", 1))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    session.execute(delete(OutboxCommand))  # only what the shortage queues
    return {
        "account": account,
        "order": order,
        "task": task,
        "picker": picker,
        "near": near,
        "far": far,
    }


def test_not_in_the_bin_takes_the_bins_free_stock_out_at_once_and_pushes_it(session, phantom_cable):
    from warehouse.models import StockMove
    from warehouse.stock import stock_sync

    near = phantom_cable["near"]
    shortages.report_short(session, phantom_cable["task"].id, phantom_cable["picker"], "not_in_bin")
    session.refresh(near)
    assert (near.on_hand, near.reserved) == (2, 2)  # only what other orders hold is left
    move = session.scalar(select(StockMove).where(StockMove.reason != "opening"))
    shortage = session.scalar(select(Shortage))
    assert (move.reason, move.quantity, move.location_id) == (
        "suspected_shortage",
        -471,
        near.location_id,
    )
    assert move.shortage_id == shortage.id and move.user_id == phantom_cable["picker"].id
    assert session.scalar(select(OutboxCommand.kind)) == "push_stock"
    assert stock_sync.levels(session, phantom_cable["account"]) == {"cable-1": 5}


def test_damaged_takes_only_the_missing_units_out(session, phantom_cable):
    from warehouse.models import StockMove

    near = phantom_cable["near"]
    shortages.report_short(session, phantom_cable["task"].id, phantom_cable["picker"], "damaged")
    session.refresh(near)
    assert (near.on_hand, near.reserved) == (472, 2)
    move = session.scalar(select(StockMove).where(StockMove.reason != "opening"))
    assert (move.reason, move.quantity) == ("damaged", -1)


def test_an_order_short_picked_is_not_re_reserved_behind_the_supervisors_back(
    session, phantom_cable
):
    from warehouse.orders import intake

    shortages.report_short(session, phantom_cable["task"].id, phantom_cable["picker"], "damaged")
    assert intake.retry_waiting(session, phantom_cable["account"]) == 0
    order = phantom_cable["order"]
    open_tasks = session.scalars(
        select(PickTask).where(PickTask.order_id == order.id, PickTask.status == "open")
    ).all()
    assert open_tasks == [] and order.status == "awaiting_stock"
    assert session.scalar(select(OutboxCommand.id).where(OutboxCommand.kind == "confirm")) is None
    shortage = session.scalar(select(Shortage))
    shortages.resolve(session, shortage.id, "pick_elsewhere")
    second = session.scalar(
        select(PickTask).where(PickTask.order_id == order.id, PickTask.status == "open")
    )
    assert [(i.location.code, i.quantity) for i in second.items] == [("C-09", 1)]


def test_a_count_confirms_or_corrects_the_suspected_shortage(session, phantom_cable):
    from warehouse.models import StockMove

    near = phantom_cable["near"]
    shortages.report_short(session, phantom_cable["task"].id, phantom_cable["picker"], "not_in_bin")
    shortage = session.scalar(select(Shortage))
    shortages.record_count(session, shortage.id, 12, phantom_cable["picker"])
    session.refresh(near)
    assert (near.on_hand, near.reserved) == (12, 2)
    moves = session.scalars(
        select(StockMove).where(StockMove.reason != "opening").order_by(StockMove.id)
    ).all()
    assert [(m.reason, m.quantity) for m in moves] == [("suspected_shortage", -471), ("count", 10)]
    with pytest.raises(DomainError) as refused:
        shortages.record_count(session, shortage.id, 1, phantom_cable["picker"])
    assert refused.value.code == "count_below_reserved"


def _supervisor_short(app, far_units: int):
    """A picker reported «Нет в ячейке» on o-1; C-09 holds ``far_units``. Returns ids."""
    from werkzeug.security import generate_password_hash

    from warehouse.infra import db
    from warehouse.models import User

    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        mug = f.make_product(session, "Mug", "4607001234562")
        f.put_stock(session, mug, f.make_location(session, warehouse, "A-01", walk=1), 3)
        f.put_stock(session, mug, f.make_location(session, warehouse, "C-09", walk=9), far_units)
        picker = f.make_picker(session)
        session.add(
            User(
                name="Boss",
                role="supervisor",
                login="boss",
                password_hash=generate_password_hash("pw"),
            )
        )
        order = f.import_order(session, account, "o-1", ("4607001234562", 2))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picking.start_task(session, task.id, picker)
        shortages.report_short(session, task.id, picker, "not_in_bin")
        session.commit()
        return session.scalar(select(Shortage.id)), order.id


def test_not_enough_elsewhere_answers_on_the_order_page_with_a_way_back(app, client):
    shortage_id, _order_id = _supervisor_short(app, far_units=1)
    client.post("/login", data={"login": "boss", "password": "pw"})
    response = client.post(f"/shortages/{shortage_id}", data={"action": "pick_elsewhere"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="menu"' in body and "o-1" in body  # the desk's layout, the order's page
    assert "свободно только Mug × 1, нужно 2" in body
    assert f'action="/shortages/{shortage_id}"' in body  # the decision can still be taken
    assert "подозрение на недостачу" in body and "<td>-3</td>" in body  # all 3 of A-01 left


def test_a_decision_lands_on_the_order_page(app, client):
    shortage_id, order_id = _supervisor_short(app, far_units=5)
    client.post("/login", data={"login": "boss", "password": "pw"})
    response = client.post(f"/shortages/{shortage_id}", data={"action": "pick_elsewhere"})
    assert response.status_code == 302 and response.location.endswith(f"/orders/{order_id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Новое задание на сборку возьмёт недостающее из других ячеек" in page
    assert "собрано из других ячеек" in page
    again = client.post(f"/shortages/{shortage_id}", data={"action": "cancel"})
    assert again.status_code == 422 and 'class="menu"' in again.get_data(as_text=True)
    assert client.post("/shortages/99999", data={"action": "cancel"}).status_code == 404


def test_a_task_finished_on_the_terminal_stops_the_polling_without_a_word(client, one_mug_task):
    task_id, badge = one_mug_task
    client.post("/tsd/login", data={"badge": badge})
    for n, code in enumerate(("LOC-A-01", "4607001234562")):
        client.post(
            f"/tsd/tasks/{task_id}/scan",
            data={"barcode": code, "scan_id": f"s{n}"},
            headers={"HX-Request": "1"},
        )
    answer = client.get(f"/tsd/tasks/{task_id}/state", headers={"HX-Request": "1"})
    assert answer.status_code == 286  # polling stops
    assert answer.headers.get("HX-Reswap") == "none"  # «Задание собрано» stays on screen
