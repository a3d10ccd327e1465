"""The desk's deliveries: open one (blind, or expected from a CSV / XLSX list), follow
it, close it with the difference shown (see warehouse.stock.receiving)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.stock import receipt_files, receiving
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.messages import describe

bp = Blueprint("receiving", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/receipts")
def receipts_page(error: str | None = None) -> str:
    s = db.session()
    return render_template(
        "supervisor/receipts.html",
        receipts=receiving.recent(s),
        warehouses=receiving.warehouses(s),
        error=error,
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
            request.form.get("warehouse_id", type=int) or 0,
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
    receipt = receiving.get(db.session(), receipt_id)
    differences = receiving.differences(receipt)
    return render_template("supervisor/receipt.html", receipt=receipt, differences=differences)


@bp.post("/receipts/<int:receipt_id>/close")
def close(receipt_id: int) -> Response:
    user = current_user()
    assert user is not None
    receiving.close(db.session(), receipt_id, user=user)
    db.session().commit()
    return redirect(url_for(".receipt_page", receipt_id=receipt_id))
