"""The ТСД's smaller edges (issue 10, item 19): each answered in words, nothing forgotten."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests import factories as f
from tests.test_settings import login_admin
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.labels import print_jobs
from warehouse.models import Parcel, PickTask, User, Warehouse

SHIRT = "4601234567893"
ADMIN = generate_password_hash("admin")


@pytest.fixture
def task_id(app):
    """A started one-unit order in bin A-01 (barcode LOC-A-01) for picker B-1."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        shelf = f.make_location(session, warehouse, "A-01")
        f.put_stock(session, f.make_product(session, "Shirt", SHIRT), shelf, 5)
        picker = f.make_picker(session)
        order = f.import_order(session, account, "wb-1", (SHIRT, 1))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picking.start_task(session, task.id, picker)
        session.commit()
        return task.id


def scan(client, task_id, barcode, scan_id):
    return client.post(
        f"/tsd/tasks/{task_id}/scan",
        data={"barcode": barcode, "scan_id": scan_id},
        headers={"HX-Request": "true"},
    )


def test_a_typed_bin_name_is_refused_with_the_barcode_to_scan(client, task_id):
    client.post("/tsd/login", data={"badge": "B-1"})
    typed = scan(client, task_id, "a-01", "t1")
    body = typed.get_data(as_text=True)
    assert typed.status_code == 422 and "Неизвестный штрихкод" not in body
    assert "A-01 — это код ячейки: сканируйте штрихкод LOC-A-01" in body


def test_a_task_page_reload_remembers_the_bin_was_scanned(client, task_id):
    client.post("/tsd/login", data={"badge": "B-1"})
    assert scan(client, task_id, "LOC-A-01", "t1").status_code == 200
    page = client.get(f"/tsd/tasks/{task_id}").get_data(as_text=True)
    assert "Отсканируйте ячейку" not in page
    assert "Ячейка A-01. Возьмите: Shirt" in page


@pytest.fixture
def printed_job(app, task_id, zebra):
    """The order's marketplace label, printed; (job id, order id)."""
    with app.app_context():
        session = db.session()
        task = session.get_one(PickTask, task_id)
        printer = f.make_printer(session, f.make_warehouse(session), zebra.address)
        parcel = Parcel(order=task.order, number=1)
        session.add(parcel)
        session.flush()
        job = print_jobs.queue_marketplace_label(session, parcel, printer)
        job.status = "printed"
        session.add(User(name="Boss", role="admin", login="admin", password_hash=ADMIN))
        session.commit()
        return job.id, task.order_id


def test_next_task_after_printing_takes_the_next_task(client, printed_job):
    client.post("/tsd/login", data={"badge": "B-1"})
    fragment = client.get(f"/tsd/print-jobs/{printed_job[0]}").get_data(as_text=True)
    assert 'method="post" action="/tsd/next"' in fragment
    assert 'href="/tsd/"' not in fragment  # not back to the list


def test_print_job_states_on_the_order_page_are_in_russian(client, printed_job):
    login_admin(client)
    page = client.get(f"/orders/{printed_job[1]}").get_data(as_text=True)
    assert "<td>напечатана</td>" in page and "<td>printed</td>" not in page


def test_a_picked_order_s_label_prints_for_the_pack_table(app, client, task_id, zebra, worker):
    """The single-order flow: the picker prints the order's number to go with the goods."""
    with app.app_context():
        session = db.session()
        task = session.get_one(PickTask, task_id)
        f.make_printer(session, session.get_one(Warehouse, task.warehouse_id), zebra.address)
        session.commit()
    client.post("/tsd/login", data={"badge": "B-1"})
    assert scan(client, task_id, "LOC-A-01", "t1").status_code == 200
    done = scan(client, task_id, SHIRT, "t2").get_data(as_text=True)
    assert f"/tsd/tasks/{task_id}/order-label" in done
    form = {"request_id": "once-1"}
    printed = client.post(f"/tsd/tasks/{task_id}/order-label", data=form)
    assert printed.status_code == 200 and 'data-print-status="queued"' in printed.get_data(True)
    assert client.post(f"/tsd/tasks/{task_id}/order-label", data=form).status_code == 200
    worker()
    (label,) = zebra.wait_for_labels(1)
    assert b"^FDwb-1^FS" in label or b"wb-1" in label
    assert client.post("/tsd/tasks/99999/order-label", data={}).status_code == 404
