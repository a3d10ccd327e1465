"""A stateful imitation of the Yandex Market Partner API (FBS), as a Flask blueprint.

Mounted at ``/sandbox/yandex``: ``/sandbox/yandex/v1/businesses/1/orders`` answers like
``https://api.partner.market.yandex.ru/v1/businesses/1/orders``. State lives in the
sandboxes' database (``SANDBOX_DATABASE_URL``), so several gunicorn processes agree.

Config: ``SANDBOX_ENABLED`` (else every path is 404), ``SANDBOX_DATABASE_URL``,
``SANDBOX_YANDEX_API_KEY`` (default ``"sandbox"``, sent in ``Api-Key``); the business id
is 1 and the campaign id 1 (others get 403 ``FORBIDDEN``), ``SANDBOX_ORDERS_PER_MINUTE``
(demo: the order search first creates the orders due), ``SANDBOX_SLOW_SECONDS``.
The "429" fault answers like YM: HTTP 420 with ``X-RateLimit-Resource-Until`` (a date).

First-mile shipments (``…/first-mile/shipments``, confirm, acts) live in
``yandex_shipments``; ``SANDBOX_YANDEX_PICKUP_SECONDS`` (unset: never) is the sandbox clock
that picks a confirmed shipment up that long after confirming it.

Control endpoints (no YM auth) live under ``/_control/``: ``orders`` (``{count}`` or
``{items: [{article, qty}], createdDaysAgo?}`` → ``{ids}``), ``orders/<id>/client-cancel``,
``orders/<id>/ship`` (READY_TO_SHIP → DELIVERY → DELIVERED), ``orders/<id>/return``
(``{partial}``: DELIVERED → RETURNED / PARTIALLY_RETURNED), ``shipments/<id>/accept``
(the pickup), ``state``, ``prices``, ``faults``, ``reset``. Prices and hidden offers live
in ``yandex_prices``; sales statistics, the realization and services reports and the
``sales`` / ``realization`` controls in ``yandex_reports``.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from datetime import datetime
from email.utils import formatdate
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from warehouse.marketplaces.sandbox import (
    common,
    fbo,
    pdf,
    yandex_boxes,
    yandex_catalogue,
    yandex_prices,
    yandex_reports,
    yandex_requests,
    yandex_shipments,
    yandex_state,
)
from warehouse.marketplaces.sandbox.common import ID
from warehouse.marketplaces.sandbox.yandex_db import SandboxError

logger = logging.getLogger(__name__)

bp = Blueprint("sandbox_yandex", __name__)

KIND = "yandex"
DEFAULT_API_KEY = "sandbox"
RESOURCE_LIMIT = 10_000
FBY_ENDPOINTS = frozenset({f"{bp.name}.stocks_get", f"{bp.name}.{yandex_reports.STATS_ENDPOINT}"})


def generate_orders(count: int) -> list[str]:
    """Create ``count`` orders of random demo goods (needs an app context)."""
    with common.begin() as conn:
        ids = yandex_state.generate(conn, count, time.time())
    logger.info("yandex sandbox generated orders=%s", ids)
    return ids


# --- gate: auth and faults (common), YM's own error bodies -------------------------------


def _auth() -> Response | None:
    given = request.headers.get("Api-Key")
    if given is None:
        return _error(401, "UNAUTHORIZED", "Credentials are not specified")
    expected = str(current_app.config.get("SANDBOX_YANDEX_API_KEY", DEFAULT_API_KEY))
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return _error(401, "UNAUTHORIZED", "Api-Key token is invalid")
    args = request.view_args or {}
    if args.get("business_id", yandex_state.BUSINESS_ID) != yandex_state.BUSINESS_ID:
        return _error(403, "FORBIDDEN", "Access denied")
    campaigns = {yandex_state.CAMPAIGN_ID}
    if request.endpoint in FBY_ENDPOINTS:  # the FBY shop answers its stocks and statistics
        campaigns.add(yandex_state.FBY_CAMPAIGN_ID)
    if args.get("campaign_id", yandex_state.CAMPAIGN_ID) not in campaigns:
        return _error(403, "FORBIDDEN", "Access denied")
    return None


def _fault_response(kind: str, retry_after: float) -> Response:
    if kind == "429":
        return _enhance_your_calm(retry_after)
    return _error(500, "INTERNAL_ERROR", "Internal server error (sandbox fault)")


def _enhance_your_calm(retry_after: float, message: str = "") -> Response:
    """420 with the date from which the resource may be used again (whole seconds, up)."""
    until = math.ceil(time.time() + retry_after)
    response = _error(
        420,
        "REQUEST_LIMIT_EXCEEDED",  # UNCONFIRMED which ApiErrorCodeType a 420 carries
        message
        or f"Hit rate limit of {RESOURCE_LIMIT} requests per 1 hours for resource {request.path}",
    )
    response.headers["X-RateLimit-Resource-Until"] = formatdate(until, usegmt=True)
    response.headers["X-RateLimit-Resource-Limit"] = str(RESOURCE_LIMIT)
    response.headers["X-RateLimit-Resource-Remaining"] = "0"
    return response


@bp.errorhandler(SandboxError)
def _refused(exc: SandboxError) -> Response:
    return _error(exc.status, exc.code, exc.message)


common.install(bp, KIND, _auth, _fault_response)
fbo.install_control(bp, KIND)
yandex_prices.install(bp, _enhance_your_calm)
yandex_reports.install(bp, _enhance_your_calm)


# --- campaigns and orders ------------------------------------------------------------------


@bp.get("/v2/campaigns")
def campaigns() -> Response:
    pager = {"total": 1, "from": 1, "to": 1, "currentPage": 1, "pagesCount": 1, "pageSize": 1}
    return jsonify({"campaigns": [yandex_catalogue.campaign_json()], "pager": pager})


@bp.get(f"/v2/campaigns/<{ID}:campaign_id>")
def campaign(campaign_id: int) -> Response:
    return jsonify({"campaign": yandex_catalogue.campaign_json()})


@bp.post(f"/v1/businesses/<{ID}:business_id>/orders")
def orders_search(business_id: int) -> Response:
    filters = yandex_requests.search_filters(yandex_requests.body(), time.time())
    limit, after = yandex_requests.limit(yandex_requests.ORDERS_LIMIT), yandex_requests.page_after()
    common.generate_due(KIND, yandex_state.generate)
    with common.begin() as conn:
        _tick(conn)
        found, last = yandex_state.search(conn, filters, limit, after)
    paging = {"nextPageToken": yandex_requests.page_token(last)} if last is not None else {}
    return jsonify({"orders": found, "paging": paging})


@bp.put(f"/v2/campaigns/<{ID}:campaign_id>/orders/<{ID}:order_id>/boxes")
def order_boxes(campaign_id: int, order_id: int) -> Response:
    data = yandex_requests.body()
    layout = yandex_boxes.parse_layout(data)
    with common.begin() as conn:
        boxes = yandex_state.set_boxes(
            conn, order_id, layout, time.time(), allow_remove=data.get("allowRemove") is True
        )
    logger.info("yandex sandbox boxes set order=%s boxes=%s", order_id, len(boxes))
    return jsonify({"status": "OK", "result": {"boxes": boxes}})


@bp.put(f"/v2/campaigns/<{ID}:campaign_id>/orders/<{ID}:order_id>/status")
def order_status(campaign_id: int, order_id: int) -> Response:
    status, substatus = yandex_requests.new_status(yandex_requests.body())
    with common.begin() as conn:
        order = yandex_state.set_status(conn, order_id, status, substatus, time.time())
    logger.info("yandex sandbox order=%s now %s/%s", order_id, status, substatus)
    return jsonify({"order": _v2_order(order)})


@bp.post(f"/v2/campaigns/<{ID}:campaign_id>/orders/status-update")
def orders_status_update(campaign_id: int) -> Response:
    """Many orders at once; each gets its own ``updateStatus`` (OK or ERROR)."""
    entries = yandex_requests.body().get("orders")
    if not isinstance(entries, list) or not 1 <= len(entries) <= 30:
        raise SandboxError(400, "BAD_REQUEST", "orders must list 1..30 orders")
    return jsonify({"status": "OK", "result": {"orders": [_update_one(e) for e in entries]}})


def _update_one(entry: Any) -> dict[str, Any]:
    entry = entry if isinstance(entry, dict) else {}
    order_id, status, substatus = entry.get("id"), entry.get("status"), entry.get("substatus")
    result: dict[str, Any] = {"id": order_id, "status": status, "substatus": substatus}
    try:
        if not isinstance(order_id, int) or not isinstance(status, str):
            raise SandboxError(400, "BAD_REQUEST", "each order is {id, status, substatus}")
        with common.begin() as conn:
            yandex_state.set_status(conn, order_id, status, str(substatus), time.time())
    except SandboxError as exc:
        return {**result, "updateStatus": "ERROR", "errorDetails": exc.message}
    return {**result, "updateStatus": "OK"}


# YM's label formats: one page per box, showing what the Market's label shows.
LABEL_SIZES_MM = {"A7": (75, 120), "A9": (40, 58), "A9_HORIZONTALLY": (58, 40), "A4": (210, 297)}


def _label_lines(order_id: int, number: int, total: int, box_id: int, shipped: str) -> list[str]:
    return [
        f"Yandex Market {order_id}",
        f"{order_id}-{number}",
        f"place {number}/{total}",
        f"box {box_id}",
        "Seller: sandbox shop",
        "Delivery: Market",
        f"Shipment: {shipped}",
    ]


@bp.get(f"/v2/campaigns/<{ID}:campaign_id>/orders/<{ID}:order_id>/delivery/labels")
def order_labels(campaign_id: int, order_id: int) -> Response:
    size = yandex_requests.label_format()
    with common.begin() as conn:
        row = yandex_state.label_order(conn, order_id)
    box_ids = [box["boxId"] for box in row.boxes]
    pages = [
        _label_lines(order_id, number, len(box_ids), box_id, row.shipment_date)
        for number, box_id in enumerate(box_ids, start=1)
    ]
    barcodes = [f"{order_id}-{number}" for number in range(1, len(box_ids) + 1)]
    content = pdf.text_pdf(pages, *LABEL_SIZES_MM[size], barcodes)
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="labels-{order_id}.pdf"'
    return response


@bp.get(f"/v2/campaigns/<{ID}:campaign_id>/orders/<{ID}:order_id>/delivery/labels/data")
def order_labels_data(campaign_id: int, order_id: int) -> Response:
    with common.begin() as conn:
        row = yandex_state.label_order(conn, order_id)
    total = len(row.boxes)
    day, month, year = reversed(row.shipment_date.split("-"))
    boxes = [
        {
            "boxId": box["boxId"],
            "fulfilmentId": f"{order_id}-{number}",
            "place": f"{number}/{total}",
            "orderNum": str(order_id),
            "recipientName": "Иванов И.",
            "supplierName": "Sandbox seller",
            "deliveryServiceName": "Доставка Маркета",
            "deliveryServiceId": "1005111",
            "shipmentDate": f"{day}.{month}.{year}",
        }
        for number, box in enumerate(row.boxes, start=1)
    ]
    result = {"orderId": order_id, "placesNumber": total, "parcelBoxLabels": boxes}
    return jsonify({"status": "OK", "result": result})


# --- first-mile shipments --------------------------------------------------------------------


@bp.put(f"/v2/campaigns/<{ID}:campaign_id>/first-mile/shipments")
def shipments_search(campaign_id: int) -> Response:
    query = yandex_requests.shipments_query(yandex_requests.body())
    limit = yandex_requests.limit(yandex_requests.SHIPMENTS_LIMIT)
    with common.begin() as conn:
        _tick(conn)
        found, last = yandex_shipments.search(conn, query, limit, yandex_requests.page_after())
    paging = {"nextPageToken": yandex_requests.page_token(last)} if last is not None else {}
    return jsonify({"status": "OK", "result": {"shipments": found, "paging": paging}})


@bp.get(f"/v2/campaigns/<{ID}:campaign_id>/first-mile/shipments/<{ID}:shipment_id>")
def shipment_get(campaign_id: int, shipment_id: int) -> Response:
    with_cancelled = yandex_requests.flag("cancelledOrders", True)
    with common.begin() as conn:
        _tick(conn)
        found = yandex_shipments.one(conn, shipment_id, with_cancelled)
    return jsonify({"status": "OK", "result": found})


@bp.post(f"/v2/campaigns/<{ID}:campaign_id>/first-mile/shipments/<{ID}:shipment_id>/confirm")
def shipment_confirm(campaign_id: int, shipment_id: int) -> Response:
    data = request.get_json(silent=True) or {}  # the body is optional
    external = data.get("externalShipmentId", "") if isinstance(data, dict) else None
    if not isinstance(external, str):
        raise SandboxError(400, "BAD_REQUEST", "externalShipmentId must be a string")
    with common.begin() as conn:
        yandex_shipments.confirm(conn, shipment_id, external, time.time())
    logger.info("yandex sandbox shipment confirmed shipment=%s", shipment_id)
    return jsonify({"status": "OK"})


@bp.post(
    f"/v2/campaigns/<{ID}:campaign_id>/first-mile/shipments/<{ID}:shipment_id>/orders/transfer"
)
def shipment_transfer(campaign_id: int, shipment_id: int) -> Response:
    order_ids = yandex_requests.transfer_ids(yandex_requests.body())
    with common.begin() as conn:
        yandex_shipments.transfer(conn, shipment_id, order_ids, time.time())
    return jsonify({"status": "OK"})


@bp.get(f"/v2/campaigns/<{ID}:campaign_id>/first-mile/shipments/<{ID}:shipment_id>/act")
def shipment_act(campaign_id: int, shipment_id: int) -> Response:
    with common.begin() as conn:
        row, members = yandex_shipments.act_orders(conn, shipment_id)
    return _act_pdf(shipment_id, row.shipment_date, members, f"act-{shipment_id}.pdf")


@bp.get(f"/v2/campaigns/<{ID}:campaign_id>/shipments/reception-transfer-act")
def reception_transfer_act(campaign_id: int) -> Response:
    """Confirms the closest shipment (if only formed) and answers with its act."""
    warehouse = request.args.get("warehouse_id", str(yandex_state.WAREHOUSE_ID))
    if warehouse != str(yandex_state.WAREHOUSE_ID):
        raise SandboxError(400, "INVALID_WAREHOUSE_ID", f"Warehouse {warehouse} not found")
    now = time.time()
    with common.begin() as conn:
        today = datetime.fromtimestamp(now, yandex_state.MSK).date()
        shipment_id = yandex_shipments.closest(conn, today, now)
        row, members = yandex_shipments.act_orders(conn, shipment_id)
    return _act_pdf(shipment_id, row.shipment_date, members, "reception-transfer-act.pdf")


def _act_pdf(shipment_id: int, day: str, members: list[Any], filename: str) -> Response:
    """An A4 act listing the shipment's orders, with the shipment id as a barcode."""
    lines = [
        "АКТ ПРИЕМА-ПЕРЕДАЧИ",
        f"Shipment {shipment_id} of {day}",
        "Sender: Sandbox seller; Carrier: Доставка Маркета",
        *(f"{yandex_state.ORDER_BASE + order.id}  places {len(order.boxes)}" for order in members),
        f"Orders: {len(members)}",
    ]
    content = pdf.text_pdf([lines], *LABEL_SIZES_MM["A4"], [str(shipment_id)])
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _tick(conn: Any) -> None:
    """The sandbox clock: pick confirmed shipments up once their time has come."""
    seconds = current_app.config.get("SANDBOX_YANDEX_PICKUP_SECONDS")
    if seconds is not None:
        yandex_shipments.advance(conn, time.time(), float(seconds))


# --- catalogue and stock ---------------------------------------------------------------------


@bp.put(f"/v2/campaigns/<{ID}:campaign_id>/offers/stocks")
def stocks_put(campaign_id: int) -> Response:
    levels = yandex_requests.stock_levels(yandex_requests.body())
    with common.begin() as conn:
        yandex_catalogue.put_stocks(conn, campaign_id, levels)
    return jsonify({"status": "OK"})


@bp.post(f"/v2/campaigns/<{ID}:campaign_id>/offers/stocks")
def stocks_get(campaign_id: int) -> Response:
    """``getStocks``: the FBS shop's own warehouse as pushed, or the FBY shop's goods in
    Market's warehouses; paged over offers (``limit`` ≤ 200), or the asked ``offerIds``."""
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise SandboxError(400, "BAD_REQUEST", "JSON: the body must be a JSON object")
    offers = data.get("offerIds")
    with common.begin() as conn:
        if campaign_id == yandex_state.FBY_CAMPAIGN_ID:
            entries = yandex_catalogue.fby_entries(fbo.rows(conn, "yandex"))
        else:
            entries = yandex_catalogue.fbs_entries(conn, campaign_id)
    if offers is not None:
        if not isinstance(offers, list) or not 1 <= len(offers) <= 500:
            raise SandboxError(400, "BAD_REQUEST", "offerIds: 1 to 500 SKUs")
        asked = {str(offer) for offer in offers}
        page, following = [e for e in entries if e[1]["offerId"] in asked], 0
    else:
        limit = yandex_requests.limit(yandex_requests.STOCKS_LIMIT)
        start = yandex_requests.page_after()
        page = entries[start : start + limit]
        following = start + limit if start + limit < len(entries) else 0
    warehouses: dict[int, list[dict[str, Any]]] = {}
    for warehouse_id, offer in page:
        warehouses.setdefault(warehouse_id, []).append(offer)
    result: dict[str, Any] = {
        "warehouses": [{"warehouseId": w, "offers": o} for w, o in warehouses.items()]
    }
    if following:
        result["paging"] = {"nextPageToken": yandex_requests.page_token(following)}
    return jsonify({"status": "OK", "result": result})


@bp.post(f"/v2/businesses/<{ID}:business_id>/offer-mappings")
def offer_mappings(business_id: int) -> Response:
    limit = yandex_requests.limit(yandex_requests.OFFERS_LIMIT)
    found, following = yandex_catalogue.offer_mappings(yandex_requests.page_after(), limit)
    paging = {"nextPageToken": yandex_requests.page_token(following)} if following else {}
    return jsonify({"status": "OK", "result": {"paging": paging, "offerMappings": found}})


# --- control (tests and the demo) ----------------------------------------------------------


@bp.post("/_control/orders")
def control_orders() -> Response:
    """``{count}`` random orders, or ``{items: [{article, qty}]}`` as one order."""
    data = yandex_requests.body()
    if data.get("items") is None:
        count = data.get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= 1000:
            raise SandboxError(400, "BAD_REQUEST", "count must be 1..1000")
        return jsonify({"ids": generate_orders(count)})
    lines = yandex_requests.cart_lines(data["items"])
    days_ago = data.get("createdDaysAgo", 0)
    if not isinstance(days_ago, int) or not 0 <= days_ago <= 365:
        raise SandboxError(400, "BAD_REQUEST", "createdDaysAgo must be 0..365")
    now = time.time()
    with common.begin() as conn:
        order_id = yandex_state.add_order(conn, lines, now, now - days_ago * 86400)
    logger.info("yandex sandbox order created order=%s", order_id)
    return jsonify({"ids": [order_id]})


@bp.post(f"/_control/orders/<{ID}:order_id>/client-cancel")
def control_client_cancel(order_id: int) -> tuple[str, int]:
    with common.begin() as conn:
        yandex_state.client_cancel(conn, order_id, time.time())
    return "", 204


@bp.post(f"/_control/orders/<{ID}:order_id>/ship")
def control_ship(order_id: int) -> Response:
    with common.begin() as conn:
        status, substatus = yandex_state.ship(conn, order_id, time.time())
    return jsonify({"orderId": order_id, "status": status, "substatus": substatus})


@bp.post(f"/_control/orders/<{ID}:order_id>/return")
def control_return(order_id: int) -> Response:
    partial = (request.get_json(silent=True) or {}).get("partial") is True
    with common.begin() as conn:
        status = yandex_state.buyer_return(conn, order_id, partial, time.time())
    return jsonify({"orderId": order_id, "status": status})


@bp.post(f"/_control/shipments/<{ID}:shipment_id>/accept")
def control_accept(shipment_id: int) -> Response:
    with common.begin() as conn:
        moved = yandex_shipments.accept(conn, shipment_id, time.time())
    return jsonify({"shipmentId": shipment_id, "orderIds": moved})


@bp.get("/_control/state")
def control_state() -> Response:
    with common.begin() as conn:
        return jsonify(yandex_catalogue.state(conn))


# --- helpers -----------------------------------------------------------------------------------


def _v2_order(order: dict[str, Any]) -> dict[str, Any]:
    """The status call answers with the (older) v2 order: ``id`` instead of ``orderId``."""
    return {"id": order["orderId"], **{k: v for k, v in order.items() if k != "orderId"}}


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify({"status": "ERROR", "errors": [{"code": code, "message": message}]})
    response.status_code = status
    return response
