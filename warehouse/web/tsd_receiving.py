"""«Приёмка» and «Размещение» on the ТСД (see warehouse.stock.receiving and put_away).

Both follow the moves' shape: the steps so far sit in the picker's session, the same scan
id sent twice gets the answer it had, and what a scan writes carries a UNIQUE scan id, so
a resend after a lost answer never counts twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.models import User
from warehouse.stock import put_away, receiving
from warehouse.stock.moves import Step
from warehouse.web.auth import current_user, guard
from warehouse.web.messages import describe

bp = Blueprint("tsd_receiving", __name__)
guard(bp, "receive")
RECEIVE_KEY, PUT_KEY = "tsd_receive", "tsd_put_away"

Scanner = Callable[[Session, dict[str, Any], str, User, str], Step]


@bp.get("/receiving")
def receipts() -> str:
    found = receiving.open_receipts(db.session())
    return render_template("tsd/receipts.html", receipts=found)


@bp.get("/receiving/<int:receipt_id>")
def receipt_page(receipt_id: int) -> str:
    receipt = receiving.open_receipt(db.session(), receipt_id)
    kept = session.get(RECEIVE_KEY) or {}
    code = kept.get("code", "receipt_scan_product") if kept.get("receipt") == receipt_id else None
    message = describe(code or "receipt_scan_product", kept.get("params") if code else None)
    return render_template("tsd/receive.html", receipt=receipt, message=message)


@bp.post("/receiving/<int:receipt_id>/scan")
def receipt_scan(receipt_id: int) -> tuple[str, int]:
    receiving.open_receipt(db.session(), receipt_id)  # a missing one is a 404

    def step(s: Session, state: dict[str, Any], barcode: str, user: User, scan_id: str) -> Step:
        return receiving.scan(s, receipt_id, state, barcode, user=user, scan_id=scan_id)

    kept = _scan(RECEIVE_KEY, step, receiving.replayed, "receipt_scan_before", receipt_id)
    body, status = _answer(kept)
    receipt = receiving.get(db.session(), receipt_id)  # closed meanwhile: still drawn
    return body + render_template("tsd/_receipt_lines.html", receipt=receipt, oob=True), status


@bp.get("/put-away")
def put_away_page() -> str:
    kept = session.get(PUT_KEY) or {}
    message = describe(kept.get("code", "put_away_scan_product"), kept.get("params"))
    return render_template("tsd/put_away.html", message=message)


@bp.post("/put-away/reset")
def put_away_reset() -> Response:
    session.pop(PUT_KEY, None)
    return redirect(url_for(".put_away_page"))


@bp.post("/put-away/scan")
def put_away_scan() -> tuple[str, int]:
    def step(s: Session, state: dict[str, Any], barcode: str, user: User, scan_id: str) -> Step:
        return put_away.scan(s, state, barcode, user=user, scan_id=scan_id)

    return _answer(_scan(PUT_KEY, step, put_away.replayed, "put_away_done_before"))


def _scan(
    key: str,
    scanner: Scanner,
    replayed: Callable[[Session, str], bool],
    before: str,
    receipt_id: int | None = None,
) -> dict[str, Any]:
    barcode, scan_id = request.form.get("barcode", ""), request.form.get("scan_id", "")
    if not scan_id or len(scan_id) > 64:
        raise DomainError("empty_scan" if not scan_id else "bad_scan_id")
    kept: dict[str, Any] = session.get(key) or {}
    if kept.get("receipt") != receipt_id:
        kept = {}  # another delivery: its typed quantity does not carry over
    if kept.get("last") != scan_id:
        kept = _step(kept.get("state") or {}, barcode, scan_id, scanner, replayed, before)
        kept["receipt"] = receipt_id
        session[key] = kept
    return kept


def _step(
    state: dict[str, Any],
    barcode: str,
    scan_id: str,
    scanner: Scanner,
    replayed: Callable[[Session, str], bool],
    before: str,
) -> dict[str, Any]:
    user = current_user()
    assert user is not None
    s = db.session()
    try:
        step = scanner(s, state, barcode, user, scan_id)
        s.commit()
    except IntegrityError:  # what this scan writes is already written: a repeat
        s.rollback()
        if not replayed(s, scan_id):
            raise
        step = Step(True, before)
    except DomainError as refusal:  # closed meanwhile, or the bin changed between steps
        s.rollback()
        step = Step(False, refusal.code, refusal.params, state)
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
