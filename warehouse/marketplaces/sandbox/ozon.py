"""A stateful imitation of the Ozon Seller API (FBS postings), as a Flask blueprint.

Mounted at ``/sandbox/ozon``: ``/sandbox/ozon/v4/posting/fbs/ship`` answers like
``https://api-seller.ozon.ru/v4/posting/fbs/ship``. State lives in the sandbox's own
database (``SANDBOX_DATABASE_URL``), so several gunicorn processes agree.

Config: ``SANDBOX_ENABLED``, ``SANDBOX_DATABASE_URL``, ``SANDBOX_OZON_CLIENT_ID`` and
``SANDBOX_OZON_API_KEY`` (both default ``"sandbox"``), ``SANDBOX_OZON_LABEL_DELAY_SECONDS``
(the label is "not ready" this long after ``ship``; Ozon ~45 s, default 0),
``SANDBOX_OZON_STOCK_WINDOW_SECONDS`` (one stock update per offer and warehouse this
often; Ozon 30 s, default 0 = off), ``SANDBOX_OZON_MARK_CHECK_SECONDS`` (marking codes
stay ``validation_in_process`` this long, default 0), ``SANDBOX_ORDERS_PER_MINUTE``,
``SANDBOX_SLOW_SECONDS``.

Prices and the archive (``/v1/product/import/prices``, ``/v5/product/info/prices``,
``/v1/product/archive``, ``/unarchive``) live in ``ozon_prices``; the sales lists and the
finance report (``/v2/posting/fbo/list``, ``/v3/finance/transaction/list``, the month of
``_control/sales``) in ``ozon_reports``, which also adds that month's FBS postings to
``/v3/posting/fbs/list`` (``SANDBOX_REPORT_LIMITS``: its limits, default on).

Control endpoints (no Ozon auth) live under ``/_control/``.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import (
    common,
    fbo,
    ozon_act_api,
    ozon_acts,
    ozon_cancel,
    ozon_prices,
    ozon_reports,
    ozon_ship,
    ozon_stock,
    pdf,
)
from warehouse.marketplaces.sandbox import ozon_requests as req
from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_db import postings
from warehouse.marketplaces.sandbox.ozon_state import OzonError

logger = logging.getLogger(__name__)

bp = Blueprint("sandbox_ozon", __name__)

DEFAULT_CREDENTIAL = "sandbox"
YEAR_SECONDS = 366 * 24 * 3600
# UNCONFIRMED: Ozon's bodies for missing / wrong credentials and for throttling.
MISSING_CREDENTIALS = (401, 16, "Client-Id and Api-Key headers are required")
WRONG_CREDENTIALS = (403, 7, "Invalid Api-Key, please contact support")
RATE_LIMITED = (429, 8, "You have reached request rate limit per second")
WAREHOUSE_TYPES = ("ALL", "EXPRESS_DARK_STORE", "NOT_EXPRESS_DARK_STORE")


def generate_orders(count: int) -> list[str]:
    """Create ``count`` postings of random demo goods (needs an app context)."""
    with common.begin() as conn:
        numbers = st.generate(conn, count, time.time())
    logger.info("ozon sandbox generated postings=%s", numbers)
    return numbers


# --- gate: auth and faults (common), Ozon's own error bodies ------------------------------


def _auth() -> Response | None:
    client_id = request.headers.get("Client-Id", "")
    api_key = request.headers.get("Api-Key", "")
    if not client_id or not api_key:
        return _error(*MISSING_CREDENTIALS)
    expected_id = str(current_app.config.get("SANDBOX_OZON_CLIENT_ID", DEFAULT_CREDENTIAL))
    expected_key = str(current_app.config.get("SANDBOX_OZON_API_KEY", DEFAULT_CREDENTIAL))
    good_id = hmac.compare_digest(client_id.encode(), expected_id.encode())
    good_key = hmac.compare_digest(api_key.encode(), expected_key.encode())
    return None if good_id and good_key else _error(*WRONG_CREDENTIALS)


def _fault_response(kind: str, retry_after: float) -> Response:
    if kind == "429":
        response = _error(*RATE_LIMITED)
        response.headers["Retry-After"] = _seconds(retry_after)
        return response
    return _error(500, 13, "internal error")


@bp.errorhandler(OzonError)
def _refused(exc: OzonError) -> Response:
    return _error(exc.status, exc.code, exc.message)


common.install(bp, "ozon", _auth, _fault_response)
ozon_act_api.register(bp)
ozon_prices.register(bp)
ozon_reports.register(bp, _fault_response)
fbo.install_control(bp, "ozon")


# --- Ozon Seller API ---------------------------------------------------------------------


@bp.post("/v1/warehouse/list")
def warehouse_list() -> Response:
    return jsonify({"result": ozon_stock.warehouses()})


@bp.post("/v3/posting/fbs/unfulfilled/list")
def unfulfilled_list() -> Response:
    data = req.body()
    limit, offset = req.page(data)
    flt = data.get("filter") or {}
    window = req.window(flt, "cutoff_from", "cutoff_to", required=False) or req.window(
        flt, "delivering_date_from", "delivering_date_to", required=False
    )
    if window is None:
        raise OzonError(400, "cutoff_from/cutoff_to or delivering_date_from/to must be set")
    _generate_due()
    with common.begin() as conn:
        total, rows = st.unfulfilled(conn, req.status_filter(flt), window, limit, offset)
    barcodes = bool((data.get("with") or {}).get("barcodes"))
    found = [st.posting_json(row, barcodes=barcodes) for row in rows]
    return jsonify({"result": {"postings": found, "count": total}})


@bp.post("/v3/posting/fbs/list")
def posting_list() -> Response:
    data = req.body()
    limit, offset = req.page(data)
    flt = data.get("filter") or {}
    window = req.window(flt, "since", "to")
    assert window is not None
    if not 0 <= window[1] - window[0] <= YEAR_SECONDS:
        raise OzonError(400, "the period must be at most one year")
    changed = req.window(flt.get("last_changed_status_date") or {}, "from", "to", required=False)
    asked = data.get("with") or {}
    _generate_due()
    with common.begin() as conn:
        status = req.status_filter(flt)
        found = ozon_reports.fbs_postings(conn, status, window, changed, asked, time.time())
    if str(data.get("dir") or "ASC").upper() == "DESC":
        found.reverse()
    page = found[offset : offset + limit]
    return jsonify({"result": {"postings": page, "has_next": offset + limit < len(found)}})


@bp.post("/v3/posting/fbs/get")
def posting_get() -> Response:
    data = req.body()
    _generate_due()
    with common.begin() as conn:
        row = st.posting(conn, req.posting_number(data))
    barcodes = bool((data.get("with") or {}).get("barcodes"))
    return jsonify({"result": st.posting_json(row, barcodes=barcodes)})


@bp.post("/v4/posting/fbs/ship")
def posting_ship() -> Response:
    data = req.body()
    number, packages = req.posting_number(data), req.packages(data)
    with common.begin() as conn:
        numbers = ozon_ship.ship(conn, number, packages, time.time(), _config("MARK_CHECK"))
    logger.info("ozon sandbox shipped posting=%s into=%s", number, numbers)
    return jsonify({"result": numbers, "additional_data": []})


LABEL_SIZE_MM = (75, 120)  # one page per posting


@bp.post("/v2/posting/fbs/package-label")
def package_label() -> Response:
    numbers = req.posting_numbers(req.body(), 20)
    with common.begin() as conn:
        rows = ozon_ship.label_rows(conn, numbers, time.time(), _config("LABEL_DELAY"))
    pages = [
        ["OZON", row.posting_number, row.order_number, *(p["offer_id"] for p in row.products)]
        for row in rows
    ]
    barcodes = [row.posting_number for row in rows]
    return Response(pdf.text_pdf(pages, *LABEL_SIZE_MM, barcodes), mimetype="application/pdf")


@bp.post("/v2/posting/fbs/cancel-reason/list")
def cancel_reasons() -> Response:
    return jsonify(
        {
            "result": [
                {"id": rid, "title": title, "type_id": kind, "is_available_for_cancellation": True}
                for rid, title, kind in ozon_cancel.CANCEL_REASONS
            ]
        }
    )


@bp.post("/v1/posting/fbs/cancel-reason")
def posting_cancel_reasons() -> Response:
    numbers = req.string_list(req.body(), "related_posting_numbers", 1000)
    with common.begin() as conn:
        rows = [st.posting(conn, number) for number in numbers]
    return jsonify(
        {
            "result": [
                {"posting_number": row.posting_number, "reasons": ozon_cancel.reasons_for(row)}
                for row in rows
            ]
        }
    )


@bp.post("/v2/posting/fbs/cancel")
def posting_cancel() -> Response:
    data = req.body()
    number, reason = req.posting_number(data), req.cancel_reason(data)
    message = str(data.get("cancel_reason_message") or "")
    with common.begin() as conn:
        ozon_cancel.cancel(conn, number, reason, message, time.time())
    logger.info("ozon sandbox seller cancelled posting=%s reason=%s", number, reason)
    return jsonify({"result": True})


@bp.post("/v2/posting/fbs/product/cancel")
def product_cancel() -> Response:
    data = req.body()
    number, reason = req.posting_number(data), req.cancel_reason(data)
    message = data.get("cancel_reason_message")
    if not isinstance(message, str):
        raise OzonError(400, "cancel_reason_message is required")
    items = req.cancel_items(data)
    with common.begin() as conn:
        ozon_cancel.cancel_products(conn, number, reason, message, items, time.time())
    logger.info("ozon sandbox products cancelled posting=%s items=%s", number, items)
    return jsonify({"result": number})


@bp.post("/v6/fbs/posting/product/exemplar/create-or-get")
def exemplar_create_or_get() -> Response:
    with common.begin() as conn:
        return jsonify(ozon_ship.create_or_get(st.posting(conn, req.posting_number(req.body()))))


@bp.post("/v6/fbs/posting/product/exemplar/set")
def exemplar_set() -> Response:
    data = req.body()
    number, sent = req.posting_number(data), req.exemplar_products(data)
    with common.begin() as conn:
        ozon_ship.set_exemplars(conn, st.posting(conn, number), sent, time.time())
    return jsonify({})


@bp.post("/v5/fbs/posting/product/exemplar/status")
def exemplar_status() -> Response:
    with common.begin() as conn:
        row = st.posting(conn, req.posting_number(req.body()))
    return jsonify(ozon_ship.exemplar_status(row, time.time(), _config("MARK_CHECK")))


@bp.post("/v2/products/stocks")
def products_stocks() -> Response:
    entries = req.stock_entries(req.body())
    with common.begin() as conn:
        result = ozon_stock.update_stocks(conn, entries, time.time(), _config("STOCK_WINDOW"))
    return jsonify({"result": result})


@bp.post("/v3/product/list")
def product_list() -> Response:
    data = req.body()
    limit = data.get("limit", 100)
    if not req.is_int(limit) or not 1 <= limit <= 1000:
        raise OzonError(400, "limit must be 1..1000")
    return jsonify({"result": ozon_stock.product_list(str(data.get("last_id") or ""), limit)})


@bp.post("/v3/product/info/list")
def product_info_list() -> Response:
    data = req.body()
    offers = [str(value) for value in req.id_list(data, "offer_id")]
    product_ids = [int(value) for value in req.id_list(data, "product_id")]
    skus = [int(value) for value in req.id_list(data, "sku")]
    if len(offers) + len(product_ids) + len(skus) > 1000:
        raise OzonError(400, "at most 1000 ids per call")
    with common.begin() as conn:
        extra = ozon_reports.extra_cards(conn, offers, skus)
    return jsonify({"items": ozon_stock.product_info(offers, product_ids, skus) + extra})


@bp.post("/v2/analytics/stock_on_warehouses")
def stock_on_warehouses() -> Response:
    """Our goods in Ozon's warehouses (FBO), ``limit`` (required) rows from ``offset``."""
    data = req.body()
    limit, offset = req.page(data)  # UNCONFIRMED: 1000 as the upper bound of limit
    if data.get("warehouse_type", "ALL") not in WAREHOUSE_TYPES:
        raise OzonError(400, "unknown warehouse_type")
    with common.begin() as conn:
        rows = fbo.rows(conn, "ozon")
    return jsonify({"result": {"rows": ozon_stock.fbo_rows(rows)[offset : offset + limit]}})


# --- control (tests and the demo) -------------------------------------------------------


@bp.post("/_control/orders")
def control_orders() -> Response:
    """``{count}`` random postings, or ``{items: [{article, qty, marked?}], status?}`` as
    one posting (``status`` awaiting_packaging, the default, or awaiting_verification)."""
    data = req.body()
    if data.get("items") is None:
        count = data.get("count", 1)
        if not req.is_int(count) or not 1 <= count <= 1000:
            raise OzonError(400, "count must be 1..1000")
        return jsonify({"ids": generate_orders(count)})
    lines = req.cart_lines(data["items"])
    status = data.get("status", st.AWAITING_PACKAGING)
    if status not in (st.AWAITING_PACKAGING, st.AWAITING_VERIFICATION):
        raise OzonError(400, "status is awaiting_packaging or awaiting_verification")
    with common.begin() as conn:
        number = st.add_cart(conn, lines, time.time(), status)
    logger.info("ozon sandbox cart created posting=%s", number)
    return jsonify({"ids": [number]})


@bp.post("/_control/orders/<posting_number>/client-cancel")
def control_client_cancel(posting_number: str) -> tuple[str, int]:
    with common.begin() as conn:
        ozon_cancel.cancel(
            conn, posting_number, ozon_cancel.BUYER_REASON[0], "", time.time(), by_buyer=True
        )
    return "", 204


# Statuses a test or the demo may put a posting in, to exercise every mapping.
CONTROL_STATUSES = (st.AWAITING_VERIFICATION, st.AWAITING_PACKAGING, st.SPLIT_CANCELLED)


@bp.post("/_control/orders/<posting_number>/status")
def control_status(posting_number: str) -> tuple[str, int]:
    """``{status}``: awaiting_verification ↔ awaiting_packaging, or split-cancelled."""
    status = req.body().get("status")
    if status not in CONTROL_STATUSES:
        raise OzonError(400, f"status must be one of {list(CONTROL_STATUSES)}")
    with common.begin() as conn:
        st.posting(conn, posting_number)
        sources = (st.AWAITING_VERIFICATION, st.AWAITING_PACKAGING)
        if not st.move(conn, posting_number, sources, status, time.time()):
            raise OzonError(400, ozon_cancel.WRONG_STATUS, code=9)
    return "", 204


@bp.post("/_control/orders/<posting_number>/handover")
def control_handover(posting_number: str) -> tuple[str, int]:
    with common.begin() as conn:
        st.handover(conn, posting_number, time.time())
    return "", 204


@bp.post("/_control/orders/<posting_number>/deliver")
def control_deliver(posting_number: str) -> tuple[str, int]:
    with common.begin() as conn:
        st.deliver(conn, posting_number, time.time())
    return "", 204


@bp.get("/_control/state")
def control_state() -> Response:
    with common.begin() as conn:
        return jsonify(_state(conn))


# --- helpers -----------------------------------------------------------------------------


def _state(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(select(postings).order_by(postings.c.order_id, postings.c.seq))
    orders = [
        {
            "posting_number": row.posting_number,
            "order_number": row.order_number,
            "parent_posting_number": row.parent_posting_number,
            "status": row.status,
            "substatus": row.substatus,
            "products": row.products,
            "mark_skus": row.mark_skus,
            "exemplars": row.exemplars,
            "shipped_at": st.iso(row.shipped_ts),
            "cancellation": row.cancellation,
        }
        for row in rows
    ]
    return {
        "orders": orders,
        "stocks": ozon_stock.all_stocks(conn),
        "faults": common.queued_faults(conn, "ozon"),
    }


def _generate_due() -> None:
    """The sandbox clock: new demo postings, and acts' postings picked up by the courier."""
    common.generate_due("ozon", st.generate)
    with common.begin() as conn:
        ozon_acts.advance(conn, time.time(), _config("PICKUP"))


def _config(name: str) -> float:
    return float(current_app.config.get(f"SANDBOX_OZON_{name}_SECONDS") or 0)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _error(status: int, code: int, message: str) -> Response:
    response = jsonify({"code": code, "message": message, "details": []})
    response.status_code = status
    return response
