"""Supervisor: labels as images — a print job's, the virtual Zebra's, or pasted ZPL.

Images are PNG, one pixel per printer dot, drawn in the request
(see ``warehouse.labels.label_preview``) and named by an ETag,
so a browser that has one asks again only to hear 304.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request

from printers import spool
from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.labels import label_preview, printer_registry
from warehouse.labels.label_preview import Sheet, Stock
from warehouse.models import PrintJob
from warehouse.web.auth import supervisor_required
from warehouse.web.htmx import htmx
from warehouse.web.messages import describe

bp = Blueprint("previews", __name__)
bp.before_request(supervisor_required(lambda: None))

CACHE_SECONDS = 60  # then the browser asks again with If-None-Match
# The form's own fields and URL encoding come on top of the ZPL itself.
MAX_FORM_BYTES = 3 * label_preview.MAX_PASTED_BYTES


@bp.get("/print-jobs/<int:job_id>/preview.png")
def job_png(job_id: int) -> Response:
    zpl, stock = label_preview.job_zpl(db.session(), job_id)
    return _png(zpl, stock)


@bp.get("/printers/spool/<name>/preview.png")
def spool_png(name: str) -> Response:
    zpl = _spool_file(name)
    return _png(zpl, label_preview.spool_stock(zpl, request.args.get("dpi", type=int)))


@bp.get("/labels/preview")
def paste_page() -> str:
    return render_template("supervisor/label_preview.html", **_form({}), sheet=None)


@bp.post("/labels/preview")
def paste_preview() -> tuple[str, int]:
    """Pasted ZPL → the preview area (HTMX) or the page with it; 422 when it cannot be drawn."""
    sheet = label_preview.pasted_sheet(*_pasted_fields())
    status = 422 if sheet.problem else 200
    if htmx:
        return render_template("supervisor/_label_preview.html", **pasted_area(sheet)), status
    page = render_template(
        "supervisor/label_preview.html", **_form(request.form), **pasted_area(sheet)
    )
    return page, status


def job_area(job: PrintJob) -> dict[str, Any]:
    """What ``_label_preview.html`` needs on a print job's page."""
    sheet = label_preview.sheet(job.content, label_preview.job_stock(job))
    return _area(sheet, "previews.job_png", {"job_id": job.id})


def pasted_area(sheet: Sheet) -> dict[str, Any]:
    return _area(sheet, None, {})


def _area(sheet: Sheet, endpoint: str | None, args: dict[str, Any]) -> dict[str, Any]:
    problem = describe(sheet.problem, sheet.params) if sheet.problem else ""
    return {"sheet": sheet, "problem": problem, "png_endpoint": endpoint, "png_args": args}


def _png(zpl: bytes, stock: Stock) -> Response:
    number = request.args.get("label", 1, type=int)
    tag = label_preview.etag(zpl, stock, number)
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = Response(label_preview.png(zpl, stock, number), mimetype="image/png")
    response.set_etag(tag)
    response.cache_control.private = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


def _pasted_fields() -> tuple[str, str, str]:
    """The form, read only when it is small enough: a preview is no reason to take 1 GB."""
    length = request.content_length
    if length is None or length > MAX_FORM_BYTES:
        size = "?" if length is None else length  # a chunked body does not say
        raise DomainError("preview_too_large", size=size, limit=label_preview.MAX_PASTED_BYTES)
    request.max_content_length = MAX_FORM_BYTES
    form = request.form
    return form.get("zpl", ""), form.get("dpi", ""), form.get("size", "")


def _form(values: Any) -> dict[str, Any]:
    return {
        "zpl": values.get("zpl", ""),
        "dpi": values.get("dpi", str(label_preview.DEFAULT_DPI)),
        "size": values.get("size", label_preview.SIZE_CHOICES[0]),
        "dpis": printer_registry.DPIS,
        "sizes": label_preview.SIZE_CHOICES,
    }


def _spool_file(name: str) -> bytes:
    configured = current_app.config["VIRTUAL_PRINTER_SPOOL"]
    if not configured:
        abort(404)
    try:
        return spool.read(Path(configured), name)
    except FileNotFoundError:
        abort(404)
