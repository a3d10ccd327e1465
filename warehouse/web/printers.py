"""Supervisor pages: the printer registry, print jobs, and the virtual Zebra's spool."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from printers import spool
from warehouse.errors import DomainError
from warehouse.infra import db, queue
from warehouse.labels import own_labels, print_jobs, printer_registry
from warehouse.models import PRINT_JOB_STATUSES, PRINTER_TRANSPORTS, PrintJob, Warehouse
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.htmx import htmx
from warehouse.web.messages import describe
from warehouse.web.once import once
from warehouse.web.previews import job_area

bp = Blueprint("printers", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/printers")
def printers_page():
    return _registry_page({}, None, 200)


def _registry_page(form: dict[str, str], error: str | None, status: int) -> tuple[str, int]:
    page = render_template(
        "supervisor/printers.html",
        printers=printer_registry.listing(db.session()),
        transports=PRINTER_TRANSPORTS,
        form=form,
        error=error,
    )
    return page, status


@bp.get("/printers/rows")
def printer_rows():
    return render_template(
        "supervisor/_printer_rows.html", printers=printer_registry.listing(db.session())
    )


@bp.post("/printers")
def create_printer():
    s = db.session()
    try:
        fields = printer_registry.parse(request.form)
        warehouse_id = s.scalar(select(Warehouse.id).order_by(Warehouse.id)) or 0
        printer_registry.create(s, warehouse_id, fields)
    except DomainError as exc:  # the form comes back with what was typed
        s.rollback()
        return _registry_page(request.form.to_dict(), describe(exc.code, exc.params), 422)
    s.commit()
    return redirect(url_for("printers.printers_page"))


@bp.get("/printers/<int:printer_id>")
def edit_printer(printer_id: int):
    printer = printer_registry.get(db.session(), printer_id)
    return render_template(
        "supervisor/printer_form.html", printer=printer, transports=PRINTER_TRANSPORTS, error=None
    )


@bp.post("/printers/<int:printer_id>")
def update_printer(printer_id: int):
    s = db.session()
    try:
        printer_registry.update(s, printer_id, printer_registry.parse(request.form))
    except DomainError as exc:
        s.rollback()
        page = render_template(
            "supervisor/printer_form.html",
            printer=printer_registry.get(s, printer_id),
            form=request.form.to_dict(),
            transports=PRINTER_TRANSPORTS,
            error=describe(exc.code, exc.params),
        )
        return page, 422
    s.commit()
    return redirect(url_for("printers.printers_page"))


@bp.post("/printers/<int:printer_id>/active")
def set_active(printer_id: int):
    printer_registry.set_active(db.session(), printer_id, request.form.get("active") == "1")
    db.session().commit()
    return redirect(url_for("printers.printers_page"))


@bp.post("/printers/<int:printer_id>/check")
def check_printer(printer_id: int):
    """«Проверить»: the worker asks the printer; the polled rows show the answer."""
    printer = printer_registry.get(db.session(), printer_id)
    queue.enqueue_now(
        "default", "warehouse.jobs.check_printer", printer.id, job_id=f"check-printer-{printer.id}"
    )
    return render_template(
        "supervisor/_printer_rows.html",
        printers=printer_registry.listing(db.session()),
        checking=printer.id,
    )


@bp.post("/printers/<int:printer_id>/test")
@once(lambda job: redirect(url_for("printers.print_jobs_page", printer_id=job.printer_id)))
def test_label(printer_id: int):
    user = current_user()
    assert user is not None
    own_labels.queue_printer_label(db.session(), printer_id, user)
    db.session().commit()
    return redirect(url_for("printers.print_jobs_page", printer_id=printer_id))


@bp.get("/print-jobs")
def print_jobs_page():
    return render_template("supervisor/print_jobs.html", **_job_list())


@bp.get("/print-jobs/rows")
def print_job_rows():
    return render_template("supervisor/_print_job_rows.html", **_job_list())


def _job_list() -> dict[str, object]:
    printer_id = request.args.get("printer_id", type=int)
    status = request.args.get("status") or None
    if status is not None and status not in PRINT_JOB_STATUSES:
        status = None
    s = db.session()
    return {
        "jobs": print_jobs.jobs(s, printer_id, status),
        "printers": printer_registry.listing(s),
        "statuses": PRINT_JOB_STATUSES,
        "printer_id": printer_id,
        "status": status,
    }


@bp.get("/print-jobs/<int:job_id>")
def print_job(job_id: int):
    job = print_jobs.get(db.session(), job_id)
    if job.kind in print_jobs.DOCUMENT_JOBS:  # a PDF paper: no label to draw
        return render_template("supervisor/print_job.html", job=job, document=True)
    return render_template("supervisor/print_job.html", job=job, **job_area(job))


@bp.post("/print-jobs/<int:job_id>/<action>")
@once(lambda job: _decided(job))
def decide(job_id: int, action: str):
    """Reprint, «напечаталась» or retry, by the supervisor (recorded as them)."""
    user = current_user()
    assert user is not None
    job = print_jobs.decide(db.session(), job_id, action, user)
    db.session().commit()
    return _decided(job)


def _decided(job: PrintJob) -> ResponseReturnValue:
    if htmx:
        return render_template("supervisor/_print_job_rows.html", **_job_list())
    return redirect(url_for("printers.print_job", job_id=job.id))


@bp.get("/printers/spool")
def spool_page():
    return render_template("supervisor/spool.html", entries=spool.entries(_spool_dir()))


@bp.get("/printers/spool/<name>")
def spool_label(name: str):
    try:
        data = spool.read(_spool_dir(), name)
    except FileNotFoundError:
        abort(404)
    return data, 200, {"Content-Type": "text/plain; charset=utf-8"}


def _spool_dir() -> Path:
    configured = current_app.config["VIRTUAL_PRINTER_SPOOL"]
    if not configured:
        abort(404)
    return Path(configured)
