"""The desk's stock page: every product's on hand, promised, free and in-transit units
against its minimum (filters, 50 a page) beside what the marketplaces hold in their own
warehouses (FBO), one product bin by bin, and what each cabinet was last told."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from warehouse.errors import NotFound
from warehouse.infra import db, queue
from warehouse.models import MarketplaceAccount
from warehouse.stock import corrections, fbo, overview
from warehouse.web.auth import supervisor_required
from warehouse.web.messages import account_problem, describe, push_state

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
    page = overview.page(s, filters, after)
    product_ids = [row.product.id for row in page.rows]
    return render_template(
        "supervisor/stock.html",
        filters=filters,
        page=page,
        fbo_totals=fbo.totals(s, product_ids, filters.account_id),
        fbo_sources=fbo.sources(s, filters.account_id),
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
    s = db.session()
    stock = overview.product_stock(s, product_id)
    return render_template(
        "supervisor/stock_product.html",
        stock=stock,
        fbo_rows=fbo.of_product(s, product_id),
        problem_words=account_problem,
    )


@bp.get("/corrections/<int:correction_id>")
def correction(correction_id: int) -> str:
    """A stock correction an accounting system sent: who, their number, each bin before
    and after."""
    return render_template(
        "supervisor/stock_correction.html",
        correction=corrections.get(db.session(), correction_id),
    )


@bp.post("/fbo/<int:account_id>/read")
def read_fbo(account_id: int) -> Response:
    """Read an account's FBO stock report now (cron reads it every half hour)."""
    account = db.session().get(MarketplaceAccount, account_id)
    if account is None:
        raise NotFound("account_not_found")
    words = {"account": f"{account.kind.upper()} · {account.name}"}
    if not fbo.readable(account):
        flash(describe("fbo_not_given", words))
    elif queue.enqueue_now(
        "default",
        "warehouse.jobs.read_fbo_stock",
        account.id,
        job_id=f"fbo-stock-{account.id}",
        result_ttl=600,
    ):
        flash(describe("fbo_reading", words))
    else:
        flash(describe("fbo_not_queued", words))
    return redirect(url_for("stock.stock_page", _anchor="fbo"))
