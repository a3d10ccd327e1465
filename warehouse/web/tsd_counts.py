"""«Инвентаризация» on the ТСД: a count's bins counted blind (see warehouse.stock.counts).

The bin being counted is kept in the picker's session per count; the same scan id sent
twice (the ТСД resends after a lost answer) gets the answer it had, and the closing scan
of a bin is written once (its scan id is kept on the bin)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.stock import counts
from warehouse.web.auth import current_user, guard
from warehouse.web.messages import describe

bp = Blueprint("tsd_counts", __name__)
guard(bp, "count")


def _key(count_id: int) -> str:
    return f"tsd_count:{count_id}"


@bp.get("/counts")
def counts_page() -> str:
    return render_template("tsd/counts.html", counts=counts.open_counts(db.session()))


@bp.get("/counts/<int:count_id>")
def count_page(count_id: int) -> str:
    count = counts.get(db.session(), count_id)
    kept = session.get(_key(count_id)) or {}
    left = sum(1 for b in count.bins if b.status != "counted")
    message = describe(kept.get("code", "count_scan_bin"), kept.get("params") or {"left": left})
    return render_template("tsd/count.html", count=count, message=message)


@bp.post("/counts/<int:count_id>/reset")
def reset(count_id: int) -> Response:
    """«Считать ячейку заново»: what was scanned in the open bin is forgotten."""
    counts.get(db.session(), count_id)
    session.pop(_key(count_id), None)
    return redirect(url_for(".count_page", count_id=count_id))


@bp.post("/counts/<int:count_id>/scan")
def scan(count_id: int) -> tuple[str, int]:
    barcode, scan_id = request.form.get("barcode", ""), request.form.get("scan_id", "")
    if not scan_id or len(scan_id) > 64:
        raise DomainError("bad_scan_id" if scan_id else "empty_scan")
    kept: dict[str, Any] = session.get(_key(count_id)) or {}
    if kept.get("last") != scan_id:
        kept = _step(count_id, kept.get("state") or {}, barcode, scan_id)
        session[_key(count_id)] = kept
    message = describe(kept["code"], kept["params"])
    body = render_template("tsd/_move_feedback.html", kept=kept, message=message)
    return body, (200 if kept["ok"] else 422)


def _step(count_id: int, state: dict[str, Any], barcode: str, scan_id: str) -> dict[str, Any]:
    user = current_user()
    assert user is not None
    s = db.session()
    step = counts.scan(s, count_id, state, barcode, user=user, scan_id=scan_id)
    s.commit()
    return {
        "last": scan_id,
        "state": step.state,
        "ok": step.ok,
        "done": step.done,
        "code": step.code,
        "params": step.params,
    }
