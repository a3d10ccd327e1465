"""Print jobs against the virtual Zebra over real TCP, with real Redis and an RQ worker."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from printers import VirtualZebra
from tests import factories as f
from warehouse import jobs
from warehouse.infra import db
from warehouse.labels import own_labels, print_jobs, printer_registry
from warehouse.models import Printer, PrintEvent, PrintJob, User, Warehouse


@pytest.fixture
def second_zebra():
    printer = VirtualZebra().start()
    yield printer
    printer.stop()


def station_of(app, *zebras: VirtualZebra, station: str = "PACK-1") -> tuple[list[int], int]:
    """Printers of one station on the given virtual Zebras, and a packer; their ids."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        ids = [
            f.make_printer(session, warehouse, zebra.address, station=station, is_default=n == 0).id
            for n, zebra in enumerate(zebras)
        ]
        user = f.make_picker(session, badge="PACKER-1", name="Packer")
        session.commit()
        return ids, user.id


def a_test_label(app, printer_id: int, user_id: int) -> int:
    with app.app_context():
        session = db.session()
        job = own_labels.queue_printer_label(session, printer_id, session.get_one(User, user_id))
        session.commit()
        return job.id


def job_of(app, job_id: int) -> PrintJob:
    with app.app_context():
        job = db.session().get_one(PrintJob, job_id)
        _ = job.events, job.requested_by, job.printer  # loaded for the caller
        return job


def kinds(job: PrintJob) -> list[str]:
    return [event.kind for event in job.events]


def test_printed_job_is_confirmed_by_the_odometer_and_records_who_asked(app, zebra, worker):
    (printer_id,), user_id = station_of(app, zebra)
    job_id = a_test_label(app, printer_id, user_id)
    worker()
    job = job_of(app, job_id)
    assert job.status == "printed" and job.requested_by_id == user_id
    assert kinds(job) == ["requested", "sending", "printed"]
    assert job.events[0].user_id == user_id and job.events[-1].detail == "odometer 0 → 1"
    assert all(event.printer_id == printer_id and event.at for event in job.events)
    assert zebra.wait_for_labels(1) == [job.content.strip()]  # as the printer took it


def test_silent_printer_out_of_paper_waits_with_the_reason_from_hqes(app, worker):
    with VirtualZebra(silent_when_faulted=True) as zebra:
        (printer_id,), user_id = station_of(app, zebra)
        zebra.paper_out = True
        job_id = a_test_label(app, printer_id, user_id)
        worker()
        job = job_of(app, job_id)
        assert (job.status, job.error) == ("queued", "printer_not_ready:paper_out")
        assert zebra.printed == [] and zebra.held == []
        with app.app_context():
            printer = db.session().get_one(PrintJob, job_id).printer
            assert printer.last_status == "printer_not_ready:paper_out"
        zebra.paper_out = False
        time.sleep(0.35)
        worker()
        assert job_of(app, job_id).status == "printed"
        assert len(zebra.wait_for_labels(1)) == 1


def test_check_finding_the_printer_ready_wakes_waiting_jobs(app, zebra, worker):
    app.config["PRINTER_WAIT_SECONDS"] = 600  # only the check can wake it within the test
    (printer_id,), user_id = station_of(app, zebra)
    zebra.head_open = True
    job_id = a_test_label(app, printer_id, user_id)
    worker()
    assert job_of(app, job_id).error == "printer_not_ready:head_open"
    zebra.head_open = False
    with app.app_context():
        assert jobs.check_printer(printer_id) == "ready"
    worker()
    assert job_of(app, job_id).status == "printed"
    assert len(zebra.wait_for_labels(1)) == 1


def test_refused_connection_is_retried_then_printed(app, zebra, worker):
    app.config["PRINT_RETRY_SECONDS"] = (1, 1)
    (printer_id,), user_id = station_of(app, zebra)
    zebra.refusing = True
    job_id = a_test_label(app, printer_id, user_id)
    worker()
    job = job_of(app, job_id)
    assert (job.status, job.error, job.attempts) == ("queued", "printer_unreachable", 1)
    zebra.refusing = False
    time.sleep(1.1)
    worker()
    job = job_of(app, job_id)
    assert (job.status, job.attempts) == ("printed", 2)
    assert len(zebra.wait_for_labels(1)) == 1


def test_reset_after_bytes_is_unknown_not_resent_and_a_reprint_is_recorded(
    app, zebra, worker, client
):
    (printer_id,), user_id = station_of(app, zebra)
    zebra.reset_after_bytes = 30
    job_id = a_test_label(app, printer_id, user_id)
    worker()
    job = job_of(app, job_id)
    assert (job.status, job.error, job.attempts) == ("unknown", "send_interrupted", 1)
    assert "may have printed" in job.events[-1].detail
    zebra.reset_after_bytes = None
    worker()
    time.sleep(0.3)
    assert zebra.printed == [] and job_of(app, job_id).attempts == 1  # never resent on its own

    client.post("/tsd/login", data={"badge": "PACKER-1"})
    page = client.get(f"/tsd/print-jobs/{job_id}", headers={"HX-Request": "true"})
    assert "Напечаталась" in page.get_data(as_text=True)
    reprinted = client.post(f"/tsd/print-jobs/{job_id}/reprint", headers={"HX-Request": "true"})
    assert reprinted.status_code == 200
    worker()
    with app.app_context():
        copy = db.session().scalar(select(PrintJob).where(PrintJob.reprint_of_id == job_id))
        assert copy is not None and copy.status == "printed"
        assert copy.requested_by_id == user_id and copy.content == job.content
        assert copy.events[0].kind == "reprint"
    assert "reprinted" in kinds(job_of(app, job_id))
    assert len(zebra.wait_for_labels(1)) == 1


def test_someone_says_an_unknown_label_did_print(app, zebra, worker, client):
    (printer_id,), user_id = station_of(app, zebra)
    zebra.reset_after_bytes = 30
    job_id = a_test_label(app, printer_id, user_id)
    worker()
    client.post("/tsd/login", data={"badge": "PACKER-1"})
    answer = client.post(f"/tsd/print-jobs/{job_id}/printed", headers={"HX-Request": "true"})
    assert 'data-print-status="printed"' in answer.get_data(as_text=True)
    job = job_of(app, job_id)
    assert job.events[-1].kind == "confirmed" and job.events[-1].user_id == user_id
    again = client.post(f"/tsd/print-jobs/{job_id}/printed", headers={"HX-Request": "true"})
    assert again.status_code == 422


def test_label_taken_but_not_counted_is_unknown(app, zebra, worker):
    (printer_id,), user_id = station_of(app, zebra)
    job_id = a_test_label(app, printer_id, user_id)
    with app.app_context():
        db.session().get_one(PrintJob, job_id).content = b"not a format^XZ"  # printer ignores it
        db.session().commit()
    worker()
    job = job_of(app, job_id)
    assert (job.status, job.error) == ("unknown", "not_confirmed")
    assert zebra.printed == []


@pytest.mark.parametrize("fault", ["unreachable", "paper_out"])
def test_dead_printer_fails_over_to_another_of_the_station(app, zebra, second_zebra, worker, fault):
    (first_id, second_id), user_id = station_of(app, zebra, second_zebra)
    if fault == "unreachable":
        zebra.refusing = True
    else:
        zebra.paper_out = True
    job_id = a_test_label(app, first_id, user_id)
    worker()
    job = job_of(app, job_id)
    assert (job.status, job.printer_id) == ("printed", second_id)
    failover = next(e for e in job.events if e.kind == "failover")
    assert failover.printer_id == second_id and "from" in failover.detail
    assert len(second_zebra.wait_for_labels(1)) == 1 and zebra.printed == [] == zebra.held


def test_no_failover_to_a_printer_of_another_station_or_size(app, zebra, second_zebra, worker):
    (first_id,), user_id = station_of(app, zebra)
    with app.app_context():
        session = db.session()
        warehouse = session.get_one(Printer, first_id).warehouse_id
        for station, size in (("PACK-2", (58, 40)), ("PACK-1", (75, 120))):
            session.add(
                Printer(
                    warehouse_id=warehouse,
                    name=f"other {station} {size}",
                    code=f"PRN-X{size[0]}{station}",
                    host=second_zebra.address[0],
                    port=second_zebra.address[1],
                    station=station,
                    label_width_mm=size[0],
                    label_height_mm=size[1],
                )
            )
        session.commit()
    zebra.paper_out = True
    job_id = a_test_label(app, first_id, user_id)
    worker()
    assert job_of(app, job_id).status == "queued" and second_zebra.printed == []


def test_two_jobs_to_one_printer_never_interleave(app, zebra):
    (printer_id,), user_id = station_of(app, zebra)
    zebra.read_delay = 0.05  # slow enough that overlapping sends would meet
    job_ids = [a_test_label(app, printer_id, user_id) for _ in range(3)]

    def run(job_id: int) -> None:
        with app.app_context():
            jobs.run_print_job(job_id)

    threads = [threading.Thread(target=run, args=(job_id,)) for job_id in job_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert [job_of(app, job_id).status for job_id in job_ids] == ["printed"] * 3
    assert len(zebra.wait_for_labels(3)) == 3
    assert zebra.max_senders == 1  # never two formats on the wire at once


def test_printer_busy_on_another_machine_reschedules_without_connecting(app, zebra, worker):
    (printer_id,), user_id = station_of(app, zebra)
    app.config["PRINTER_LOCK_WAIT_SECONDS"] = 0.2
    job_id = a_test_label(app, printer_id, user_id)
    with app.app_context():
        held = jobs.printer_lock(db.session().get_one(Printer, printer_id), wait=0)
        assert held.acquire()
        assert jobs.run_print_job(job_id) == "printer busy, rescheduled"
        assert zebra.max_connections == 0 and job_of(app, job_id).status == "queued"
        held.release()
    time.sleep(2.1)
    worker()
    assert job_of(app, job_id).status == "printed"


def test_events_are_kept_in_order(app, zebra, worker):
    (printer_id,), user_id = station_of(app, zebra)
    zebra.paused = True
    job_id = a_test_label(app, printer_id, user_id)
    worker()
    zebra.paused = False
    time.sleep(0.35)
    worker()
    with app.app_context():
        rows = (
            db.session()
            .scalars(
                select(PrintEvent.kind).where(PrintEvent.job_id == job_id).order_by(PrintEvent.id)
            )
            .all()
        )
    assert rows == ["requested", "sending", "waiting", "sending", "printed"]


def test_job_for_a_switched_off_printer_goes_to_the_station_or_to_a_person(
    app, zebra, second_zebra, worker
):
    (first_id, second_id), user_id = station_of(app, zebra, second_zebra)
    moved, stuck = a_test_label(app, first_id, user_id), a_test_label(app, first_id, user_id)
    with app.app_context():
        session = db.session()
        session.get_one(Printer, first_id).active = False
        session.get_one(PrintJob, stuck).printer_id = second_id
        session.get_one(Printer, second_id).active = False
        session.commit()
    worker()
    assert (job_of(app, stuck).status, job_of(app, stuck).error) == ("failed", "printer_inactive")
    job = job_of(app, moved)
    assert job.status == "failed" and zebra.printed == [] == second_zebra.printed
    with app.app_context():
        db.session().get_one(Printer, second_id).active = True
        db.session().commit()
        print_jobs.retry(db.session(), moved)
        db.session().commit()
    worker()
    job = job_of(app, moved)
    assert (job.status, job.printer_id) == ("printed", second_id)
    assert kinds(job)[-3:] == ["failover", "sending", "printed"]


def test_two_registry_rows_of_one_printer_share_its_lock(app, zebra):
    (first_id,), user_id = station_of(app, zebra)
    with app.app_context():
        session = db.session()
        first = session.get_one(Printer, first_id)
        twin = f.make_printer(
            session, session.get_one(Warehouse, first.warehouse_id), zebra.address, is_default=False
        )
        session.commit()
        twin_id = twin.id
    app.config["PRINTER_LOCK_WAIT_SECONDS"] = 0.2
    job_id = a_test_label(app, twin_id, user_id)
    with app.app_context():
        held = jobs.printer_lock(db.session().get_one(Printer, first_id), wait=0)
        assert held.acquire()
        assert jobs.run_print_job(job_id) == "printer busy, rescheduled"
        held.release()
    assert zebra.max_connections == 0


def test_packing_prefers_the_station_printer_loading_the_marketplace_size(session):
    warehouse = f.make_warehouse(session)
    small = f.make_printer(session, warehouse, ("127.0.0.1", 9), station="PACK-1")
    big = f.make_printer(
        session,
        warehouse,
        ("127.0.0.1", 9),
        station="PACK-1",
        label_width_mm=75,
        label_height_mm=120,
        is_default=False,
    )
    elsewhere = f.make_printer(
        session,
        warehouse,
        ("127.0.0.1", 9),
        station="PACK-2",
        label_width_mm=75,
        label_height_mm=120,
        is_default=False,
    )
    pick = printer_registry.for_packing
    assert pick(session, warehouse.id, None, "PACK-1", (75, 120)) == big
    assert pick(session, warehouse.id, None, "PACK-1", (58, 40)) == small
    assert pick(session, warehouse.id, None, "PACK-2", (58, 40)) == elsewhere  # its station
    assert pick(session, warehouse.id, None, None, (75, 120)) in (big, elsewhere)
    assert pick(session, warehouse.id, small.id, "PACK-2", (75, 120)) == small  # scanned
