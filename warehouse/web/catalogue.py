"""The catalogue on the desk: products and bins created, edited and deactivated by hand,
and files uploaded → previewed → applied, or exported in the same columns."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from warehouse.catalog import catalogue_csv, catalogue_files, catalogue_uploads, warehouses
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.models import CatalogueUpload
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.downloads import attachment
from warehouse.web.messages import describe

logger = logging.getLogger(__name__)
bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
KINDS = ("products", "bins")


@bp.get("/")
@supervisor_required
def catalogue_page():
    return _page()


def _page(error: str = "", status: int = 200, form: MultiDict[str, str] | None = None):
    search = request.args.get("q", "").strip()[:100]
    products, bins = catalogue_csv.listing(db.session(), search)
    page = render_template(
        "supervisor/catalogue.html",
        products=products,
        bins=bins,
        warehouses=warehouses.listing(db.session()),
        search=search,
        listed=catalogue_csv.LISTED,
        cells=catalogue_csv.cells,
        error=error,
        form=form or {},
    )
    return page, status


@bp.post("/uploads")
@supervisor_required
def upload():
    if (request.content_length or 0) > catalogue_files.MAX_BYTES + 64 * 1024:
        return _page(describe("catalogue_too_big", {"megabytes": _megabytes()}), 413)
    request.max_content_length = catalogue_files.MAX_BYTES + 64 * 1024  # a chunked upload too
    kind, file = request.form.get("kind", ""), request.files.get("file")
    if kind not in KINDS or file is None or not file.filename:
        return _page(describe("catalogue_empty"), 422)
    try:
        table = catalogue_files.read(file.filename, file.read(catalogue_files.MAX_BYTES + 1))
        user = current_user()
        token = catalogue_uploads.keep(
            db.session(), kind, file.filename, table, user.id if user else None
        )
    except DomainError as refusal:
        return _page(describe(refusal.code, refusal.params), 422)
    db.session().commit()
    return redirect(url_for("catalogue.preview", token=token))


def _megabytes() -> int:
    return catalogue_files.MAX_BYTES // (1024 * 1024)


@bp.get("/uploads/<token>")
@supervisor_required
def preview(token: str):
    upload, plan, encoding = catalogue_uploads.preview(db.session(), token)
    return _preview(upload, plan, encoding)


def _preview(
    upload: CatalogueUpload,
    plan: catalogue_csv.Plan,
    encoding: str,
    error: str = "",
    status: int = 200,
) -> tuple[str, int]:
    page = render_template(
        "supervisor/catalogue_preview.html",
        upload=upload,
        plan=plan,
        encoding=encoding,
        error=error,
        describe=describe,
    )
    return page, status


@bp.post("/uploads/<token>/apply")
@supervisor_required
def apply(token: str):
    """Apply the upload; when another apply wrote the same article or bin in the same
    moment (a unique key refused ours) the rows are planned and written once more over
    what it wrote, so the second file updates instead of failing."""
    s = db.session()
    for attempt in (1, 2):
        try:
            catalogue_uploads.apply(s, token)
            s.commit()
            return redirect(url_for("catalogue.catalogue_page"))
        except catalogue_csv.RowsRefused as refusal:
            s.rollback()
            upload, plan, encoding = catalogue_uploads.preview(s, token)
            return _preview(upload, plan, encoding, describe(refusal.code, refusal.params), 422)
        except IntegrityError:
            s.rollback()
            logger.warning("catalogue apply met a concurrent write, attempt %s", attempt)
    upload, plan, encoding = catalogue_uploads.preview(s, token)
    return _preview(upload, plan, encoding, describe("catalogue_changed_meanwhile", {}), 409)


@bp.get("/export/<kind>.<fmt>")
@supervisor_required
def export(kind: str, fmt: str):
    if kind not in KINDS or fmt not in catalogue_files.FORMATS:
        abort(404)
    header, rows = catalogue_csv.export_rows(db.session(), kind)
    data = catalogue_files.write(fmt, header, rows)
    return attachment(data, f"{kind}.{fmt}")


@bp.post("/<kind>")
@supervisor_required
def save(kind: str):
    """A product or bin from its form: a one-row import (create, or update by its key)."""
    if kind not in KINDS:
        abort(404)
    columns = catalogue_csv.PRODUCT_COLUMNS if kind == "products" else catalogue_csv.BIN_COLUMNS
    cells = {column: request.form.get(column, "") for column in columns if column != "active"}
    for flag in ("needs_marking",) if kind == "products" else ():
        cells[flag] = "yes" if request.form.get(flag) else "no"
    try:
        new_only = request.form.get("new") == "1"
        catalogue_csv.apply(db.session(), kind, list(cells), [(1, cells)], new_only=new_only)
    except catalogue_csv.RowsRefused as refusal:
        db.session().rollback()
        words = "; ".join(
            describe(code, p) for row in refusal.plan.refused for code, p in row.reasons
        )
        return _page(words, 422, request.form)
    db.session().commit()
    return redirect(url_for("catalogue.catalogue_page", _anchor=f"{kind}"))


@bp.post("/<kind>/<int:row_id>/active")
@supervisor_required
def set_active(kind: str, row_id: int):
    if kind not in KINDS:
        abort(404)
    try:
        catalogue_csv.set_active(db.session(), kind, row_id, request.form.get("active") == "1")
    except NotFound:
        abort(404)
    except DomainError as refusal:  # a bin holding reserved goods stays on
        db.session().rollback()
        return _page(describe(refusal.code, refusal.params), 422)
    db.session().commit()
    return redirect(url_for("catalogue.catalogue_page", _anchor=kind))


@bp.post("/warehouses", defaults={"warehouse_id": None})
@bp.post("/warehouses/<int:warehouse_id>")
@supervisor_required
def save_warehouse(warehouse_id: int | None):
    form = request.form
    try:
        warehouses.save(db.session(), warehouse_id, form.get("code", ""), form.get("name", ""))
    except NotFound:
        abort(404)
    except DomainError as refusal:
        db.session().rollback()
        return _page(describe(refusal.code, refusal.params), 422)
    db.session().commit()
    return redirect(url_for("catalogue.catalogue_page", _anchor="warehouses"))


@bp.post("/warehouses/<int:warehouse_id>/active")
@supervisor_required
def set_warehouse_active(warehouse_id: int):
    try:
        warehouses.set_active(db.session(), warehouse_id, request.form.get("active") == "1")
    except NotFound:
        abort(404)
    except DomainError as refusal:
        db.session().rollback()
        return _page(describe(refusal.code, refusal.params), 422)
    db.session().commit()
    return redirect(url_for("catalogue.catalogue_page", _anchor="warehouses"))
