"""The desk's counts (open, follow, approve) and the returns received on the ТСД."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.orders import returns
from warehouse.stock import counts, defects
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.messages import describe

bp = Blueprint("stock_counts", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/counts")
def counts_page(error: str | None = None) -> str:
    return render_template(
        "supervisor/counts.html", counts=counts.recent_counts(db.session()), error=error
    )


@bp.post("/counts")
def open_count() -> Response | tuple[str, int]:
    user, s = current_user(), db.session()
    assert user is not None
    form = request.form
    try:
        warehouse_id = counts.default_warehouse(s)
        count = counts.open_count(
            s, warehouse_id, form.get("kind", ""), form.get("scope", ""), user=user
        )
    except DomainError as refusal:
        s.rollback()
        return counts_page(error=describe(refusal.code, refusal.params)), 422
    s.commit()
    return redirect(url_for(".count_page", count_id=count.id))


@bp.get("/counts/<int:count_id>")
def count_page(count_id: int, error: str | None = None) -> str:
    count = counts.get(db.session(), count_id)
    return render_template("supervisor/count.html", count=count, error=error)


@bp.post("/counts/<int:count_id>/approve")
def approve(count_id: int) -> Response | tuple[str, int]:
    user, s = current_user(), db.session()
    assert user is not None
    try:
        result = counts.approve(s, count_id, user=user)
    except DomainError as refusal:
        s.rollback()
        return count_page(count_id, error=describe(refusal.code, refusal.params)), 422
    s.commit()
    if result.approved:
        flash(describe("count_approved", {}))
    else:
        flash(describe("count_bins_moved", {"bins": ", ".join(result.changed_bins)}))
    return redirect(url_for(".count_page", count_id=count_id))


@bp.get("/returns")
def returns_page() -> str:
    s = db.session()
    return render_template(
        "supervisor/returns.html",
        returns=returns.recent(s),
        left=returns.units_left,
        defect_areas=defects.defect_areas(s),
    )
