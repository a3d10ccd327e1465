"""«Перемещение» on the ТСД: goods from one bin to another (see warehouse.stock.moves).

The steps so far are kept in the picker's session; the same scan id sent twice (the ТСД
resends after a lost answer) gets the answer it had, and the final scan's move is written
once (a UNIQUE index on its document)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.stock import moves
from warehouse.web.auth import current_user, guard
from warehouse.web.messages import describe

bp = Blueprint("tsd_moves", __name__)
guard(bp, "move")
KEY = "tsd_move"


@bp.get("/moves")
def move_page() -> str:
    kept = session.get(KEY) or {}
    message = describe(kept.get("code", "move_scan_from_bin"), kept.get("params"))
    return render_template("tsd/move.html", message=message)


@bp.post("/moves/reset")
def reset() -> Response:
    session.pop(KEY, None)
    return redirect(url_for(".move_page"))


@bp.post("/moves/scan")
def scan() -> tuple[str, int]:
    barcode, scan_id = request.form.get("barcode", ""), request.form.get("scan_id", "")
    if not scan_id:
        raise DomainError("empty_scan")
    kept: dict[str, Any] = session.get(KEY) or {}
    if kept.get("last") != scan_id:
        kept = _step(kept.get("state") or {}, barcode, scan_id)
        session[KEY] = kept
    return _answer(kept)


def _step(state: dict[str, int], barcode: str, scan_id: str) -> dict[str, Any]:
    user = current_user()
    assert user is not None
    s = db.session()
    try:
        step = moves.scan(s, state, barcode, user=user, scan_id=scan_id)
        s.commit()
    except IntegrityError:  # this final scan's move is already written: a repeat
        s.rollback()
        if not moves.replayed(s, scan_id):
            raise
        step = moves.Step(True, "move_done_before")
    except DomainError as refusal:  # the bin changed between the steps
        s.rollback()
        step = moves.Step(False, refusal.code, refusal.params, state)
    return {
        "last": scan_id,
        "state": step.state,
        "ok": step.ok,
        "done": step.done,
        "code": step.code,
        "params": step.params,
    }


def _answer(kept: dict[str, Any]) -> tuple[str, int]:
    message = describe(kept["code"], kept["params"])
    body = render_template("tsd/_move_feedback.html", kept=kept, message=message)
    return body, (200 if kept["ok"] else 422)
