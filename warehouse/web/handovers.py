"""Hand-overs («Отгрузки»): the desk's pickups of the day and the ТСД's loading mode."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.marketplaces import outbox
from warehouse.models import HandOver, MarketplaceAccount, Order, Parcel, Printer, User
from warehouse.shift import desk
from warehouse.shipping import closing, documents, handovers, history
from warehouse.web import form_id
from warehouse.web.auth import current_user, supervisor_required, tsd_required
from warehouse.web.messages import describe

bp = Blueprint("handovers", __name__)
tsd_bp = Blueprint("loading", __name__)
loader_required = tsd_required("load")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


# --- the desk ----------------------------------------------------------------------------


@bp.get("/handovers")
@supervisor_required
def handovers_page():
    s = db.session()
    rows = handovers.listing(s)
    return render_template(
        "supervisor/handovers.html",
        rows=rows,
        progress=handovers.progresses(s, [row.id for row in rows]),
        commands={row.id: closing.command_of(s, row) for row in rows},
        accounts=list(s.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.name))),
        today=handovers.today(),
    )


@bp.post("/handovers")
@supervisor_required
def create_handover():
    """A pickup made by hand (an extra courier, tomorrow's pickup planned today)."""
    s = db.session()
    account = s.get(MarketplaceAccount, form_id("account_id"))
    try:
        day = date.fromisoformat(request.form.get("ship_date", ""))
    except ValueError:
        day = None
    if account is None or day is None or day < handovers.today():
        flash(describe("bad_handover"))
        return redirect(url_for(".handovers_page"))
    handover = handovers.open_for(s, account, day)
    s.commit()
    return redirect(url_for(".handover_page", handover_id=handover.id))


@bp.get("/handovers/<int:handover_id>")
@supervisor_required
def handover_page(handover_id: int):
    return _page(handover_id)


def _page(handover_id: int, error: str = "", status: int = 200) -> tuple[str, int]:
    s = db.session()
    handover = handovers.get(s, handover_id)
    orders = handovers.orders_of(s, handover.id)
    body = render_template(
        "supervisor/handover.html",
        h=handover,
        number=handovers.number(handover),
        cutoff=handovers.cutoff(handover),
        progress=handovers.progress(s, handover),
        orders=orders,
        parcels=handovers.parcels_of(s, [order.id for order in orders]),
        missing={order.id for order in handovers.missing_orders(s, handover)},
        left_out=handovers.left_out_orders(s, handover),
        documents=documents.of(s, handover.id),
        events=history.of(s, handover.id),
        command=closing.command_of(s, handover),
        printers=desk.label_printers(s),
        a4_printers=desk.document_printers(s),
        error=error,
    )
    return body, status


@bp.post("/handovers/<int:handover_id>/close")
@supervisor_required
def close_handover(handover_id: int):
    s = db.session()
    printer_id = form_id("printer_id") or None
    try:
        handover = handovers.close(
            s, handover_id, _user(), request.form.get("decision", ""), printer_id
        )
    except NotFound:
        raise
    except DomainError as exc:
        s.rollback()
        return _page(handover_id, describe(exc.code, exc.params), 422)
    s.commit()
    flash(describe("handover_closing" if handover.status == "closing" else "handover_kept_open"))
    return redirect(url_for(".handover_page", handover_id=handover_id))


@bp.post("/handovers/<int:handover_id>/retry")
@supervisor_required
def retry_handover(handover_id: int):
    """The marketplace refused; a person fixed the cause: tell it again."""
    s = db.session()
    handover = handovers.get(s, handover_id)
    command = closing.command_of(s, handover)
    if command is not None and command.status == "failed":
        handover.status = "closing"
        history.record(s, handover, "retry", "", _user())
        outbox.retry_failed(s, command.id)
        s.commit()
    return redirect(url_for(".handover_page", handover_id=handover_id))


@bp.get("/handovers/<int:handover_id>/documents/<int:document_id>")
@supervisor_required
def document(handover_id: int, document_id: int) -> Response:
    s = db.session()
    handover = handovers.get(s, handover_id)
    paper = documents.get(s, handover_id, document_id)
    inline = paper.content_type == documents.PDF and request.args.get("view") == "1"
    disposition = "inline" if inline else "attachment"
    name = documents.filename(handover, paper)
    return Response(
        paper.content,
        mimetype=paper.content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )


@bp.post("/handovers/<int:handover_id>/documents/<int:document_id>/print")
@supervisor_required
def print_document(handover_id: int, document_id: int):
    s = db.session()
    handover = handovers.get(s, handover_id)
    paper = documents.get(s, handover_id, document_id)
    printer = s.get(Printer, form_id("printer_id"))
    if printer is None:
        return _page(handover_id, describe("no_printer"), 422)
    try:
        closing.print_paper(s, handover, paper, printer, _user())
    except DomainError as exc:
        s.rollback()
        return _page(handover_id, describe(exc.code, exc.params), 422)
    s.commit()
    flash(describe("paper_printing", {"printer": printer.name}))
    return redirect(url_for(".handover_page", handover_id=handover_id))


# --- the ТСД: loading ---------------------------------------------------------------------


@tsd_bp.get("/loading")
@loader_required
def loading_list(error: str = ""):
    s = db.session()
    rows = handovers.open_ones(s)
    return render_template(
        "tsd/loading_list.html",
        rows=rows,
        progress=handovers.progresses(s, [row.id for row in rows]),
        error=error,
    )


@tsd_bp.post("/loading")
@loader_required
def choose_handover():
    """The loader scanned a hand-over's label (its WB supply number, or our HO…)."""
    s = db.session()
    found = handovers.find(s, request.form.get("code", ""))
    if found is None or not found.is_open:
        code = "handover_not_found" if found is None else "handover_not_open"
        params = {"number": handovers.number(found)} if found else {}
        return loading_list(error=describe(code, params)), 422
    return redirect(url_for(".loading", handover_id=found.id))


@tsd_bp.get("/loading/<int:handover_id>")
@loader_required
def loading(handover_id: int):
    s = db.session()
    handover = handovers.get(s, handover_id)
    return render_template(
        "tsd/loading.html",
        h=handover,
        number=handovers.number(handover),
        progress=handovers.progress(s, handover),
        missing=handovers.missing_orders(s, handover) if request.args.get("finish") else None,
    )


@tsd_bp.post("/loading/<int:handover_id>/scan")
@loader_required
def load_scan(handover_id: int):
    s = db.session()
    code, scan_id = request.form.get("barcode", ""), request.form.get("scan_id", "")
    try:
        loaded = handovers.load(s, handover_id, code, _user(), scan_id)
        s.commit()
    except NotFound as exc:
        if exc.code == "handover_not_found":
            raise
        s.commit()  # the refusal stays in the history
        return _load_answer(handover_id, describe(exc.code, exc.params), ok=False)
    except IntegrityError:  # the same scan id at once from a resend: the first one answers
        s.rollback()
        loaded = handovers.load(s, handover_id, code, _user(), scan_id)
    except DomainError as exc:
        s.commit()
        return _load_answer(handover_id, describe(exc.code, exc.params), ok=False)
    message = describe(
        "parcel_loaded",
        {
            "order": loaded.order.external_id,
            "n": loaded.progress.loaded,
            "of": loaded.progress.orders,
        },
    )
    return _load_answer(handover_id, message, ok=True)


def _load_answer(handover_id: int, message: str, *, ok: bool) -> tuple[str, int]:
    s = db.session()
    handover = handovers.get(s, handover_id)
    body = render_template(
        "tsd/_loading_feedback.html",
        ok=ok,
        message=message,
        progress=handovers.progress(s, handover),
    )
    return body, 200 if ok else 422


@tsd_bp.post("/loading/<int:handover_id>/finish")
@loader_required
def finish_loading(handover_id: int):
    """«Погрузка закончена»: with parcels missing the loader decides — leave them for the
    next pickup, or go on loading. The supervisor closes the hand-over on the desk."""
    s = db.session()
    handover = handovers.get(s, handover_id)
    decision = request.form.get("decision", "")
    try:
        outcome = handovers.decide_missing(s, handover, _user(), decision)
    except DomainError:
        s.rollback()
        return redirect(url_for(".loading", handover_id=handover_id, finish=1))
    if outcome == handovers.STOP:
        s.commit()
        return redirect(url_for(".loading", handover_id=handover_id))
    history.record(s, handover, "loading_done", decision or "complete", _user())
    s.commit()
    return redirect(url_for(".loading_list"))


# --- words for the pages -------------------------------------------------------------------


@bp.app_template_filter("handover_cutoff")
def handover_cutoff(handover: HandOver) -> str:
    return handovers.cutoff(handover).strftime("%H:%M")


@bp.app_template_filter("local_time")
def local_time(moment: datetime) -> str:
    """A moment as the desk reads it, in Moscow time (the database and RQ keep UTC; a
    naive value from either is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(handovers.LOCAL).strftime("%d.%m %H:%M:%S")


@bp.app_template_filter("handover_problem")
def handover_problem(order: Order, parcels: list[Parcel]) -> str:
    """What keeps an order of the pickup from the truck, in words; "" when nothing does."""
    if order.status == "cancelled":
        code = "problem_cancelled"
    elif order.status in handovers.GONE:
        code = ""
    elif order.status not in handovers.PACKED or not parcels:
        code = "problem_not_packed"
    elif not all(parcel.label_barcode for parcel in parcels):
        code = "problem_no_label"
    elif not all(parcel.loaded_at for parcel in parcels):
        code = "problem_not_loaded"
    else:
        code = ""
    return describe(code) if code else ""
