"""What the packer scans to open an order: whatever physically reaches the pack table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.errors import DomainError, NotFound
from warehouse.floor import packing, picking
from warehouse.infra import db
from warehouse.models import Parcel, PickTask, utcnow

SHIRT, MUG = "4601234567893", "4607001234562"


@pytest.fixture
def site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    shelf = f.make_location(session, warehouse, "A-01", walk=1)
    f.put_stock(session, f.make_product(session, "Shirt", SHIRT), shelf, 50)
    f.put_stock(session, f.make_product(session, "Mug", MUG), shelf, 50)
    return {"account": account, "picker": f.make_picker(session)}


def picked(session, site, external_id, *lines, ship_in_hours=None):
    """An order picked on a terminal (bin, then every unit)."""
    order = f.import_order(session, site["account"], external_id, *lines)
    if ship_in_hours is not None:
        order.ship_by = utcnow() + timedelta(hours=ship_in_hours)
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    task.ship_by = order.ship_by
    picking.start_task(session, task.id, site["picker"])
    scans = [scan for code, qty in lines for _ in range(qty) for scan in ("LOC-A-01", code)]
    for n, code in enumerate(scans):
        picking.record_scan(session, task.id, code, f"{external_id}-{n}", site["picker"])
    assert order.status == "picked"
    return task


def test_the_order_number_finds_the_order(session, site):
    task = picked(session, site, "wb-1", (SHIRT, 1))
    found = packing.to_pack(session, " wb-1 ")
    assert (found.task, found.by) == (task, "order")


def test_a_product_of_a_one_product_order_finds_the_most_urgent(session, site):
    picked(session, site, "later", (SHIRT, 1), ship_in_hours=30)
    urgent = picked(session, site, "urgent", (SHIRT, 1), ship_in_hours=2)
    picked(session, site, "mixed", (SHIRT, 1), (MUG, 1), ship_in_hours=1)  # two products
    found = packing.to_pack(session, SHIRT)
    assert (found.task, found.by, found.others) == (urgent, "product", 1)
    with pytest.raises(NotFound) as mixed:  # only in a two-product order: which unit is it?
        packing.to_pack(session, MUG)
    assert (mixed.value.code, mixed.value.params) == ("product_in_mixed_orders", {"product": "Mug"})


def test_a_product_waiting_in_no_order_is_said_so(session, site):
    with pytest.raises(NotFound) as nothing:
        packing.to_pack(session, SHIRT)
    assert nothing.value.code == "no_order_with_product"
    assert nothing.value.params == {"product": "Shirt"}


def test_a_packed_orders_sticker_says_it_is_packed(session, site):
    task = picked(session, site, "wb-7", (SHIRT, 1))
    task.order.status = "labelled"
    session.add(Parcel(order=task.order, number=1, label_barcode="*WB-STICKER-7"))
    session.flush()
    for code in ("*WB-STICKER-7", "wb-7"):
        with pytest.raises(DomainError) as packed:
            packing.to_pack(session, code)
        assert packed.value.code == "already_packed"
        assert packed.value.params["order"] == "wb-7"


def test_an_unknown_code_is_nothing_to_pack(session, site):
    with pytest.raises(NotFound) as nothing:
        packing.to_pack(session, "NO-SUCH")
    assert nothing.value.code == "nothing_to_pack"


def test_pack_station_opens_the_order_of_a_scanned_product(app, client):
    with app.app_context():
        session = db.session()
        built = site.__wrapped__(session)
        picked(session, built, "later", (SHIRT, 1), ship_in_hours=30)
        task_id = picked(session, built, "urgent", (SHIRT, 1), ship_in_hours=2).id
        session.commit()
    assert client.post("/tsd/login", data={"badge": "B-1"}).status_code == 302
    station = client.get("/tsd/pack").get_data(as_text=True)
    assert "Сканируйте заказ, стикер маркетплейса, тару или товар" in station
    opened = client.post("/tsd/pack", data={"order": SHIRT})
    assert opened.status_code == 302 and f"/tsd/tasks/{task_id}/pack" in opened.location
    page = client.get(opened.location).get_data(as_text=True)
    assert "urgent" in page and "самый срочный" in page and "ещё: 1" in page
    mixed = client.post("/tsd/pack", data={"order": "4600000000000"})
    assert mixed.status_code == 404 and "Неизвестный" not in mixed.get_data(as_text=True)
