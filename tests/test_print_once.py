"""Asking twice never prints twice: a print request's one-time key finds its job again."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.test_settings import login_admin
from warehouse.infra import db
from warehouse.models import Printer, PrintJob, Product


def count_jobs(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(PrintJob))


def demo_ids(app) -> tuple[int, int]:
    with app.app_context():
        session = db.session()
        printer = session.scalar(select(Printer).where(Printer.code == "PRN-001"))
        product = session.scalar(select(Product).order_by(Product.id).limit(1))
        return printer.id, product.id


def test_the_same_form_sent_twice_prints_once_a_new_form_prints_again(app, client, demo_site):
    login_admin(client)
    printer_id, product_id = demo_ids(app)
    form = {"printer_id": printer_id, "copies": 2, "request_id": "form-1"}
    url = f"/labels/products/{product_id}"
    first = client.post(url, data=form, headers={"HX-Request": "true"})
    again = client.post(url, data=form, headers={"HX-Request": "true"})
    assert first.status_code == again.status_code == 200
    assert count_jobs(app) == 1
    assert first.get_data(as_text=True) == again.get_data(as_text=True)  # the same job shown
    client.post(url, data={**form, "request_id": "form-2"}, headers={"HX-Request": "true"})
    assert count_jobs(app) == 2


def test_a_double_tap_on_reprint_makes_one_reprint(app, client, demo_site):
    login_admin(client)
    printer_id, _product = demo_ids(app)
    client.post(f"/printers/{printer_id}/test", data={"request_id": "test-1"})
    with app.app_context():
        job = db.session().scalar(select(PrintJob))
        job.status, job.content = "unknown", b"^XA^FDx^FS^XZ"
        db.session().commit()
        job_id = job.id
    for _ in range(2):
        client.post(f"/print-jobs/{job_id}/reprint", data={"request_id": "tap"})
    with app.app_context():
        reprints = db.session().scalars(select(PrintJob).where(PrintJob.reprint_of_id == job_id))
        assert len(reprints.all()) == 1


def test_two_identical_requests_racing_make_one_job(app, demo_site):
    printer_id, _product = demo_ids(app)
    clients = [app.test_client() for _ in range(2)]
    for each in clients:
        login_admin(each)
    barrier, answers = threading.Barrier(2), []

    def send(each):
        barrier.wait()
        answers.append(each.post(f"/printers/{printer_id}/test", data={"request_id": "race"}))

    threads = [threading.Thread(target=send, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [answer.status_code for answer in answers] == [302, 302]
    assert count_jobs(app) == 1
