"""The desk's deliveries: open one (blind, expected from a CSV / XLSX list, or from a
МойСклад purchase order), follow it, close it with the difference shown (see
warehouse.stock.receiving and warehouse.accounting.purchase_orders)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from warehouse.accounting import documents, purchase_orders
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.stock import receipt_files, receiving
from warehouse.web import form_id
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.messages import (
    describe,
    document_error,
    document_state,
    position_refusal,
    purchase_order_problem,
)

bp = Blueprint("receiving", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/receipts")
def receipts_page(error: str | None = None, refused: list[dict[str, Any]] | None = None) -> str:
    s = db.session()
    return render_template(
        "supervisor/receipts.html",
        receipts=receiving.recent(s),
        warehouses=receiving.warehouses(s),
        moysklad=purchase_orders.accounts_to_list(s),
        error=error,
        refused=refused or [],
        position_refusal=position_refusal,
    )


@bp.post("/receipts")
def create() -> Response | tuple[str, int]:
    upload = request.files.get("file")
    try:
        rows = None
        if upload is not None and upload.filename:
            data = upload.stream.read(receipt_files.MAX_BYTES + 1)
            rows = receipt_files.read(upload.filename, data)
        receipt = receiving.create(
            db.session(),
            form_id("warehouse_id"),
            request.form.get("supplier", ""),
            rows,
            user=current_user(),
            request_id=request.form.get("request_id", "")[:64],
        )
    except DomainError as refusal:
        db.session().rollback()
        return receipts_page(describe(refusal.code, refusal.params)), 422
    db.session().commit()
    return redirect(url_for(".receipt_page", receipt_id=receipt.id))


@bp.get("/receipts/<int:receipt_id>")
def receipt_page(receipt_id: int) -> str:
    s = db.session()
    receipt = receiving.get(s, receipt_id)
    supply = documents.of_receipt(s, receipt.id)
    return render_template(
        "supervisor/receipt.html",
        receipt=receipt,
        differences=receiving.differences(receipt),
        position_refusal=position_refusal,
        supply=supply,
        supply_state=document_state(supply, documents.command_of(s, supply)) if supply else "",
        document_error=document_error,
    )


@bp.post("/receipts/<int:receipt_id>/close")
def close(receipt_id: int) -> Response:
    user = current_user()
    assert user is not None
    receiving.close(db.session(), receipt_id, user=user)
    db.session().commit()
    return redirect(url_for(".receipt_page", receipt_id=receipt_id))


# --- from a МойСклад purchase order -------------------------------------------------------------


@bp.get("/receipts/moysklad/<int:account_id>")
def purchase_order_list(account_id: int) -> str:
    """The account's open purchase orders, asked of МойСклад when the page opens (a
    fragment: a slow or refusing МойСклад holds up nothing else on the page)."""
    s = db.session()
    return render_template(
        "supervisor/_purchase_orders.html",
        found=purchase_orders.listing(s, account_id),
        warehouses=receiving.warehouses(s),
        problem_words=purchase_order_problem,
    )


@bp.post("/receipts/moysklad/<int:account_id>/<order_id>")
def from_purchase_order(account_id: int, order_id: str) -> Response | tuple[str, int]:
    user = current_user()
    try:
        receipt = purchase_orders.open_receipt(
            db.session(),
            account_id,
            order_id,
            form_id("warehouse_id"),
            user=user,
            request_id=request.form.get("request_id", "")[:64],
        )
    except NotFound:
        raise
    except DomainError as refusal:
        db.session().rollback()
        message = describe(refusal.code, refusal.params)
        return receipts_page(message, refusal.params.get("refused")), 422
    db.session().commit()
    return redirect(url_for(".receipt_page", receipt_id=receipt.id))
