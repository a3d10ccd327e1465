"""The Megamarket sandbox calls the seller: ``order/new`` and ``order/cancel`` pushes.

MM posts a new shipment to the seller's ``…/order/new`` and a buyer's cancel to
``…/order/cancel`` and expects ``{"data": {}, "meta": {}, "success": 1}``. Bodies are shaped
as the wiki's order-new-standart / order-cancel-standart (the sample in baks-dev/
megamarket-orders ``Controller/Megamarket/NewController.php``): lots without a status, the
deadline in ``handover.packingDate``, ``itemIndex``/``goodsId`` as strings, and for DBS a
``delivery`` pseudo-lot. The seller sets the URL (and a login and password, sent as HTTP
Basic — UNCONFIRMED how MM authenticates its pushes) in the cabinet; here the control call
names them.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import megamarket_state as mm_state
from warehouse.marketplaces.sandbox.megamarket_requests import CODE_INVALID, Refusal

TIMEOUT = 10.0  # MM waits this long for the seller's answer (UNCONFIRMED)


def new_body(conn: Connection, shipment_id: str, *, delivery: bool = False) -> dict[str, Any]:
    """``order/new`` for one shipment, as MM pushes it."""
    row = mm_state.shipment(conn, shipment_id)
    lots = mm_state.lots(conn, row.id)
    items = [_pushed_lot(lot) for lot in lots]
    if delivery:
        items.append(_delivery_lot(len(lots) + 1))
    shipment = {
        "shipmentId": row.shipment_id,
        "shipmentDate": mm_state.mm_time(row.created_ts),
        "handover": {
            "packingDate": mm_state.mm_time(row.created_ts + mm_state.PACK_WITHIN.total_seconds()),
            "reserveExpirationDate": mm_state.mm_time(
                row.created_ts + mm_state.SHIP_WITHIN.total_seconds()
            ),
            "outletId": "",
            "serviceScheme": "COLLECT_BY_CUSTOMER",
            "depositedAmount": sum(lot.price for lot in lots) / 100,
            "deliveryId": row.id,
        },
        "customer": {"customerFullName": row.customer_name, "phone": "", "email": ""},
        "flags": [],
        "items": items,
    }
    return {"meta": {}, "data": {"shipments": [shipment], "merchantId": mm_state.MERCHANT_ID}}


def cancel_body(conn: Connection, shipment_id: str, indexes: list[str]) -> dict[str, Any]:
    """``order/cancel``: the lots the buyer cancelled (all when ``indexes`` is empty)."""
    row = mm_state.shipment(conn, shipment_id)
    lots = [
        lot for lot in mm_state.lots(conn, row.id) if not indexes or str(lot.item_index) in indexes
    ]
    items = [
        {"itemIndex": str(lot.item_index), "goodsId": str(lot.goods_id), "offerId": lot.offer_id}
        for lot in lots
    ]
    shipment = {"shipmentId": row.shipment_id, "items": items}
    return {"meta": {}, "data": {"merchantId": mm_state.MERCHANT_ID, "shipments": [shipment]}}


def send(url: Any, body: dict[str, Any], login: Any, password: Any) -> dict[str, Any]:
    """POST the push; the seller's HTTP status and body are handed back to the caller."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise Refusal(CODE_INVALID, "url must be the seller's http(s) push URL", http_status=400)
    auth = (str(login), str(password)) if login or password else None
    try:
        response = httpx.post(url, json=body, auth=auth, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return {"status": None, "error": type(exc).__name__}
    try:
        answer: Any = response.json()
    except ValueError:
        answer = response.text
    return {"status": response.status_code, "answer": answer}


def _pushed_lot(lot: Any) -> dict[str, Any]:
    return {
        "itemIndex": str(lot.item_index),
        "goodsId": str(lot.goods_id),
        "offerId": lot.offer_id,
        "itemName": lot.name,
        "price": lot.price / 100,
        "finalPrice": lot.price / 100,
        "discounts": [],
        "quantity": 1,
        "taxRate": "20",
        "reservationPerformed": True,
        "isDigitalMarkRequired": bool(lot.mark_required),
    }


def _delivery_lot(index: int) -> dict[str, Any]:
    return {
        "itemIndex": str(index),
        "goodsId": "100029275905",
        "offerId": "delivery",
        "itemName": "Доставка",
        "price": 800,
        "finalPrice": 800,
        "discounts": [],
        "quantity": 1,
        "taxRate": None,
        "reservationPerformed": True,
        "isDigitalMarkRequired": False,
    }
