"""Products and bins switched off in the catalogue: their stock is not for sale any more —
not reserved for new orders, not pushed as free, no picker sent to such a bin — while
reservations made before stay valid, and a bin holding reserved goods stays on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.catalog import catalogue_csv
from warehouse.errors import DomainError
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.models import Listing, Location, OutboxCommand, PickTask, Stock
from warehouse.orders import intake
from warehouse.stock import moves, put_away, stock_sync

MUG = "4607001234562"


@pytest.fixture
def site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    mug = f.make_product(session, "Mug", MUG)
    near = f.make_location(session, warehouse, "A-01", walk=1)
    far = f.make_location(session, warehouse, "B-01", walk=2)
    session.add(Listing(account_id=account.id, product_id=mug.id, sku="mug"))
    f.put_stock(session, mug, near, 3)
    f.put_stock(session, mug, far, 5)
    return {
        "warehouse": warehouse,
        "account": account,
        "mug": mug,
        "near": near,
        "far": far,
        "picker": f.make_picker(session),
    }


def _task(session, order):
    return session.scalar(select(PickTask).where(PickTask.order_id == order.id))


def _pick(session, task, picker, *codes):
    picking.start_task(session, task.id, picker)
    for n, code in enumerate(codes):
        picking.record_scan(session, task.id, code, f"{task.id}-{n}", picker)


def test_a_switched_off_bin_is_neither_reserved_nor_pushed_nor_visited(session, site):
    catalogue_csv.set_active(session, "bins", site["near"].id, False)
    assert stock_sync.levels(session, site["account"]) == {"mug": 5}  # not 8
    order = f.import_order(session, site["account"], "o-1", (MUG, 2))
    assert [i.location.code for i in _task(session, order).items] == ["B-01"]  # not A-01
    waiting = f.import_order(session, site["account"], "o-2", (MUG, 4))
    assert waiting.status == "awaiting_stock"  # 3 free in B-01; A-01's 3 are not for sale
    catalogue_csv.set_active(session, "bins", site["near"].id, True)
    assert intake.retry_waiting(session, site["account"]) == 1


def test_a_switched_off_product_is_not_reserved_and_pushed_as_none(session, site):
    catalogue_csv.set_active(session, "products", site["mug"].id, False)
    assert stock_sync.levels(session, site["account"]) == {"mug": 0}
    assert f.import_order(session, site["account"], "o-1", (MUG, 1)).status == "awaiting_stock"


def test_switching_off_pushes_the_new_level(session, site):
    catalogue_csv.set_active(session, "bins", site["far"].id, False)
    push = session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "push_stock"))
    assert push is not None and push.account_id == site["account"].id


def test_a_reservation_made_before_the_product_is_switched_off_is_still_picked(session, site):
    order = f.import_order(session, site["account"], "o-1", (MUG, 2))
    catalogue_csv.set_active(session, "products", site["mug"].id, False)
    _pick(session, _task(session, order), site["picker"], "LOC-A-01", MUG, MUG)
    assert order.status == "picked"


def test_a_bin_holding_reserved_goods_is_not_switched_off_until_they_are_picked(session, site):
    order = f.import_order(session, site["account"], "o-1", (MUG, 2))
    with pytest.raises(DomainError) as refused:
        catalogue_csv.set_active(session, "bins", site["near"].id, False)
    assert (refused.value.code, refused.value.params) == (
        "catalogue_bin_reserved",
        {"bin": "A-01", "units": 2, "orders": "o-1"},
    )
    row = {"code": "A-01", "active": "no"}
    plan = catalogue_csv.plan(session, "bins", ["code", "active"], [(2, row)])
    assert plan.refused[0].reasons[0][0] == "catalogue_bin_reserved"
    assert site["near"].active
    _pick(session, _task(session, order), site["picker"], "LOC-A-01", MUG, MUG)
    catalogue_csv.apply(session, "bins", ["code", "active"], [(2, row)])
    assert not site["near"].active


def test_goods_of_a_cancelled_order_whose_bin_was_switched_off_go_to_receiving(session, site):
    order = f.import_order(session, site["account"], "o-1", (MUG, 1))
    _pick(session, _task(session, order), site["picker"], "LOC-A-01", MUG)
    catalogue_csv.set_active(session, "bins", site["near"].id, False)  # nothing reserved now
    intake.cancel(session, order, by_marketplace=True)
    putback = session.scalar(select(PickTask).where(PickTask.kind == "putback"))
    target = putback.items[0].location
    assert (target.receiving, target.active) == (True, True)


def test_goods_are_not_put_away_or_moved_into_a_switched_off_bin(session, site):
    site["far"].active = False
    step = moves.scan(session, {}, "LOC-A-01", user=site["picker"], scan_id="m1")
    step = moves.scan(session, step.state, MUG, user=site["picker"], scan_id="m2")
    step = moves.scan(session, step.state, "LOC-B-01", user=site["picker"], scan_id="m3")
    assert (step.ok, step.code) == (False, "bin_switched_off")
    state = {"product": site["mug"].id, "from": site["near"].id, "quantity": 1}
    step = put_away.scan(session, state, "LOC-B-01", user=site["picker"], scan_id="p1")
    assert (step.ok, step.code) == (False, "bin_switched_off")
    stock = session.scalar(select(Stock).where(Stock.location_id == site["far"].id))
    assert stock.on_hand == 5


def test_the_desk_says_why_a_bin_with_reserved_goods_stays_on(app, client):
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        f.put_stock(
            session,
            f.make_product(session, "Mug", MUG),
            f.make_location(session, warehouse, "A-01"),
            3,
        )
        f.import_order(session, account, "o-7", (MUG, 1))
        f.make_supervisor(session)
        session.commit()
        bin_id = session.scalar(select(Location.id).where(Location.code == "A-01"))
    client.post("/login", data={"login": "boss", "password": "boss"})
    refused = client.post(f"/catalogue/bins/{bin_id}/active", data={"active": "0"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Ячейка A-01 не отключена: в ней 1 шт. в резерве заказов o-7" in text
    with app.app_context():
        assert db.session().get(Location, bin_id).active is True
