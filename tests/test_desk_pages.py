"""Supervisor pages that show barcodes: an order, the bin sheet, the badge sheet."""

from __future__ import annotations

from sqlalchemy import select

from tests.test_settings import login_admin
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.models import Location, Order, PickTask, Printer, PrintJob, User

SHIRT = PRODUCTS[1]


def test_bin_sheet_draws_every_bin_barcode_in_walk_order(client, demo_site):
    login_admin(client)
    page = client.get("/locations").get_data(as_text=True)
    with client.application.app_context():
        bins = db.session().scalars(select(Location).order_by(Location.walk_order)).all()
    positions = [page.index(f">{location.code}<") for location in bins]
    assert positions == sorted(positions) and len(positions) > 3
    assert page.count("<svg") == len(bins)  # one Code 128 per bin, drawn inline


def test_badge_sheet_has_a_barcode_per_picker(client, demo_site):
    login_admin(client)
    page = client.get("/badges").get_data(as_text=True)
    assert "Анна Сборщица" in page and "Иван Сборщик" in page
    assert page.count("<svg") == 2 and "PICKER-001" in page


def test_order_page_shows_goods_picking_and_commands(app, client, demo_site):
    from tests.browser.test_tsd_batch import import_order

    import_order(app, "WB-555", (SHIRT.barcodes[0], 2))
    with app.app_context():
        session = db.session()
        order = session.scalar(select(Order).where(Order.external_id == "WB-555"))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        picking.start_task(session, task.id, picker)
        session.commit()
        order_id = order.id
    login_admin(client)
    assert f'href="/orders/{order_id}"' in client.get("/").get_data(as_text=True)
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "WB-555" in page and SHIRT.name in page and "<svg" in page
    assert "Анна Сборщица" in page and "в работе" in page  # who picks it, and the state
    assert "confirm" in page  # the command owed to the marketplace
    assert client.get("/orders/999999").status_code == 404


def test_a_barcode_with_a_wrong_check_digit_is_named_not_drawn(app):
    from warehouse.web.barcode_svg import barcode_svg

    with app.app_context():
        assert "<svg" in barcode_svg("4601234567893")
        wrong = barcode_svg("4601234567894")
    assert "<svg" not in wrong and "check digit" in wrong


def test_a_print_jobs_history_reads_in_words(app, client, demo_site, zebra, worker):
    login_admin(client)
    with app.app_context():
        printer_id = db.session().scalar(select(Printer.id).where(Printer.code == "PRN-001"))
    client.post(f"/printers/{printer_id}/test", data={"request_id": "history"})
    worker()
    with app.app_context():
        job = db.session().scalars(select(PrintJob).order_by(PrintJob.id)).one()
        job_id, seen = job.id, (job.status, job.error, [(e.kind, e.detail) for e in job.events])
    page = client.get(f"/print-jobs/{job_id}").get_data(as_text=True)
    assert "попытка 1" in page and "счётчик этикеток 0 → 1" in page, seen
    assert "attempt" not in page and "odometer" not in page
