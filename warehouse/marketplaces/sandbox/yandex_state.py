"""The Yandex Market sandbox's orders, one function per API operation.

Every function takes an open ``Connection`` (the caller owns the transaction) and plain
values, and raises ``SandboxError`` with YM's error code when YM would refuse. Status
changes are conditional UPDATEs, so processes sharing the database cannot move one order
twice. Life of an order: ``PROCESSING/STARTED`` → (boxes) → ``PROCESSING/READY_TO_SHIP`` →
``DELIVERY/DELIVERY_SERVICE_RECEIVED`` → ``DELIVERED/DELIVERY_SERVICE_DELIVERED``;
``CANCELLED/<reason>`` from either PROCESSING step.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS, DemoProduct
from warehouse.marketplaces.sandbox import yandex_boxes
from warehouse.marketplaces.sandbox.yandex_db import SandboxError, orders

BUSINESS_ID = 1
CAMPAIGN_ID = 1
FBY_CAMPAIGN_ID = 2  # the business's FBY shop: its goods are in Market's warehouses
WAREHOUSE_ID = 77001
ORDER_BASE = 52_000_000  # orderId = ORDER_BASE + row id: ids look like YM's
MSK = timezone(timedelta(hours=3), "MSK")
SHIPMENT_TIME = "12:00"

STARTED = ("PROCESSING", "STARTED")
READY = ("PROCESSING", "READY_TO_SHIP")
IN_DELIVERY = ("DELIVERY", "DELIVERY_SERVICE_RECEIVED")
DELIVERED = ("DELIVERED", "DELIVERY_SERVICE_DELIVERED")
SELLER_CANCEL = ("CANCELLED", "SHOP_FAILED")
BUYER_CANCEL = ("CANCELLED", "USER_CHANGED_MIND")
TERMINAL = frozenset({"CANCELLED", "DELIVERED", "RETURNED", "PARTIALLY_RETURNED"})
_rng = random.Random(20240603)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, MSK).isoformat(timespec="seconds")


def product_by_offer(offer_id: str) -> DemoProduct:
    for product in PRODUCTS:
        if product.article == offer_id:
            return product
    raise SandboxError(400, "OFFER_NOT_FOUND", f"Offer {offer_id!r} not found")


# --- creating orders ----------------------------------------------------------------------


def add_order(
    conn: Connection, lines: Sequence[tuple[DemoProduct, int]], now: float, created: float = 0
) -> str:
    """One buyer's order with one item per product (placed at ``created``, else now)."""
    items = [
        {
            "offerId": product.article,
            "offerName": product.name,
            "count": count,
            "price": product.price_kopecks,
            "marked": product.article in yandex_boxes.MARKED_OFFERS,
        }
        for product, count in lines
    ]
    created = created or now
    shipment = datetime.fromtimestamp(created, MSK).date() + timedelta(days=1)
    status, substatus = STARTED
    result = conn.execute(
        orders.insert().values(
            status=status,
            substatus=substatus,
            created_ts=created,
            updated_ts=now,
            shipment_date=shipment.isoformat(),
            items=[],
            boxes=[],
        )
    )
    row_id = int(result.inserted_primary_key[0])
    order_id = ORDER_BASE + row_id
    for index, item in enumerate(items, start=1):
        item["id"] = order_id * 10 + index
    conn.execute(update(orders).where(orders.c.id == row_id).values(items=items))
    return str(order_id)


def generate(conn: Connection, count: int, now: float) -> list[str]:
    """``count`` orders of random demo goods; now and then with two products."""
    ids: list[str] = []
    for _ in range(count):
        products = _rng.sample(PRODUCTS, _rng.choice((1, 1, 1, 2)))
        ids.append(
            add_order(conn, [(product, _rng.choice((1, 1, 2))) for product in products], now)
        )
    return ids


# --- reading ----------------------------------------------------------------------------


def search(
    conn: Connection, filters: dict[str, Any], limit: int, after: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the order search; the second value is the last row id when more follow."""
    query = select(orders).where(orders.c.id > after).order_by(orders.c.id).limit(limit + 1)
    if filters.get("statuses"):
        query = query.where(orders.c.status.in_(filters["statuses"]))
    if filters.get("substatuses"):
        query = query.where(orders.c.substatus.in_(filters["substatuses"]))
    if filters.get("created") is not None:
        start, end = filters["created"]
        query = query.where(orders.c.created_ts >= start, orders.c.created_ts < end)
    if filters.get("orderIds") is not None:
        rows_ids = [int(value) - ORDER_BASE for value in filters["orderIds"]]
        query = query.where(orders.c.id.in_(rows_ids))
    if "FBS" not in filters.get("programTypes", ["FBS"]) or filters.get("fake") is False:
        return [], None
    rows = conn.execute(query).all()
    page = rows[:limit]
    more = len(rows) > limit
    return [order_json(row) for row in page], (page[-1].id if more and page else None)


def order_json(row: Row[Any]) -> dict[str, Any]:
    order_id = ORDER_BASE + row.id
    return {
        "orderId": order_id,
        "campaignId": CAMPAIGN_ID,
        "programType": "FBS",
        "status": row.status,
        "substatus": row.substatus,  # required by BusinessOrderDTO, even for returns
        "creationDate": iso(row.created_ts),
        "updateDate": iso(row.updated_ts),
        "paymentType": "PREPAID",
        "paymentMethod": "YANDEX",
        "fake": True,
        "buyerType": "PERSON",
        "items": [_item_json(item, row.boxes) for item in row.items],
        "delivery": {
            "type": "DELIVERY",
            "serviceName": "Доставка Маркета",
            "deliveryServiceId": 1005111,
            "warehouseId": str(WAREHOUSE_ID),
            "shipment": {
                "id": 900_000 + row.id,
                "shipmentDate": row.shipment_date,
                "shipmentTime": SHIPMENT_TIME,
            },
            "boxesLayout": yandex_boxes.layout_json(order_id, row.boxes),
        },
    }


def _item_json(item: dict[str, Any], boxes: list[dict[str, Any]]) -> dict[str, Any]:
    total = item["price"] * item["count"] / 100
    data: dict[str, Any] = {
        "id": item["id"],
        "offerId": item["offerId"],
        "offerName": item["offerName"],
        "count": item["count"],
        "prices": {
            "payment": {"value": total, "currencyId": "RUR"},
            "subsidy": {"value": 0.0, "currencyId": "RUR"},
        },
    }
    if item["marked"]:
        data["requiredInstanceTypes"] = ["CIS"]
    codes = yandex_boxes.codes_of(boxes, item["id"])
    if codes:
        data["instances"] = [{"cis": code, "cisFull": code} for code in codes]
    return data


def get(conn: Connection, order_id: int) -> Row[Any]:
    row = conn.execute(select(orders).where(orders.c.id == order_id - ORDER_BASE)).first()
    if row is None:
        raise SandboxError(404, "NOT_FOUND", f"Order {order_id} not found")
    return row


# --- changing ---------------------------------------------------------------------------


def set_boxes(
    conn: Connection,
    order_id: int,
    boxes: list[list[dict[str, Any]]],
    now: float,
    allow_remove: bool = False,
) -> list[dict[str, Any]]:
    """Replace the layout; allowed until the order is READY_TO_SHIP.

    With ``allow_remove`` the units left out of the layout leave the order for good.
    """
    row = get(conn, order_id)
    _require(row, {STARTED}, "set boxes")
    items = yandex_boxes.items_after_removal(row.items, boxes) if allow_remove else row.items
    stored = yandex_boxes.check_layout(order_id, items, boxes)
    _move(conn, row, STARTED, now, boxes=stored, items=items)
    return yandex_boxes.layout_json(order_id, stored, with_codes=True)


def set_status(
    conn: Connection, order_id: int, status: str, substatus: str, now: float
) -> dict[str, Any]:
    """The seller's status change: READY_TO_SHIP or CANCELLED/SHOP_FAILED."""
    row = get(conn, order_id)
    target = (status, substatus)
    if target == READY:
        _require(row, {STARTED}, "set READY_TO_SHIP")
        yandex_boxes.check_ready(row.items, row.boxes)
    elif status == "CANCELLED":
        if substatus != SELLER_CANCEL[1]:
            raise SandboxError(400, "SUBSTATUS_NOT_ALLOWED", f"Substatus {substatus} not allowed")
        _require(row, {STARTED, READY}, "cancel")
    else:
        raise SandboxError(
            400, "STATUS_NOT_ALLOWED", f"Status {status}/{substatus} cannot be set by the shop"
        )
    _move(conn, row, target, now)
    return order_json(get(conn, order_id))


def ship(conn: Connection, order_id: int, now: float) -> tuple[str, str]:
    """The Market takes the order (READY_TO_SHIP → DELIVERY), then delivers it."""
    row = get(conn, order_id)
    current = (row.status, row.substatus)
    target = {READY: IN_DELIVERY, IN_DELIVERY: DELIVERED}.get(current)
    if target is None:
        raise SandboxError(
            400, "STATUS_NOT_ALLOWED", f"Order {order_id} in {'/'.join(current)} cannot be shipped"
        )
    _move(conn, row, target, now)
    return target


def buyer_return(conn: Connection, order_id: int, partial: bool, now: float) -> str:
    """The buyer sends a delivered order back, wholly (RETURNED) or in part."""
    row = get(conn, order_id)
    _require(row, {DELIVERED}, "return")
    # UNCONFIRMED which substatus a returned order carries; UNKNOWN is in the enum.
    target = ("PARTIALLY_RETURNED" if partial else "RETURNED", "UNKNOWN")
    _move(conn, row, target, now)
    return target[0]


def client_cancel(conn: Connection, order_id: int, now: float) -> None:
    """The buyer cancels while the order is still being processed."""
    row = get(conn, order_id)
    _require(row, {STARTED, READY}, "cancel")
    _move(conn, row, BUYER_CANCEL, now)


def label_order(conn: Connection, order_id: int) -> Row[Any]:
    """The order whose labels are asked for: only once it has boxes, and not cancelled."""
    row = get(conn, order_id)
    if row.status == "CANCELLED":
        raise SandboxError(400, "ORDER_IN_TERMINAL_STATE", f"Order {order_id} is cancelled")
    if not row.boxes:
        raise SandboxError(400, "NO_BOXES", f"Order {order_id} has no boxes")
    return row


def _require(row: Row[Any], allowed: set[tuple[str, str]], action: str) -> None:
    current = (row.status, row.substatus)
    if current in allowed:
        return
    code = "ORDER_IN_TERMINAL_STATE" if row.status in TERMINAL else None
    raise SandboxError(
        400,
        code or "STATUS_NOT_ALLOWED",
        f"Cannot {action} for order {ORDER_BASE + row.id} in status {'/'.join(current)}",
    )


def _move(
    conn: Connection, row: Row[Any], target: tuple[str, str], now: float, **values: Any
) -> None:
    moved = conn.execute(
        update(orders)
        .where(
            orders.c.id == row.id,
            orders.c.status == row.status,
            orders.c.substatus == row.substatus,
        )
        .values(status=target[0], substatus=target[1], updated_ts=now, **values)
    )
    if moved.rowcount != 1:
        raise SandboxError(400, "STATUS_NOT_ALLOWED", "The order changed meanwhile; try again")
