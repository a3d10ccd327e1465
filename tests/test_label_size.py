"""A marketplace label goes only to a printer loading labels of its size (issue 10, 18)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.errors import DomainError
from warehouse.floor import packing, picking
from warehouse.infra import db
from warehouse.labels import print_jobs
from warehouse.models import Parcel, PickTask, PrintJob

SHIRT = "4601234567893"


def picked_ozon_order(session):
    """A picked Ozon order (its label is 75×120), a 58×40 printer and a 75×120 one."""
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    account.kind = "ozon"
    shelf = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, f.make_product(session, "Shirt", SHIRT), shelf, 5)
    picker = f.make_picker(session)
    small = f.make_printer(session, warehouse, ("127.0.0.1", 9), name="Small", station="PACK-1")
    big = f.make_printer(
        session,
        warehouse,
        ("127.0.0.1", 9),
        name="Big",
        station="PACK-2",
        label_width_mm=75,
        label_height_mm=120,
        is_default=False,
    )
    order = f.import_order(session, account, "0001-1", (SHIRT, 1))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    for n, code in enumerate(("LOC-A-01", SHIRT)):
        picking.record_scan(session, task.id, code, f"s{n}", picker)
    return task, picker, small, big


def test_a_75x120_label_is_refused_on_a_58x40_printer_with_words(session):
    task, picker, small, big = picked_ozon_order(session)
    with pytest.raises(DomainError) as refused:
        packing.pack_task(session, task.id, picker, small.id)  # the printer scanned on the ТСД
    assert refused.value.code == "label_size_mismatch"
    assert refused.value.params == {
        "label": "75×120",
        "printer": "Small",
        "loaded": "58×40",
        "fitting": "Big",
    }
    assert task.order.status == "picked" and session.scalar(select(Parcel)) is None
    job = packing.pack_task(session, task.id, picker, big.id)
    assert job.printer == big and task.order.status == "packed"


def test_the_pack_page_offers_the_printer_with_the_right_labels(app, client):
    with app.app_context():
        task, _picker, small, big = picked_ozon_order(db.session())
        db.session().commit()
        task_id, small_code, big_id = task.id, small.code, big.id
    client.post("/tsd/login", data={"badge": "B-1"})
    client.post("/tsd/pack", data={"order": small_code})  # this ТСД prints on the small one
    client.post(f"/tsd/tasks/{task_id}/verify", data={"barcode": SHIRT, "scan_id": "v1"})
    page = client.get(f"/tsd/tasks/{task_id}/pack").get_data(as_text=True)
    assert "75×120" in page and "58×40" in page and "Big" in page
    assert "Малая коробка" not in page  # no package button prints on the wrong printer
    refused = client.post(f"/tsd/tasks/{task_id}/pack", data={"package": "box-s"})
    assert refused.status_code == 422 and "75×120" in refused.get_data(as_text=True)
    chosen = client.post("/tsd/printer", data={"printer_id": big_id, "task_id": task_id})
    assert chosen.status_code == 302 and chosen.location.endswith(f"/tsd/tasks/{task_id}/pack")
    page = client.get(chosen.location).get_data(as_text=True)
    assert "Малая коробка" in page and "Big" in page
    assert client.post("/tsd/printer", data={"printer_id": 99999}).status_code == 404


def test_the_worker_refuses_a_label_for_a_printer_loading_another_size(app, zebra, worker):
    with app.app_context():
        session = db.session()
        task, picker, small, _big = picked_ozon_order(session)
        small.host, small.port = zebra.address
        parcel = Parcel(order=task.order, number=1)
        session.add(parcel)
        session.flush()
        job_id = print_jobs.queue_marketplace_label(session, parcel, small, picker).id
        session.commit()
    worker()
    with app.app_context():
        job = db.session().get_one(PrintJob, job_id)
        assert (job.status, job.error) == ("failed", "label_size_mismatch:75×120")
    assert zebra.printed == []
