"""Megamarket's JSON turned into our shapes, and the parts of our requests.

Pure functions for ``warehouse.marketplaces.megamarket`` and the push receiver (no HTTP).
``order/get`` lots carry ``boxIndex`` only, the name in ``goodsData.name`` and ``itemIndex``
as a string (fact sheet §7: two independent typed clients, citing the wiki's
order-get-standart); pushes follow the wiki's order-new-standart / order-cancel-standart
as the baks-dev/megamarket-orders controllers receive them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from warehouse.marketplaces import http
from warehouse.marketplaces.base import IncomingLine, IncomingOrder, RejectedError

logger = logging.getLogger(__name__)

MSK = timezone(timedelta(hours=3), "MSK")
DELIVERY_OFFER = "delivery"  # a pseudo-lot of order/new (the delivery's price), not goods

# order/reject ``reason.type``; MM has no "other", so free text falls back to OUT_OF_STOCK.
REJECT_DEFAULT = "OUT_OF_STOCK"
REJECT_KEYWORDS = {
    "price": "INCORRECT_PRICE",
    "цен": "INCORRECT_PRICE",
    "duplicate": "TWICE_ORDER",
    "дубл": "TWICE_ORDER",
    "fraud": "FRAUD_ORDER",
}

# Lot statuses (fact sheet §4.3). ``PENDING_*`` are MM still processing our last message
# (they sit between the steps); the expiries end a lot like a cancel. A shipment's status is
# its lots' common status; when they differ, the least advanced of the lots still alive
# (ended lots ignored), so the next step is still due. An ended lot reads
# ``STATUS/subStatus`` when MM says why (``MERCHANT_CANCELED/CONFIRMATION_EXPIRED``).
LIFECYCLE = (
    "NEW",
    "PENDING_CONFIRMATION",
    "CONFIRMED",
    "PENDING_PACKING",
    "PACKED",
    "PENDING_SHIPPING",
    "SHIPPED",
    "DELIVERED",
)
CANCELLED = frozenset(
    {"MERCHANT_CANCELED", "CUSTOMER_CANCELED", "PACKING_EXPIRED", "SHIPPING_EXPIRED"}
)
SHIP_BY_FIELDS = ("shippingTimeLimit", "shipmentDateTo", "packingTimeLimit")


def shipment_status(raw: Mapping[str, Any]) -> str:
    """The lots' common status; if they differ, the least advanced live one."""
    lots = goods(raw)
    statuses = [str(lot.get("status") or "") for lot in lots]
    if not statuses:
        return str(raw.get("status") or "")
    alive = [status for status in statuses if status not in CANCELLED]
    if alive:
        return min(alive, key=lambda s: LIFECYCLE.index(s) if s in LIFECYCLE else -1)
    return _ended(lots[0])


def _ended(lot: Mapping[str, Any]) -> str:
    """An ended lot's status, with MM's reason when it gives one."""
    status, sub_status = str(lot.get("status") or ""), str(lot.get("subStatus") or "")
    return f"{status}/{sub_status}" if sub_status and sub_status != status else status


def reject_reason(text: str) -> str:
    lowered = text.lower()
    return next((code for word, code in REJECT_KEYWORDS.items() if word in lowered), REJECT_DEFAULT)


def push_orders(body: Mapping[str, Any]) -> list[IncomingOrder]:
    """The shipments of an ``order/new`` push (``{meta, data: {merchantId, shipments}}``).

    A push has no per-lot status (the shipment is new) and no deadlines of ``order/get``:
    the ship-by is ``handover.packingDate``. Shape: the wiki's order-new-standart, as the
    baks-dev/megamarket-orders NewController sample shows it.
    """
    data = _push_data(body)
    merchant = data.get("merchantId")
    orders = []
    for raw in data["shipments"]:
        handover = raw.get("handover") if isinstance(raw.get("handover"), dict) else {}
        lots = [{**lot, "status": "NEW"} for lot in raw.get("items") or [] if isinstance(lot, dict)]
        shaped = {**raw, "items": lots, "merchantId": merchant}
        ship_by = parse_time(handover.get("packingDate"))
        created = parse_time(raw.get("shipmentDate")) or datetime.now(UTC)
        orders.append(incoming(shaped, created_at=created, ship_by=ship_by))
    return orders


def push_cancellations(body: Mapping[str, Any]) -> dict[str, list[str]]:
    """shipmentId → the itemIndexes an ``order/cancel`` push cancels (goods lots only)."""
    cancelled: dict[str, list[str]] = {}
    for raw in _push_data(body)["shipments"]:
        indexes = [item_index(lot) for lot in goods(raw)]
        cancelled.setdefault(str(raw["shipmentId"]), []).extend(indexes)
    return cancelled


def _push_data(body: Mapping[str, Any]) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, dict):
        raise RejectedError("a Megamarket push is {meta, data}", code="BAD_PUSH")
    shipments = data.get("shipments")
    if not isinstance(shipments, list) or not shipments:
        raise RejectedError("a Megamarket push needs data.shipments", code="BAD_PUSH")
    if not all(isinstance(raw, dict) and raw.get("shipmentId") for raw in shipments):
        raise RejectedError("each pushed shipment needs a shipmentId", code="BAD_PUSH")
    return data


def incoming(
    raw: dict[str, Any], *, created_at: datetime | None = None, ship_by: datetime | None = None
) -> IncomingOrder:
    lots = goods(raw)
    alive = [lot for lot in lots if lot.get("status") not in CANCELLED] or lots
    by_offer: dict[str, list[dict[str, Any]]] = {}
    for lot in alive:
        by_offer.setdefault(str(lot.get("offerId", "")), []).append(lot)
    indexes = {offer: [item_index(lot) for lot in group] for offer, group in by_offer.items()}
    extra = {
        "itemIndexes": [i for group in indexes.values() for i in group],
        "itemIndexesByOffer": indexes,
        "namesByOffer": {offer: _name(group[0]) for offer, group in by_offer.items()},
    }
    deadline = next((t for t in map(parse_time, (raw.get(k) for k in SHIP_BY_FIELDS)) if t), None)
    return IncomingOrder(
        external_id=str(raw["shipmentId"]),
        status=shipment_status(raw),
        created_at=created_at or parse_time(raw.get("creationDate")) or datetime.now(UTC),
        lines=tuple(_line(offer, group) for offer, group in by_offer.items()),
        ship_by=ship_by or deadline,
        raw={**raw, **extra},
    )


def _line(offer_id: str, lots: list[dict[str, Any]]) -> IncomingLine:
    """Lots of one offer folded into a line; the price is per unit."""
    first = lots[0]
    price = first.get("finalPrice") or first.get("price") or 0
    return IncomingLine(
        barcodes=(),
        article=offer_id,
        quantity=len(lots),
        external_sku=offer_id,
        price_kopecks=round(float(price) * 100),
    )


def goods(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The shipment's lots, without the ``delivery`` pseudo-lot (not goods to pick)."""
    return [
        lot
        for lot in raw.get("items") or []
        if isinstance(lot, dict) and str(lot.get("offerId", "")) != DELIVERY_OFFER
    ]


def _name(lot: Mapping[str, Any]) -> str:
    """``order/get`` names a lot in ``goodsData.name``; ``order/new`` in ``itemName``."""
    goods = lot.get("goodsData")
    name = goods.get("name") if isinstance(goods, dict) else None
    return str(name or lot.get("itemName") or "")


def item_index(lot: Mapping[str, Any]) -> str:
    """``itemIndex`` is a string in MM's answers; we keep it one everywhere."""
    return str(lot.get("itemIndex", ""))


def box_index(lot: Mapping[str, Any]) -> int | None:
    value = lot.get("boxIndex")
    text = str(value) if value is not None and not isinstance(value, bool) else ""
    return int(text) if text.isdecimal() and int(text) > 0 else None


def shipping_point(value: Any) -> int | None:
    """MM's pickup point number, or None (then ``shippingPoint`` is left out)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdecimal() else None


def lot_ref(lot: dict[str, Any]) -> dict[str, Any]:
    return {"itemIndex": item_index(lot), "offerId": lot.get("offerId")}


def order_code(raw: dict[str, Any]) -> str:
    """Our order code is the shipment id (MM allows Latin letters, digits, ``_``, ``-``)."""
    return str(raw.get("orderCode") or raw["shipmentId"])


def mm_time(moment: datetime) -> str:
    return moment.astimezone(MSK).isoformat(timespec="seconds")


def parse_time(value: Any) -> datetime | None:
    parsed = http.iso_time(value, MSK) if value else None
    if value and parsed is None:
        logger.warning("mm shipment with an unreadable date: %r", value)
    return parsed
