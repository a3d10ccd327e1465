"""The desk's stock history: every movement of a product, or of a bin, newest first."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from warehouse.infra import db
from warehouse.stock import ledger
from warehouse.web.auth import supervisor_required

bp = Blueprint("stock_history", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/products/<int:product_id>/history")
def product(product_id: int) -> str:
    before = request.args.get("before", type=int)
    page = ledger.product_history(db.session(), product_id, before)
    return render_template("supervisor/stock_history.html", page=page)


@bp.get("/locations/<int:location_id>/history")
def location(location_id: int) -> str:
    before = request.args.get("before", type=int)
    page = ledger.bin_history(db.session(), location_id, before)
    return render_template("supervisor/stock_history.html", page=page)
