"""The handheld (ТСД) pages: badge login, task list, picking by scanning, packing."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError

from warehouse.errors import DomainError, NotFound
from warehouse.floor import batch_picking, packing, picking, shortages
from warehouse.infra import db
from warehouse.labels import print_jobs, printer_registry
from warehouse.models import PickBatch, PickTask, Printer, PrintJob, Someone, User
from warehouse.staff import access
from warehouse.web import form_id, security
from warehouse.web.auth import (
    current_person,
    current_user,
    ended_reason,
    log_in,
    picker_required,
    pin_matches,
    tsd_required,
    user_by_badge,
)
from warehouse.web.messages import describe
from warehouse.web.once import once

bp = Blueprint("tsd", __name__)


@bp.get("/login")
def login():
    """The badge scan; after the desk ended this device's session, the line saying why."""
    ended = ended_reason()
    return render_template("tsd/login.html", ended=ended and describe(*ended))


@bp.post("/login")
@security.limiter.limit(security.per_device, deduct_when=security.failed)
def login_post():
    """A badge scan logs in; a badge with a PIN asks for the PIN next."""
    badge = request.form.get("badge", "")
    user = user_by_badge(badge)
    if user is None:
        code = "pin_needs_badge" if badge.strip().isdecimal() else "unknown_badge"
        return render_template("tsd/login.html", error=describe(code)), 422
    if user.pin_digest:
        session["pin_for"] = user.id
        session["pin_since"] = time.time()
        return redirect(url_for("tsd.login_pin"))
    return _logged_in(user)


@bp.get("/login/pin")
def login_pin():
    user = _pin_user()
    if user is None:
        return redirect(url_for("tsd.login"))
    return render_template("tsd/login_pin.html", user=user)


@bp.post("/login/pin")
@security.limiter.limit(security.per_device, deduct_when=security.failed)
@security.limiter.limit(
    security.per_person, key_func=security.pending_pin_key, deduct_when=security.failed
)
def login_pin_post():
    user = _pin_user()
    if user is None:
        return render_template("tsd/login.html", error=describe("pin_expired")), 422
    if not pin_matches(user, request.form.get("pin", "")):
        return render_template("tsd/login_pin.html", user=user, error=describe("wrong_pin")), 422
    return _logged_in(user)


def _pin_user() -> User | None:
    """The badge scanned a moment ago whose PIN is awaited."""
    user_id, since = session.get("pin_for"), session.get("pin_since", 0)
    if user_id is None or time.time() - since > current_app.config["TSD_PIN_SECONDS"]:
        return None
    user = db.session().get(User, user_id)
    return user if user is not None and user.active else None


def _logged_in(user: User):
    lang = session.get("lang")
    log_in(user)
    if lang:
        session["lang"] = lang
    return redirect(url_for(_landing(user)))


def _landing(user: User) -> str:
    """Where a person starts: a packer or a loader and nothing else goes straight to their
    page; everyone else to the home, which offers the work their roles allow."""
    work = access.tsd_work(user)
    if work == ["pack"]:
        return "tsd.pack_station"
    if work == ["load"]:
        return "loading.loading_list"
    return "tsd.tasks"


@bp.post("/logout")
def logout():
    session.pop("user_id", None)
    return redirect(url_for("tsd.login"))


@bp.get("/")
@tsd_required("tsd")
def tasks():
    """The ТСД's home: the work the person's roles allow; a picker's tasks below it."""
    user = current_user()
    assert user is not None
    found = picking.open_tasks(db.session(), user) if access.may(user, "pick") else []
    batches, tasks = batch_picking.group(found)
    return render_template("tsd/tasks.html", batches=batches, tasks=tasks)


@bp.post("/next")
@picker_required
def next_task():
    user = current_user()
    assert user is not None
    task = picking.next_task(db.session(), user)
    db.session().commit()
    if task is None:
        return redirect(url_for("tsd.tasks"))
    return redirect(_task_url(task))


@bp.post("/tasks/<int:task_id>/start")
@picker_required
def start(task_id: int):
    user = current_user()
    assert user is not None
    task = picking.start_task(db.session(), task_id, user)
    db.session().commit()
    return redirect(_task_url(task))


def _task_url(task: PickTask) -> str:
    """A task picked in a batch is worked on the batch's page (it asks for the totes)."""
    if task.open_batch is not None:
        return url_for("tsd.batch", batch_id=task.open_batch.id)
    return url_for("tsd.task", task_id=task.id)


@bp.get("/tasks/<int:task_id>")
@picker_required
def task(task_id: int):
    user = current_user()
    assert user is not None
    found = picking.task_for(db.session(), task_id, user)
    if found.open_batch is not None:
        return redirect(_task_url(found))
    return render_template("tsd/task.html", task=found, item=picking.current_item(found))


@bp.get("/tasks/<int:task_id>/state")
@picker_required
def task_state(task_id: int):
    """Polled by the open task page: 204 while it is being picked; once the order is
    cancelled, the task closed elsewhere or taken off this picker on the desk (a wave's
    re-assignment) the picker is told, and polling stops (286)."""
    user = current_user()
    assert user is not None
    found = db.session().get(PickTask, task_id)
    if found is None:
        raise NotFound("task_not_found")
    if found.status == "in_progress" and found.picker_id == user.id:
        return "", 204
    if found.status in ("open", "in_progress"):  # the desk took it off this picker
        message = describe("task_taken_off", {"order": found.order.external_id})
        return render_template("tsd/_task_state.html", task=found, message=message), 286
    found = picking.task_for(db.session(), task_id, user)
    if found.status != "cancelled":  # finished here: its own answer stays on screen
        return "", 286, {"HX-Reswap": "none"}
    code, params = picking.why_stopped(found)
    return render_template("tsd/_task_state.html", task=found, message=describe(code, params)), 286


@bp.post("/tasks/<int:task_id>/scan")
@picker_required
def scan(task_id: int):
    user = current_person()
    assert user is not None
    barcode, scan_id = _scan_fields()
    result = _recorded(
        picking.scan_scope(user, "task", task_id),
        scan_id,
        lambda: picking.record_scan(
            db.session(), task_id, barcode, scan_id, user, require_bin=_require_bin()
        ),
    )
    return _scan_answer(task_id, result, user)


def _scan_fields() -> tuple[str, str]:
    barcode, scan_id = request.form.get("barcode", ""), request.form.get("scan_id", "")
    if not scan_id:
        raise DomainError("empty_scan")
    return barcode, scan_id


def _require_bin() -> bool:
    return bool(current_app.config["TSD_REQUIRE_BIN_SCAN"])


def _recorded(
    scope: str, scan_id: str, record: Callable[[], picking.ScanResult]
) -> picking.ScanResult:
    """Record and commit one scan; the same scan id arriving twice at once gets the stored one.

    The commit keeps what is loaded (not expired): the answer is drawn from the task as the
    scan left it, without reading it all again."""
    session_ = db.session()
    try:
        result = record()
        session_.expire_on_commit = False
        try:
            session_.commit()
        finally:
            session_.expire_on_commit = True
    except IntegrityError:
        session_.rollback()
        stored = picking.stored_result(session_, scope, scan_id)
        if stored is None:
            raise
        result = stored
    return result


def _scan_answer(task_id: int, result: picking.ScanResult, user: Someone) -> tuple[str, int]:
    found = result.task or picking.task_for(db.session(), task_id, user)
    body = render_template(
        "tsd/_scan.html",
        result=result,
        message=describe(result.code, result.params),
        task=found,
        item=picking.current_item(found),
    )
    return body, (200 if result.ok else 422)


@bp.post("/tasks/<int:task_id>/short")
@picker_required
def short(task_id: int):
    """ "Нет товара" on the current item, with the reason the picker chose."""
    user = current_user()
    assert user is not None
    reason, item_id = request.form.get("reason", ""), form_id("item") or None
    result = shortages.report_short(db.session(), task_id, user, reason, item_id)
    db.session().commit()
    return _scan_answer(task_id, result, user)


@bp.post("/batches")
@picker_required
def start_batch():
    """«Пакетная сборка»: several orders on one cart, one tote each."""
    user = current_user()
    assert user is not None
    size = request.form.get("size", current_app.config["TSD_BATCH_SIZE"], type=int)
    batch = batch_picking.start_batch(db.session(), user, size)
    db.session().commit()
    return redirect(url_for("tsd.batch", batch_id=batch.id))


@bp.get("/batches/<int:batch_id>")
@picker_required
def batch(batch_id: int):
    user = current_user()
    assert user is not None
    found = batch_picking.batch_for(db.session(), batch_id, user)
    return render_template("tsd/batch.html", **_batch_context(found))


@bp.post("/batches/<int:batch_id>/scan")
@picker_required
def batch_scan(batch_id: int):
    user = current_user()
    assert user is not None
    barcode, scan_id = _scan_fields()
    result = _recorded(
        picking.scan_scope(user, "batch", batch_id),
        scan_id,
        lambda: batch_picking.record_scan(
            db.session(), batch_id, barcode, scan_id, user, require_bin=_require_bin()
        ),
    )
    return _batch_answer(batch_id, result, user)


@bp.post("/batches/<int:batch_id>/short")
@picker_required
def batch_short(batch_id: int):
    """ "Нет товара" on the batch's current item."""
    user = current_user()
    assert user is not None
    reason, item_id = request.form.get("reason", ""), form_id("item") or None
    result = shortages.report_batch_short(db.session(), batch_id, user, reason, item_id)
    db.session().commit()
    return _batch_answer(batch_id, result, user)


def _batch_answer(batch_id: int, result: picking.ScanResult, user: User) -> tuple[str, int]:
    found = batch_picking.batch_for(db.session(), batch_id, user)
    body = render_template(
        "tsd/_batch_scan.html",
        result=result,
        message=describe(result.code, result.params),
        **_batch_context(found),
    )
    return body, (200 if result.ok else 422)


def _batch_context(batch: PickBatch) -> dict[str, object]:
    return {
        "batch": batch,
        "returning": batch_picking.to_return(batch),
        "cancelled": batch_picking.cancelled(batch),
        "waiting": batch_picking.needs_tote(batch),
        "holding": batch_picking.in_hand(batch),
        "item": batch_picking.current_item(batch),
    }


@bp.get("/pack")
@tsd_required("pack")
def pack_station():
    return _pack_station_page()


def _pack_station_page(error: str = "") -> str:
    printer_id = session.get("printer_id")
    printer = db.session().get(Printer, printer_id) if printer_id else None
    return render_template(
        "tsd/pack_station.html",
        printer=printer,
        station=session.get("station", ""),
        stations=printer_registry.stations(db.session()),
        error=error,
    )


@bp.post("/station")
@tsd_required("pack")
def choose_station():
    """The pack station this device stands at: labels go to that station's printer."""
    station = request.form.get("station", "").strip()
    session["station"] = station if station in printer_registry.stations(db.session()) else ""
    session.pop("printer_id", None)
    return redirect(url_for("tsd.pack_station"))


@bp.post("/pack")
@tsd_required("pack")
def pack_scan():
    """A packer scans what reached the table (order number, marketplace sticker, tote,
    product): its pack screen opens. The code on a printer (PRN-…) makes it this device's
    printer (and station)."""
    scanned = request.form.get("order", "")
    printer = printer_registry.by_code(db.session(), scanned)
    if printer is not None:
        session["printer_id"], session["station"] = printer.id, printer.station
        return redirect(url_for("tsd.pack_station"))
    try:
        found = packing.to_pack(db.session(), scanned)
    except DomainError as exc:  # the packer stays on the scan page, told loudly
        status = 404 if isinstance(exc, NotFound) else 422
        return _pack_station_page(describe(exc.code, exc.params)), status
    found_by = {"by": found.by, "others": found.others} if found.by == "product" else {}
    return redirect(url_for("tsd.pack_page", task_id=found.task.id, **found_by))


@bp.post("/tasks/<int:task_id>/order-label")
@picker_required
@once(lambda job: render_template("tsd/_print_job.html", job=job))
def order_label(task_id: int):
    """«Этикетка заказа»: the order's number to go with the goods to the pack table."""
    user = current_user()
    assert user is not None
    job = packing.print_order_label(
        db.session(), task_id, user, session.get("printer_id"), session.get("station")
    )
    db.session().commit()
    return render_template("tsd/_print_job.html", job=job)


@bp.get("/tasks/<int:task_id>/pack")
@tsd_required("pack")
def pack_page(task_id: int):
    found = packing.task_for_packing(db.session(), task_id)
    how = _found_by(found) if request.args.get("by") == "product" else ""
    return render_template("tsd/pack.html", task=found, found_by=how, **_pack_context(found))


def _found_by(task: PickTask) -> str:
    """Why the product scanned opened this order, and how many more of it wait."""
    others = request.args.get("others", 0, type=int)
    return describe("found_by_product", {"order": task.order.external_id, "others": others})


@bp.post("/tasks/<int:task_id>/verify")
@tsd_required("pack")
def verify(task_id: int):
    user = current_user()
    assert user is not None
    barcode, scan_id = _scan_fields()
    result = _recorded(
        picking.scan_scope(user, "pack", task_id),
        scan_id,
        lambda: packing.verify_scan(db.session(), task_id, barcode, scan_id, user),
    )
    found = packing.task_for_packing(db.session(), task_id)
    body = render_template(
        "tsd/_verify.html",
        result=result,
        message=describe(result.code, result.params),
        task=found,
        **_pack_context(found),
    )
    return body, (200 if result.ok else 422)


@bp.post("/tasks/<int:task_id>/pack")
@tsd_required("pack")
def pack(task_id: int):
    user = current_user()
    assert user is not None
    found = packing.task_for_packing(db.session(), task_id)

    def pack_it() -> PrintJob:
        return packing.pack_task(
            db.session(),
            task_id,
            user,
            form_id("printer_id") or session.get("printer_id"),
            package=request.form.get("package", ""),
            verify=_must_verify(found),
            station=session.get("station"),
        )

    try:
        job = pack_it()
        db.session().commit()
    except IntegrityError:  # a double tap packed it a moment ago: answer with that job
        db.session().rollback()
        job = pack_it()
    return render_template("tsd/_print_job.html", job=job)


def _must_verify(task: PickTask) -> bool:
    return task.order.account.kind in current_app.config["PACK_VERIFY_MARKETPLACES"]


def _pack_context(task: PickTask) -> dict[str, object]:
    verify = _must_verify(task)
    ready = not verify or packing.verified(task)
    # asked only once the packages are offered, not on every verify scan before that
    label = ready and packing.label_printer(
        db.session(), task, session.get("printer_id"), session.get("station")
    )
    refusal = label and label.refusal
    return {
        "verify": verify,
        "ready": ready,
        "packages": current_app.config["PACKAGE_TYPES"],
        "printer": label and label.printer,
        "refusal": refusal and describe(refusal.code, refusal.params),
        "fitting": label and label.fitting,
    }


@bp.post("/printer")
@tsd_required("pack")
def choose_printer():
    """«Печатать на …»: this device's printer from now on (a label that did not fit)."""
    printer = printer_registry.active(db.session(), form_id("printer_id"))
    session["printer_id"], session["station"] = printer.id, printer.station
    task_id = form_id("task_id")
    if not task_id:
        return redirect(url_for("tsd.pack_station"))
    return redirect(url_for("tsd.pack_page", task_id=task_id))


@bp.get("/print-jobs/<int:job_id>")
@tsd_required("label")
def print_job(job_id: int):
    job = db.session().get_one(PrintJob, job_id)
    return render_template("tsd/_print_job.html", job=job)


@bp.post("/print-jobs/<int:job_id>/<action>")
@tsd_required("label")
@once(lambda job: render_template("tsd/_print_job.html", job=job))
def decide_print(job_id: int, action: str):
    """The packer's answer: «Ещё раз» (nothing printed), a reprint, or «Напечаталась»."""
    user = current_user()
    assert user is not None
    job = print_jobs.decide(db.session(), job_id, action, user)
    db.session().commit()
    return render_template("tsd/_print_job.html", job=job)
