"""Supervisor pages that print our own labels: products, bins, box labels (SSCC), supplies.

Each form posts with htmx and gets the queued job back as a fragment that follows the job
until it is printed (or a refusal as the usual 422 fragment); without htmx the post
redirects to its page, which shows the job the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.labels import own_labels, sscc
from warehouse.models import PrintJob, User
from warehouse.models.printing import PRINT_JOB_OPEN
from warehouse.shift import desk
from warehouse.staff import users
from warehouse.web import MAX_ID
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.htmx import htmx
from warehouse.web.messages import roles_label
from warehouse.web.once import once

bp = Blueprint("label_printing", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/labels/products")
def products_page() -> str:
    return label_page(
        "supervisor/products.html",
        products=desk.products(db.session()),
        max_copies=own_labels.MAX_COPIES,
    )


@bp.post("/labels/products/<int:product_id>")
@once(lambda job: _repeat(job))
def print_product(product_id: int) -> Response | str:
    copies = _number(request.form, "copies", "bad_copies", max=own_labels.MAX_COPIES)
    queued = own_labels.queue_product_labels(
        db.session(), product_id, _printer_id(), copies, _user(), request.form.get("barcode")
    )
    db.session().commit()
    return _answer(queued, url_for(".products_page", queued=queued.job.id))


@bp.post("/labels/bins")
@once(lambda job: _repeat(job))
def print_bins() -> Response | str:
    chosen = None if request.form.get("all") else _bin_ids(request.form.getlist("location_id"))
    queued = own_labels.queue_bin_labels(db.session(), _printer_id(), chosen, _user())
    db.session().commit()
    return _answer(queued, url_for("supervisor.locations", queued=queued.job.id))


@bp.post("/labels/parcels/<int:parcel_id>/box")
@once(lambda job: _repeat(job))
def print_box(parcel_id: int) -> Response | str:
    queued = own_labels.queue_box_label(db.session(), parcel_id, _printer_id(), _user(), _gs1())
    db.session().commit()
    return _answer(
        queued, url_for("supervisor.order", order_id=queued.order_id, queued=queued.job.id)
    )


@bp.post("/labels/tasks/<int:task_id>/tote")
@once(lambda job: _repeat(job))
def print_tote(task_id: int) -> Response | str:
    queued = own_labels.queue_tote_label(db.session(), task_id, _printer_id(), _user(), _gs1())
    db.session().commit()
    return _answer(
        queued, url_for("supervisor.order", order_id=queued.order_id, queued=queued.job.id)
    )


@bp.get("/labels/totes")
def totes_page() -> str:
    return label_page("supervisor/totes.html", max_totes=own_labels.MAX_BINS)


@bp.post("/labels/totes")
@once(lambda job: _repeat(job))
def print_totes() -> Response | str:
    first = _number(request.form, "first", "bad_tote_range", max=own_labels.MAX_BINS)
    count = _number(request.form, "count", "bad_tote_range", max=own_labels.MAX_BINS)
    queued = own_labels.queue_tote_labels(db.session(), _printer_id(), first, count, _user())
    db.session().commit()
    return _answer(queued, url_for(".totes_page", queued=queued.job.id))


@bp.get("/labels/supplies")
def supplies_page() -> str:
    return label_page("supervisor/supplies.html", supplies=desk.supplies(db.session()))


@bp.post("/labels/supplies/<int:supply_id>")
@once(lambda job: _repeat(job))
def print_supply(supply_id: int) -> Response | str:
    symbol = request.form.get("symbol", "code128")
    queued = own_labels.queue_supply_label(db.session(), supply_id, _printer_id(), symbol, _user())
    db.session().commit()
    return _answer(queued, url_for(".supplies_page", queued=queued.job.id))


@bp.post("/labels/badges/<int:user_id>")
@once(lambda job: _repeat(job))
def print_badge(user_id: int) -> Response | str:
    """One person's badge on the chosen Zebra (their page; a lost or a new badge)."""
    s = db.session()
    person = users.managed(s, user_id, _user())
    caption = roles_label(person.roles)
    queued = own_labels.queue_badge_label(s, person.id, _printer_id(), _user(), caption)
    s.commit()
    return _answer(queued, url_for("users.person", user_id=user_id, queued=queued.job.id))


@bp.get("/labels/jobs/<int:job_id>")
def queued_job(job_id: int) -> tuple[str, int]:
    """The queued job's fragment, polled until the job is no longer queued or sending
    (286 stops htmx's polling)."""
    queued = own_labels.queued(db.session(), job_id)
    status = 200 if queued.job.status in PRINT_JOB_OPEN else 286
    return render_template("supervisor/_label_queued.html", queued=queued), status


def _repeat(job: PrintJob) -> Response | str:
    """The same form sent again: the job it made the first time."""
    return _answer(
        own_labels.queued(db.session(), job.id), request.referrer or url_for(".products_page")
    )


def _answer(queued: own_labels.Queued, page: str) -> Response | str:
    if htmx:
        return render_template("supervisor/_label_queued.html", queued=queued)
    return redirect(page)


def label_page(template: str, **context: object) -> str:
    """A page with label forms: the printers to choose from and the job just queued."""
    printers = desk.label_printers(db.session())
    return render_template(template, printers=printers, queued=_queued_from_args(), **context)


def _queued_from_args() -> own_labels.Queued | None:
    """A label job just queued from this page (``?queued=``: after the redirect without htmx)."""
    job_id = request.args.get("queued", type=int)
    return own_labels.queued(db.session(), job_id) if job_id else None


def _user() -> User:
    user = current_user()
    assert user is not None  # supervisor_required ran first
    return user


def _gs1() -> sscc.Gs1:
    return sscc.Gs1.from_config(current_app.config)


def _printer_id() -> int:
    return _number(request.form, "printer_id", "printer_not_found")


def _number(form: Mapping[str, str], field: str, code: str, **params: int) -> int:
    text = form.get(field, "").strip()
    if not text.isascii() or not text.isdecimal() or len(text) > 10 or int(text) > MAX_ID:
        raise DomainError(code, **params)
    return int(text)


def _bin_ids(values: list[str]) -> list[int]:
    if not all(
        value.isascii() and value.isdecimal() and len(value) <= 10 and int(value) <= MAX_ID
        for value in values
    ):
        raise DomainError("location_not_found")
    return [int(value) for value in values]
