"""A stateful imitation of the Megamarket merchant API (FBS), as a Flask blueprint.

Mounted at ``/sandbox/megamarket``: ``/sandbox/megamarket/api/market/v1/orderService/order/get``
answers like ``https://api.megamarket.tech/api/market/v1/orderService/order/get``. Every call
is a ``POST`` of ``{"meta": {}, "data": {"token": ..., ...}}``; refusals are HTTP 200 with
``success: 0`` and ``error[]``, as MM does (codes in ``megamarket_requests``, UNCONFIRMED).

Config: ``SANDBOX_ENABLED``, ``SANDBOX_DATABASE_URL``, ``SANDBOX_MEGAMARKET_TOKEN`` (default
``"sandbox"``, sent as ``data.token``), ``SANDBOX_ORDERS_PER_MINUTE`` (demo: ``order/search``
first creates the shipments due), ``SANDBOX_SLOW_SECONDS`` (the ``timeout`` fault).

Prices: ``offerService/manualPrice/save`` (``mm_state.save_prices``), ``/_control/prices``.
Throttling is UNCONFIRMED for MM; the ``429`` fault answers HTTP 429 with ``Retry-After``
(seconds) and an MM envelope with code ``TOO_MANY_REQUESTS``. The ``500`` fault is HTTP 500
(the MM wiki says the service answers 500 when it is down). Control endpoints (no token)
live under ``/_control/``: they also put lots into any MM state on demand (expiries,
``PENDING_*``, sub-statuses) and send the ``order/new`` / ``order/cancel`` pushes MM makes to
the seller's own server (``megamarket_push``). Shipped lots are delivered by the sandbox
clock (``megamarket_flow.deliver_due``) on every read.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.sandbox import common, megamarket_flow, megamarket_push, pdf
from warehouse.marketplaces.sandbox import megamarket_requests as req
from warehouse.marketplaces.sandbox import megamarket_state as mm_state
from warehouse.marketplaces.sandbox.megamarket_db import BOOK
from warehouse.marketplaces.sandbox.megamarket_requests import Refusal

logger = logging.getLogger(__name__)

bp = Blueprint("sandbox_megamarket", __name__)

KIND = "megamarket"
DEFAULT_TOKEN = "sandbox"
ORDERS = "/api/market/v1/orderService"
OFFERS = "/api/merchantIntegration/v1/offerService"
SEARCH_MAX = 100  # UNCONFIRMED: MM's own cap on order/search ``count``
GET_MAX = 100


def generate_orders(count: int) -> list[str]:
    """Create ``count`` new shipments of random demo goods (needs an app context)."""
    with common.begin() as conn:
        ids = mm_state.generate(conn, count, time.time())
    logger.info("megamarket sandbox generated shipments=%s", ids)
    return ids


# --- gate: auth and faults (common), MM's own envelopes ---------------------------------


def _auth() -> Response | None:
    expected = str(current_app.config.get("SANDBOX_MEGAMARKET_TOKEN", DEFAULT_TOKEN))
    if hmac.compare_digest(req.token().encode(), expected.encode()):
        return None
    return req.refused(Refusal(req.CODE_AUTH, "access denied: the token is not valid"))


def _fault_response(kind: str, retry_after: float) -> Response:
    if kind == "429":
        response = req.refused(Refusal(req.CODE_THROTTLED, "too many requests", http_status=429))
        seconds = float(retry_after)
        response.headers["Retry-After"] = str(int(seconds) if seconds.is_integer() else seconds)
        return response
    return req.refused(Refusal(req.CODE_INTERNAL, "internal server error", http_status=500))


@bp.errorhandler(Refusal)
def _refused(exc: Refusal) -> Response:
    logger.info("megamarket sandbox refused code=%s path=%s", exc.code, request.path)
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    if endpoint.startswith("control_") and exc.http_status == 200:  # tests want a real status
        exc.http_status = 404 if exc.code == req.CODE_NOT_FOUND else 409
    return req.refused(exc)


common.install(bp, KIND, _auth, _fault_response)


# --- order service ------------------------------------------------------------------------


@bp.post(f"{ORDERS}/order/search")
def order_search() -> Response:
    common.generate_due(KIND, mm_state.generate)
    payload = req.data()
    date_from, date_to = req.moment(payload, "dateFrom"), req.moment(payload, "dateTo")
    statuses = payload.get("statuses") or []
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise Refusal(req.CODE_INVALID, "statuses must be a list of strings")
    count = req.count(payload, SEARCH_MAX)
    with common.begin() as conn:
        megamarket_flow.deliver_due(conn, time.time())
        found = mm_state.search(conn, date_from, date_to, statuses, count)
    return req.ok({"shipments": found})


@bp.post(f"{ORDERS}/order/get")
def order_get() -> Response:
    ids = req.shipment_ids(req.data(), GET_MAX)
    with common.begin() as conn:
        megamarket_flow.deliver_due(conn, time.time())
        return req.ok({"shipments": mm_state.details(conn, ids)})


@bp.post(f"{ORDERS}/order/confirm")
def order_confirm() -> Response:
    return _change("confirmed", megamarket_flow.confirm)


@bp.post(f"{ORDERS}/order/reject")
def order_reject() -> Response:
    return _change("rejected", megamarket_flow.reject)


@bp.post(f"{ORDERS}/order/packing")
def order_packing() -> Response:
    return _change("packed", megamarket_flow.packing)


@bp.post(f"{ORDERS}/order/shipping")
def order_shipping() -> Response:
    now = time.time()
    return _change("shipped", lambda conn, payload: megamarket_flow.shipping(conn, payload, now))


@bp.post(f"{ORDERS}/sticker/print")
def sticker_print() -> Response:
    """The box labels: a PDF with ``printAsPdf``, else HTML in ``data`` (as a PHP client sees)."""
    payload = req.data()
    with common.begin() as conn:
        shipment_id, order_code, codes = megamarket_flow.label_boxes(conn, payload)
    if payload.get("printAsPdf"):
        pages = [
            [
                "MEGAMARKET (sandbox)",
                f"Shipment {shipment_id}",
                f"Order {order_code or shipment_id}",
                code,
                "FBS box label",
            ]
            for code in codes
        ]
        return Response(pdf.text_pdf(pages, 70, 100), mimetype="application/pdf")
    html = "".join(f"<div class='label'>{shipment_id} {code}</div>" for code in codes)
    return jsonify({"success": 1, "meta": {}, "data": f"<html><body>{html}</body></html>"})


# --- offer service ------------------------------------------------------------------------


@bp.post(f"{OFFERS}/stock/update")
def stock_update() -> Response:
    payload = req.data()
    with common.begin() as conn:
        mm_state.put_stocks(conn, payload.get("stocks"))
    return req.ok()


@bp.post(f"{OFFERS}/manualPrice/save")
def manual_price_save() -> Response:
    """Prices by API: ``{"success": 1, "meta": {}, "data": {}}`` as the wiki's example."""
    payload = req.data()
    with common.begin() as conn:
        mm_state.save_prices(conn, payload.get("prices"), time.time())
    return req.ok({})


# --- control (tests and the demo) -------------------------------------------------------


@bp.post("/_control/orders")
def control_orders() -> Response:
    """``{count}`` random shipments, or ``{items: [{article, qty, digitalMark?}], ageSeconds?}``
    as one shipment (``ageSeconds`` backdates its creation)."""
    body = request.get_json(silent=True) or {}
    if body.get("items") is None:
        count = body.get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= 1000:
            raise Refusal(req.CODE_INVALID, "count must be 1..1000", http_status=400)
        return jsonify({"ids": generate_orders(count)})
    lines = _cart_lines(body["items"])
    age = body.get("ageSeconds", 0)
    if not isinstance(age, int | float) or age < 0:
        raise Refusal(req.CODE_INVALID, "ageSeconds must be >= 0", http_status=400)
    with common.begin() as conn:
        shipment_id = mm_state.add_cart(conn, lines, time.time() - age)
    logger.info("megamarket sandbox cart created shipment=%s", shipment_id)
    return jsonify({"ids": [shipment_id]})


@bp.post("/_control/orders/<shipment_id>/client-cancel")
def control_client_cancel(shipment_id: str) -> tuple[str, int]:
    with common.begin() as conn:
        megamarket_flow.client_cancel(conn, shipment_id)
    return "", 204


@bp.post("/_control/orders/<shipment_id>/deliver")
def control_deliver(shipment_id: str) -> tuple[str, int]:
    with common.begin() as conn:
        megamarket_flow.deliver(conn, shipment_id)
    return "", 204


@bp.post("/_control/orders/<shipment_id>/status")
def control_status(shipment_id: str) -> tuple[str, int]:
    """``{status, subStatus?, itemIndexes?}``: e.g. ``SHIPPING_EXPIRED`` or ``PENDING_PACKING``."""
    body = request.get_json(silent=True) or {}
    with common.begin() as conn:
        megamarket_flow.set_status(conn, shipment_id, body)
    return "", 204


@bp.post("/_control/orders/<shipment_id>/shipped-at")
def control_shipped_at(shipment_id: str) -> tuple[str, int]:
    """``{ageSeconds}``: move the shipping back in time, so the clock delivers it."""
    age = (request.get_json(silent=True) or {}).get("ageSeconds", 0)
    if not isinstance(age, int | float) or age < 0:
        raise Refusal(req.CODE_INVALID, "ageSeconds must be >= 0", http_status=400)
    with common.begin() as conn:
        megamarket_flow.backdate_shipping(conn, shipment_id, time.time() - age)
    return "", 204


@bp.post("/_control/push")
def control_push() -> Response:
    """Send MM's push to the seller: ``{kind: "new"|"cancel", shipmentId, url, login?,
    password?, delivery?, itemIndexes?}``; a cancel push also cancels the lots here."""
    body = request.get_json(silent=True) or {}
    shipment_id, kind = str(body.get("shipmentId", "")), body.get("kind")
    with common.begin() as conn:
        if kind == "new":
            push = megamarket_push.new_body(conn, shipment_id, delivery=bool(body.get("delivery")))
        elif kind == "cancel":
            indexes = [str(i) for i in body.get("itemIndexes") or []]
            push = megamarket_push.cancel_body(conn, shipment_id, indexes)
            megamarket_flow.set_status(
                conn, shipment_id, {"status": "CUSTOMER_CANCELED", "itemIndexes": indexes}
            )
        else:
            raise Refusal(req.CODE_INVALID, "kind must be new or cancel", http_status=400)
    answer = megamarket_push.send(body.get("url"), push, body.get("login"), body.get("password"))
    return jsonify({"sent": push, **answer})


@bp.get("/_control/offers.csv")
def control_offers_csv() -> Response:
    """The shop's offers as the cabinet's export would give them (CSV, ``;``), for the
    import file of ``catalog.megamarket_offers`` (MM's API has no call listing offers)."""
    lines = ["offerId;name;barcode;goodsId"]
    for product in PRODUCTS:
        name = product.name.replace(";", ",")
        barcodes = ",".join(product.barcodes)
        lines.append(f"{product.article};{name};{barcodes};{mm_state.goods_id(product)}")
    return Response("\n".join(lines) + "\n", mimetype="text/csv")


@bp.get("/_control/prices")
def control_prices() -> Response:
    """``{prices: {offerId: {price, isDeleted, history: [{price, isDeleted, at}]}}}``:
    roubles as sent (offers the shop does not sell have a history only)."""
    with common.begin() as conn:
        return jsonify({"prices": BOOK.dump(conn)})


@bp.get("/_control/state")
def control_state() -> Response:
    with common.begin() as conn:
        megamarket_flow.deliver_due(conn, time.time())
        state = mm_state.state(conn)
        state["faults"] = common.queued_faults(conn, KIND)
    return jsonify(state)


# --- helpers -----------------------------------------------------------------------------


def _change(done: str, apply: Any) -> Response:
    payload = req.data()
    with common.begin() as conn:
        apply(conn, payload)
    ids = [str(entry.get("shipmentId")) for entry in payload.get("shipments") or []]
    logger.info("megamarket sandbox %s shipments=%s", done, ids)
    return req.ok()


def _cart_lines(entries: Any) -> list[tuple[Any, int, bool]]:
    if not isinstance(entries, list) or not entries:
        raise Refusal(req.CODE_INVALID, "items must be a non-empty list", http_status=400)
    lines = []
    for entry in entries:
        qty = entry.get("qty", 1) if isinstance(entry, dict) else None
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= 100:
            raise Refusal(req.CODE_INVALID, "each item is {article, qty 1..100}", http_status=400)
        product = mm_state.product_by_article(str(entry.get("article")))
        lines.append((product, qty, bool(entry.get("digitalMark", False))))
    return lines
