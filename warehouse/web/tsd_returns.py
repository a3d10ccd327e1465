"""«Возврат» on the ТСД: a returned parcel received unit by unit (warehouse.orders.returns).

The unit being graded is kept in the picker's session per return; a grading scan or
button resent (same scan id) is answered from the return's units, never graded twice
(UNIQUE per return and scan id)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.orders import returns
from warehouse.web.auth import current_user, guard
from warehouse.web.messages import describe

bp = Blueprint("tsd_returns", __name__)
guard(bp, "return")


def _key(return_id: int) -> str:
    return f"tsd_return:{return_id}"


@bp.get("/returns")
def returns_page() -> str:
    return render_template("tsd/returns.html", message=describe("return_scan_parcel", {}))


@bp.post("/returns")
def receive() -> Response | tuple[str, int]:
    """The parcel's sticker (or order number) scanned: its return opens."""
    user = current_user()
    assert user is not None
    s = db.session()
    try:
        ret = returns.receive(s, request.form.get("barcode", ""), user=user)
    except DomainError as refusal:
        s.rollback()
        message = describe(refusal.code, refusal.params)
        return render_template("tsd/returns.html", message=message, refused=True), 422
    s.commit()
    return redirect(url_for(".return_page", return_id=ret.id))


@bp.get("/returns/<int:return_id>")
def return_page(return_id: int) -> str:
    ret = returns.get(db.session(), return_id)
    kept = session.get(_key(return_id)) or {}
    code = kept.get("code") or ("return_closed" if ret.status == "done" else "return_scan_unit")
    params = kept.get("params") or {"order": ret.order.external_id, "left": returns.units_left(ret)}
    return render_template(
        "tsd/return.html",
        ret=ret,
        message=describe(code, params),
        **_state_args(),
    )


def _state_args() -> dict[str, Any]:
    return {"left": returns.left, "grade_id": uuid.uuid4().hex}


@bp.post("/returns/<int:return_id>/scan")
def scan(return_id: int) -> tuple[str, int]:
    barcode, scan_id = request.form.get("barcode", ""), request.form.get("scan_id", "")
    if not scan_id or len(scan_id) > 64:
        raise DomainError("bad_scan_id" if scan_id else "empty_scan")
    user, s = current_user(), db.session()
    assert user is not None
    state = (session.get(_key(return_id)) or {}).get("state") or {}
    step = returns.scan(s, return_id, state, barcode, user=user, scan_id=scan_id)
    s.commit()
    kept = _keep(return_id, step)
    ret = returns.get(s, return_id)
    body = render_template(
        "tsd/_move_feedback.html", kept=kept, message=describe(step.code, step.params)
    )
    # what is left (and, once done, a scan field for the next parcel) follows out of band
    body += render_template("tsd/_return_state.html", ret=ret, oob=True, **_state_args())
    if ret.status != "open":
        body += render_template("tsd/_return_scan.html", ret=ret, oob=True)
    return body, (200 if step.ok else 422)


@bp.post("/returns/<int:return_id>/grade")
def grade(return_id: int) -> Response:
    """«Брак» / «Списать» for the unit just scanned; the page shows what happened."""
    user, s = current_user(), db.session()
    assert user is not None
    state = (session.get(_key(return_id)) or {}).get("state") or {}
    scan_id = request.form.get("scan_id", "")[:64] or uuid.uuid4().hex
    step = returns.grade(
        s, return_id, state, request.form.get("grade", ""), user=user, scan_id=scan_id
    )
    s.commit()
    _keep(return_id, step)
    return redirect(url_for(".return_page", return_id=return_id))


@bp.post("/returns/<int:return_id>/close")
def close(return_id: int) -> Response:
    """«Остального нет»: the return is finished with the units graded so far."""
    user, s = current_user(), db.session()
    assert user is not None
    ret = returns.close(s, return_id, user=user)
    s.commit()
    _keep(return_id, returns.Step(True, "return_done_short", {"order": ret.order.external_id}))
    return redirect(url_for(".return_page", return_id=return_id))


def _keep(return_id: int, step: returns.Step) -> dict[str, Any]:
    kept = {"state": step.state, "ok": step.ok, "done": step.done}
    kept |= {"code": step.code, "params": step.params}
    session[_key(return_id)] = kept
    return kept
