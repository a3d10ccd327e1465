"""The desk's stock page: every product's on hand, promised, free and in-transit units
against its minimum (filters, 50 a page), one product bin by bin, and what each cabinet
was last told."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from warehouse.infra import db
from warehouse.stock import overview
from warehouse.web.auth import supervisor_required
from warehouse.web.messages import account_problem, push_state

bp = Blueprint("stock", __name__, url_prefix="/stock")
bp.before_request(supervisor_required(lambda: None))


def filters_from_args() -> overview.Filters:
    """The page's query string; a value that is not what it should be narrows nothing."""
    args = request.args
    return overview.Filters(
        warehouse_id=args.get("warehouse", type=int),
        zone=args.get("zone", "").strip()[:64],
        account_id=args.get("account", type=int),
        below_only=args.get("below") == "1",
        search=args.get("q", "").strip()[: overview.SEARCH_LENGTH],
    )


@bp.get("/")
def stock_page() -> str:
    s = db.session()
    filters = filters_from_args()
    after = request.args.get("after", "").strip()[:100] or None
    warehouses, zones, accounts = overview.choices(s)
    return render_template(
        "supervisor/stock.html",
        filters=filters,
        page=overview.page(s, filters, after),
        first_page=after is None,
        warehouses=warehouses,
        zones=zones,
        accounts=accounts,
        pushes=overview.pushes(s, filters.account_id),
        problem_words=account_problem,
        push_state=push_state,
    )


@bp.get("/products/<int:product_id>")
def product(product_id: int) -> str:
    return render_template(
        "supervisor/stock_product.html",
        stock=overview.product_stock(db.session(), product_id),
        problem_words=account_problem,
    )
