"""The desk's stock history: every movement of a product, or of a bin, newest first; a
bin's page shows what lies in it now, and the defect area's page writes defects off."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.stock import defects, ledger
from warehouse.web import form_id
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.messages import describe

bp = Blueprint("stock_history", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/products/<int:product_id>/history")
def product(product_id: int) -> str:
    before = request.args.get("before", type=int)
    page = ledger.product_history(db.session(), product_id, before)
    return render_template("supervisor/stock_history.html", page=page, contents=[])


@bp.get("/locations/<int:location_id>/history")
def location(location_id: int, error: str = "") -> str:
    before = request.args.get("before", type=int)
    s = db.session()
    page = ledger.bin_history(s, location_id, before)
    contents = ledger.bin_contents(s, location_id)
    return render_template(
        "supervisor/stock_history.html", page=page, contents=contents, error=error
    )


@bp.post("/locations/<int:location_id>/write-off")
def write_off(location_id: int) -> Response | tuple[str, int]:
    """«Списать» on the defect area's page: the units leave the warehouse for good."""
    user, s, form = current_user(), db.session(), request.form
    assert user is not None
    quantity = form.get("quantity", type=int) or 0
    try:
        row = defects.write_off(
            s,
            location_id,
            form_id("product_id"),
            quantity,
            shown=form.get("shown", type=int) or 0,
            user=user,
            request_id=form.get("request_id", ""),
        )
    except DomainError as refusal:
        s.rollback()
        return location(location_id, error=describe(refusal.code, refusal.params)), 422
    params = {"product": row.product.name, "quantity": quantity, "bin": row.location.code}
    s.commit()
    flash(describe("defect_written_off", params))
    return redirect(url_for(".location", location_id=location_id))
