"""A stateful imitation of the Wildberries Marketplace (FBS) API, as a Flask blueprint.

Mounted at ``/sandbox/wb``: ``/sandbox/wb/api/v3/orders/new`` answers like
``https://marketplace-api.wildberries.ru/api/v3/orders/new``. The Content API (product
cards) has its own host at WB, here ``/sandbox/wb/content-api/`` (``wb_content``), and so do
prices and discounts, here ``/sandbox/wb/prices-api/`` (``wb_prices``), and the sales
statistics and realization report, here ``/sandbox/wb/statistics-api/`` and
``/sandbox/wb/finance-api/`` (``wb_statistics``). State
lives in the sandbox's own database (``SANDBOX_DATABASE_URL``), so several gunicorn processes agree.

Config: ``SANDBOX_ENABLED`` (else every path is 404), ``SANDBOX_DATABASE_URL``,
``SANDBOX_WB_TOKEN`` (default ``"sandbox"``, sent bare in ``Authorization``),
``SANDBOX_ORDERS_PER_MINUTE`` (demo: ``/orders/new`` first creates the orders due),
``SANDBOX_SLOW_SECONDS`` (how long a queued ``timeout`` fault waits),
``SANDBOX_WB_PRICE_TASK_SECONDS`` and ``SANDBOX_WB_CARD_SECONDS`` (default 1: how long WB
takes to process a price upload, to make an uploaded card).

Control endpoints for tests and the demo (no WB auth) live under ``/_control/``.
"""

from __future__ import annotations

import base64
import hmac
import logging
import time
import uuid
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from warehouse.marketplaces.sandbox import (
    common,
    fbo,
    wb_cards,
    wb_content,
    wb_control,
    wb_prices,
    wb_reports,
    wb_requests,
    wb_state,
    wb_statistics,
    wb_stickers,
    wb_supplies,
)
from warehouse.marketplaces.sandbox.common import ID
from warehouse.marketplaces.sandbox.wb_state import (
    SandboxError,
    TextError,
    rfc3339,
    supply_name,
)

logger = logging.getLogger(__name__)

bp = Blueprint("sandbox_wb", __name__)
wb_content.install(bp)

DEFAULT_TOKEN = "sandbox"
MONTH_SECONDS = 30 * 24 * 3600


def generate_orders(count: int) -> list[int]:
    """Create ``count`` new orders for random demo goods (needs an app context)."""
    with common.begin() as conn:
        ids = wb_state.generate(conn, count, time.time())
    logger.info("wb sandbox generated orders=%s", ids)
    return ids


# --- gate: auth and faults (common), WB's own error bodies -----------------------------


def _auth() -> Response | None:
    expected = str(current_app.config.get("SANDBOX_WB_TOKEN", DEFAULT_TOKEN))
    given = request.headers.get("Authorization", "")
    if hmac.compare_digest(given.encode(), expected.encode()):
        return None
    return _gateway_error(401, "unauthorized", "token problem; token is malformed")


def _fault_response(kind: str, retry_after: float) -> Response:
    if kind == "429":
        return _too_many_requests(retry_after)
    return _error(500, "InternalServerError", "sandbox fault: internal server error")


@bp.errorhandler(SandboxError)
def _refused(exc: SandboxError) -> Response:
    return _error(exc.status, exc.code, exc.message, exc.data)


@bp.errorhandler(TextError)
def _refused_text(exc: TextError) -> Response:
    """The prices and Content hosts' refusal: ``{data: null, error: true, errorText}``."""
    body: dict[str, Any] = {"data": None, "error": True, "errorText": exc.text}
    if exc.additional is not None:
        body["additionalErrors"] = exc.additional
    response = jsonify(body)
    response.status_code = exc.status
    return response


common.install(bp, "wb", _auth, _fault_response)
wb_prices.install(bp)


def _too_many_requests(retry_after: float) -> Response:
    response = _gateway_error(429, "too many requests", "limited by sandbox fault queue")
    response.headers["X-Ratelimit-Retry"] = _seconds(retry_after)
    response.headers["X-Ratelimit-Reset"] = _seconds(retry_after)
    response.headers["X-Ratelimit-Limit"] = "10"
    return response


wb_reports.install(bp, _too_many_requests)
wb_statistics.install(bp, _too_many_requests)
fbo.install_control(bp, "wb")


# --- WB API ------------------------------------------------------------------------------


@bp.get("/ping")
def ping() -> Response:
    return jsonify({"TS": rfc3339(time.time()), "Status": "OK"})


@bp.get("/api/v3/warehouses")
def warehouses() -> Response:
    return jsonify(wb_state.warehouses())


@bp.get("/api/v3/orders/new")
def orders_new() -> Response:
    _generate_due()
    with common.begin() as conn:
        return jsonify({"orders": wb_state.new_orders(conn)})


@bp.get("/api/v3/orders")
def orders_list() -> Response:
    limit = wb_requests.int_arg("limit", 1, 1000)
    after = wb_requests.int_arg("next", 0, 2**63 - 1)
    now = int(time.time())
    date_to = wb_requests.int_arg("dateTo", 0, 2**40, default=now)
    date_from = wb_requests.int_arg("dateFrom", 0, 2**40, default=date_to - MONTH_SECONDS)
    if not 0 <= date_to - date_from <= MONTH_SECONDS:
        raise SandboxError(400, "IncorrectParameter", "dateFrom..dateTo must be 0..30 days")
    with common.begin() as conn:
        cursor, found = wb_state.list_orders(conn, limit, after, date_from, date_to)
    return jsonify({"next": cursor, "orders": found})


@bp.post("/api/v3/orders/status")
def orders_status() -> Response:
    ids = wb_requests.ids(wb_requests.body(), "orders", 1000)
    _progress_due()
    with common.begin() as conn:
        return jsonify({"orders": wb_state.statuses(conn, ids)})


@bp.patch(f"/api/v3/orders/<{ID}:order_id>/cancel")
def order_cancel(order_id: int) -> tuple[str, int]:
    with common.begin() as conn:
        wb_state.cancel_order(conn, order_id)
    logger.info("wb sandbox order cancelled order=%s", order_id)
    return "", 204


@bp.put(f"/api/v3/orders/<{ID}:order_id>/meta/sgtin")
def order_sgtin(order_id: int) -> tuple[str, int]:
    codes = wb_requests.body().get("sgtins")
    if not isinstance(codes, list) or not 1 <= len(codes) <= 100:
        raise SandboxError(400, "IncorrectRequestBody", "sgtins must list 1..100 codes")
    if not all(isinstance(code, str) and 16 <= len(code) <= 135 for code in codes):
        raise SandboxError(400, "IncorrectParameter", "each sgtin must be 16..135 characters")
    with common.begin() as conn:
        wb_state.set_sgtins(conn, order_id, codes)
    return "", 204


@bp.delete(f"/api/v3/orders/<{ID}:order_id>/meta")
def order_meta_delete(order_id: int) -> tuple[str, int]:
    """Remove every value of one label identifier (``key``), while the order is ``confirm``."""
    key = request.args.get("key", "")
    if key not in ("imei", "uin", "gtin", "sgtin", "customsDeclaration"):
        raise SandboxError(400, "IncorrectParameter", "Передан некорректный параметр")
    with common.begin() as conn:
        wb_state.delete_meta(conn, order_id, key)
    return "", 204


@bp.post("/api/v3/orders/stickers")
def order_stickers() -> Response:
    kind, width, height = wb_requests.sticker_args()
    ids = wb_requests.ids(wb_requests.body(), "orders", 100)
    with common.begin() as conn:
        ready = wb_state.sticker_orders(conn, ids)
    return jsonify(
        {"stickers": [_sticker_json(order_id, kind, width, height) for order_id in ready]}
    )


@bp.post("/api/v3/supplies")
def supply_create() -> tuple[Response, int]:
    name = wb_requests.body().get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 128:
        raise SandboxError(400, "IncorrectParameter", "name must be 1..128 characters")
    with common.begin() as conn:
        supply_id = wb_supplies.create_supply(conn, name, time.time())
    logger.info("wb sandbox supply created supply=%s", supply_id)
    return jsonify({"id": supply_id}), 201


@bp.get("/api/v3/supplies")
def supplies_list() -> Response:
    limit = wb_requests.int_arg("limit", 1, 1000)
    after = wb_requests.int_arg("next", 0, 2**63 - 1)
    with common.begin() as conn:
        cursor, found = wb_supplies.list_supplies(conn, limit, after)
    return jsonify({"next": cursor, "supplies": found})


@bp.get("/api/v3/supplies/<supply_id>")
def supply_get(supply_id: str) -> Response:
    with common.begin() as conn:
        return jsonify(wb_supplies.supply_json(wb_supplies.get_supply(conn, supply_id)))


@bp.delete("/api/v3/supplies/<supply_id>")
def supply_delete(supply_id: str) -> tuple[str, int]:
    with common.begin() as conn:
        wb_supplies.delete_supply(conn, supply_id)
    return "", 204


@bp.patch("/api/marketplace/v3/supplies/<supply_id>/orders")
def supply_add_orders(supply_id: str) -> tuple[str, int]:
    ids = wb_requests.ids(wb_requests.body(), "orders", 100)
    with common.begin() as conn:
        wb_supplies.add_to_supply(conn, supply_id, ids)
    logger.info("wb sandbox orders confirmed supply=%s orders=%s", supply_id, ids)
    return "", 204


@bp.get("/api/marketplace/v3/supplies/<supply_id>/order-ids")
def supply_order_ids(supply_id: str) -> Response:
    with common.begin() as conn:
        return jsonify({"orderIds": wb_supplies.supply_order_ids(conn, supply_id)})


@bp.patch("/api/v3/supplies/<supply_id>/deliver")
def supply_deliver(supply_id: str) -> tuple[str, int]:
    with common.begin() as conn:
        wb_supplies.deliver_supply(conn, supply_id, time.time())
    logger.info("wb sandbox supply delivered supply=%s", supply_id)
    return "", 204


@bp.get("/api/v3/supplies/<supply_id>/barcode")
def supply_barcode(supply_id: str) -> Response:
    """``{barcode, file}``: the supply id and its QR sticker in base64, after ``deliver``."""
    kind = wb_requests.qr_kind()
    with common.begin() as conn:
        name = supply_name(wb_supplies.supply_qr(conn, supply_id))
    zpl = wb_stickers.supply_qr_zpl(name, kind)
    return jsonify({"barcode": name, "file": base64.b64encode(zpl.encode()).decode()})


@bp.post("/api/marketplace/v3/orders/meta")
def orders_meta() -> Response:
    ids = wb_requests.ids(wb_requests.body(), "orders", 100)
    with common.begin() as conn:
        return jsonify({"orders": wb_state.orders_meta(conn, ids)})


@bp.put(f"/api/v3/stocks/<{ID}:warehouse_id>")
def stocks_put(warehouse_id: int) -> tuple[str, int]:
    amounts = wb_requests.stock_amounts(wb_requests.body())
    with common.begin() as conn:
        wb_state.put_stocks(conn, warehouse_id, amounts, _chrt_ids(conn))
    return "", 204


@bp.post(f"/api/v3/stocks/<{ID}:warehouse_id>")
def stocks_get(warehouse_id: int) -> Response:
    chrt_ids = wb_requests.ids(wb_requests.body(), "chrtIds", 1000)
    with common.begin() as conn:
        stocks = wb_state.get_stocks(conn, warehouse_id, chrt_ids, _chrt_ids(conn))
        return jsonify({"stocks": stocks})


# --- control (tests and the demo) -------------------------------------------------------


@bp.post("/_control/orders")
def control_orders() -> Response:
    """``{count}`` random orders, or ``{items: [{article, qty, requiredMeta?}]}`` as one cart."""
    body = wb_requests.body()
    items = body.get("items")
    if items is None:
        count = body.get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= 1000:
            raise SandboxError(400, "IncorrectParameter", "count must be 1..1000")
        return jsonify({"ids": generate_orders(count)})
    lines = wb_requests.cart_lines(items)
    with common.begin() as conn:
        ids = wb_state.add_cart(conn, lines, time.time())
    logger.info("wb sandbox cart created orders=%s", ids)
    return jsonify({"ids": ids})


@bp.post("/_control/advance")
def control_advance() -> Response:
    """``{steps}`` (default 1): WB moves handed-over orders on, ``waiting → sorted → sold``."""
    steps = wb_requests.body().get("steps", 1) if wb_requests.has_body() else 1
    if not isinstance(steps, int) or not 1 <= steps <= 10:
        raise SandboxError(400, "IncorrectParameter", "steps must be 1..10")
    with common.begin() as conn:
        moved = wb_supplies.advance(conn, steps)
    return jsonify({"moved": moved})


@bp.post(f"/_control/orders/<{ID}:order_id>/client-cancel")
def control_client_cancel(order_id: int) -> tuple[str, int]:
    with common.begin() as conn:
        wb_state.client_cancel(conn, order_id)
    return "", 204


@bp.get("/_control/state")
def control_state() -> Response:
    with common.begin() as conn:
        return jsonify(wb_control.state(conn))


# --- helpers -----------------------------------------------------------------------------


def _chrt_ids(conn: Any) -> set[int]:
    """The sizes the seller sells: the demo goods' and the cards made."""
    return {card.chrt_id for card in wb_cards.catalogue(conn).values()}


def _generate_due() -> None:
    common.generate_due("wb", wb_state.generate)


def _progress_due() -> None:
    """Demo mode: the demo clock moves handed-over orders on, a step per order interval."""
    per_minute = float(current_app.config.get("SANDBOX_ORDERS_PER_MINUTE") or 0)
    if per_minute <= 0:
        return
    with common.begin() as conn:
        steps = common.due_count(conn, "wb:progress", per_minute, time.time())
        if steps:
            wb_supplies.advance(conn, min(steps, len(wb_supplies.AFTER_DELIVERY)))


def _sticker_json(order_id: int, kind: str, width: int, height: int) -> dict[str, Any]:
    sticker = wb_stickers.sticker_for(order_id)
    zpl = wb_stickers.render_zpl(sticker, kind, width, height)
    return {
        "orderId": order_id,
        "partA": sticker.part_a,
        "partB": sticker.part_b,
        "barcode": sticker.barcode,
        "file": base64.b64encode(zpl.encode()).decode(),
    }


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _error(status: int, code: str, message: str, data: Any = None) -> Response:
    response = jsonify({"code": code, "message": message, "data": data})
    response.status_code = status
    return response


def _gateway_error(status: int, title: str, detail: str) -> Response:
    """The API gateway's error body (401, 429), as WB sends it."""
    response = jsonify(
        {
            "title": title,
            "detail": detail,
            "code": uuid.uuid4().hex[:16],
            "requestId": uuid.uuid4().hex,
            "origin": "s2s-api-auth-marketplace",
            "status": status,
            "statusText": HTTPStatus(status).phrase,
            "timestamp": rfc3339(time.time()),
        }
    )
    response.status_code = status
    return response
