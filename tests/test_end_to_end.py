"""The foundation slice, end to end with real parts only.

The WB sandbox answers over HTTP (a live server), the virtual Zebra over TCP, and
a real RQ worker in burst mode runs the jobs against real Redis and the database.
"""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
from sqlalchemy import select

from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import Order, OutboxCommand, PickTask, PrintJob, utcnow

SHIRT = PRODUCTS[1]  # a shirt without marking codes


def sandbox(site, method: str, path: str, **kwargs):
    response = httpx.request(method, f"{site.url}/sandbox/wb{path}", timeout=10, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None


def sandbox_order(site, article: str = SHIRT.article) -> str:
    ids = sandbox(
        site, "POST", "/_control/orders", json={"items": [{"article": article, "qty": 1}]}
    )
    return str(ids["ids"][0])


def sandbox_status(site, external_id: str) -> str:
    state = sandbox(site, "GET", "/_control/state")
    return next(o for o in state["orders"] if str(o["id"]) == external_id)["supplierStatus"]


def import_now(app, worker) -> None:
    with app.app_context():
        jobs.import_all_orders()
    worker()


def our_order(app, external_id: str) -> Order:
    with app.app_context():
        return db.session().scalar(select(Order).where(Order.external_id == external_id))


def test_import_reserve_confirm_pick_pack_print(app, demo_site, zebra, worker, client):
    external_id = sandbox_order(demo_site)
    import_now(app, worker)

    order = our_order(app, external_id)
    assert order.status == "reserved"
    assert order.marketplace_status == "confirm/waiting"
    assert sandbox_status(demo_site, external_id) == "confirm"

    assert client.post("/tsd/login", data={"badge": "PICKER-001"}).status_code == 302
    with app.app_context():
        task_id = db.session().scalar(select(PickTask.id).where(PickTask.order_id == order.id))
    assert client.post(f"/tsd/tasks/{task_id}/start").status_code == 302

    def scan(barcode: str, scan_id: str):
        return client.post(
            f"/tsd/tasks/{task_id}/scan",
            data={"barcode": barcode, "scan_id": scan_id},
            headers={"HX-Request": "true"},
        )

    assert scan(f"LOC-{SHIRT.bin}", "e2e-1").status_code == 200
    wrong = scan(PRODUCTS[2].barcodes[0], "e2e-2")
    assert wrong.status_code == 422
    assert "Не тот товар" in wrong.get_data(as_text=True)
    done = scan(SHIRT.barcodes[0], "e2e-3")
    assert done.status_code == 200 and 'class="feedback done"' in done.get_data(as_text=True)
    assert scan(SHIRT.barcodes[0], "e2e-3").status_code == 200  # resent: answered, not counted
    assert our_order(app, external_id).status == "picked"

    unchecked = client.post(f"/tsd/tasks/{task_id}/pack", headers={"HX-Request": "true"})
    assert unchecked.status_code == 422  # every unit is scanned again into the package first
    checked = client.post(
        f"/tsd/tasks/{task_id}/verify",
        data={"barcode": SHIRT.barcodes[-1], "scan_id": "e2e-pack-1"},  # any of its barcodes
        headers={"HX-Request": "true"},
    )
    assert checked.status_code == 200 and "Всё проверено" in checked.get_data(as_text=True)
    packed = client.post(
        f"/tsd/tasks/{task_id}/pack", data={"package": "box-s"}, headers={"HX-Request": "true"}
    )
    body = packed.get_data(as_text=True)
    assert packed.status_code == 200 and 'data-print-status="queued"' in body
    worker()

    labels = zebra.wait_for_labels(1, timeout=5)
    assert labels[0].startswith(b"^XA")
    with app.app_context():
        job = db.session().scalar(select(PrintJob))
        assert job.status == "printed"
        assert job.content == labels[0] or labels[0] in job.content
    assert our_order(app, external_id).status == "labelled"
    polled = client.get(f"/tsd/print-jobs/{job.id}", headers={"HX-Request": "true"})
    assert 'data-print-status="printed"' in polled.get_data(as_text=True)


def test_import_and_outbox_survive_429_and_500(app, demo_site, worker):
    external_id = sandbox_order(demo_site)
    faults = "/_control/faults"
    sandbox(demo_site, "POST", faults, json={"queue": ["429"], "retry_after": 1})
    import_now(app, worker)  # the import takes the 429: nothing imported, the next run retries
    assert our_order(app, external_id) is None
    with app.app_context():
        jobs.import_orders(_account_id(app))  # imported; its delivery job is queued
    sandbox(demo_site, "POST", faults, json={"queue": ["429", "500"], "retry_after": 1})
    worker()  # delivery takes the 429 and is scheduled after X-Ratelimit-Retry
    command = _command(app)
    assert (command.status, command.attempts) == ("pending", 1)
    assert (command.next_attempt_at - command.created_at).total_seconds() >= 1
    time.sleep(1.2)
    worker()  # RQ's scheduler enqueues the due retry; it takes the 500
    command = _command(app)
    assert (command.status, command.attempts) == ("pending", 2)
    assert "500" in command.last_error
    time.sleep(0.2)
    worker()
    assert (_command(app).status, _command(app).attempts) == ("done", 3)
    assert sandbox_status(demo_site, external_id) == "confirm"


def _command(app) -> OutboxCommand:
    with app.app_context():
        return db.session().scalar(select(OutboxCommand))


def test_sweeper_delivers_commands_whose_jobs_redis_lost(app, demo_site, worker):
    from warehouse.infra import queue

    external_id = sandbox_order(demo_site)
    with app.app_context():
        jobs.import_orders(_account_id(app))
        queue.connection().flushall()  # Redis restarted empty: the delivery job is gone
    worker()
    assert sandbox_status(demo_site, external_id) == "new"
    with app.app_context():
        assert jobs.sweep_outbox() == 1
    worker()
    assert sandbox_status(demo_site, external_id) == "confirm"


def _account_id(app) -> int:
    from warehouse.models import MarketplaceAccount

    with app.app_context():
        return db.session().scalar(select(MarketplaceAccount.id))


def picked_order(app, site, client) -> int:
    """An order imported, confirmed and picked through the ТСД; returns its task id."""
    external_id = sandbox_order(site)
    with app.app_context():
        jobs.import_orders(_account_id(app))
        command_id = db.session().scalar(select(OutboxCommand.id))
        jobs.deliver_outbox(command_id)
        order_id = our_order(app, external_id).id
        task_id = db.session().scalar(select(PickTask.id).where(PickTask.order_id == order_id))
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    client.post(f"/tsd/tasks/{task_id}/start")
    for n, code in enumerate((f"LOC-{SHIRT.bin}", SHIRT.barcodes[0])):
        client.post(f"/tsd/tasks/{task_id}/scan", data={"barcode": code, "scan_id": f"p{n}"})
    return task_id


def verify_and_pack(client, task_id: int) -> None:
    client.post(
        f"/tsd/tasks/{task_id}/verify",
        data={"barcode": SHIRT.barcodes[0], "scan_id": f"verify-{task_id}"},
    )
    assert client.post(f"/tsd/tasks/{task_id}/pack", data={"package": "bag"}).status_code == 200


def _print_job(app) -> PrintJob:
    with app.app_context():
        return db.session().scalar(select(PrintJob))


def test_printer_out_of_paper_keeps_the_job_waiting_then_prints_it_once(
    app, demo_site, zebra, worker, client
):
    task_id = picked_order(app, demo_site, client)
    zebra.paper_out = True
    verify_and_pack(client, task_id)
    worker()
    job = _print_job(app)
    assert (job.status, job.error) == ("queued", "printer_not_ready:paper_out")
    assert job.next_check_at is not None
    assert zebra.printed == [] and zebra.held == []  # refused before sending: nothing queued
    waiting = client.get(f"/tsd/print-jobs/{job.id}", headers={"HX-Request": "true"})
    body = waiting.get_data(as_text=True)
    assert "Принтер не готов: нет бумаги" in body and 'hx-trigger="every 1s"' in body

    time.sleep(0.4)
    worker()  # checked again: still no paper, still waiting, still nothing sent
    assert _print_job(app).status == "queued" and zebra.held == []
    zebra.paper_out = False
    time.sleep(0.4)
    worker()
    assert _print_job(app).status == "printed"
    assert len(zebra.wait_for_labels(1)) == 1
    time.sleep(0.4)
    worker()
    assert len(zebra.printed) == 1  # printed once, however many checks were scheduled


def test_unreachable_printer_is_retried_then_reported(app, demo_site, zebra, worker, client):
    task_id = picked_order(app, demo_site, client)
    zebra.stop()  # the printer is switched off: connections are refused
    verify_and_pack(client, task_id)
    worker()  # RQ retries (intervals of 0 s in tests), then the job fails for a person
    job = _print_job(app)
    assert job.status == "failed"
    assert job.attempts == 3  # the first try and two retries
    assert job.error == "printer_unreachable"


def test_print_jobs_lost_with_redis_are_swept_back(app, demo_site, zebra, worker, client):
    from warehouse.infra import queue

    task_id = picked_order(app, demo_site, client)
    verify_and_pack(client, task_id)
    with app.app_context():
        queue.connection().flushall()  # the print job's RQ job is gone
        db.session().execute(
            PrintJob.__table__.update().values(updated_at=utcnow() - timedelta(minutes=2))
        )
        db.session().commit()
        assert jobs.sweep_print_jobs() == 1
    worker()
    assert _print_job(app).status == "printed"
    assert len(zebra.wait_for_labels(1)) == 1


def test_a_job_stuck_while_sending_asks_a_person(app, demo_site, zebra, client):
    task_id = picked_order(app, demo_site, client)
    verify_and_pack(client, task_id)
    with app.app_context():
        db.session().execute(
            PrintJob.__table__.update().values(
                status="sending", updated_at=utcnow() - timedelta(minutes=10)
            )
        )
        db.session().commit()
        jobs.sweep_print_jobs()
    assert (_print_job(app).status, _print_job(app).error) == ("unknown", "send_interrupted")
