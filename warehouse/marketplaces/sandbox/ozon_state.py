"""The Ozon sandbox's postings: creation, reading as Ozon's JSON, and the status machine.

Every function takes an open ``Connection`` (the caller owns the transaction) and raises
``OzonError`` with Ozon's error body when Ozon would refuse. Status changes are
conditional UPDATEs, so several processes sharing the database cannot move one posting twice.

Life cycle: (``awaiting_verification`` →) ``awaiting_packaging`` → (ship)
``awaiting_deliver`` → (act, pickup) ``driver_pickup`` → ``delivering`` → ``delivered``;
``cancelled`` from ``awaiting_packaging`` / ``awaiting_deliver`` (see ``ozon_cancel``),
``cancelled_from_split_pending`` when Ozon splits a posting (``_control`` only).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS, DemoProduct
from warehouse.marketplaces.sandbox.ozon_db import orders, postings

WAREHOUSE_ID = 1  # the demo account's setting (warehouse.demo.SANDBOX_ACCOUNTS)
WAREHOUSE_NAME = "Склад продавца (sandbox)"
DELIVERY_METHOD_ID = 1001
DELIVERY_METHOD_NAME = "Ozon Логистика самостоятельно, Склад продавца"
PRODUCT_ID_BASE = 200_000  # Ozon product_id = base + catalogue index + 1
SKU_BASE = 1_400_000_000  # Ozon SKU = base + catalogue index + 1
EXEMPLAR_BASE = 7_000_000_000
SHIP_WITHIN_SECONDS = 2 * 24 * 3600

AWAITING_VERIFICATION = "awaiting_verification"
AWAITING_PACKAGING = "awaiting_packaging"
AWAITING_DELIVER = "awaiting_deliver"
DELIVERING = "delivering"
DELIVERED = "delivered"
DRIVER_PICKUP = "driver_pickup"
CANCELLED = "cancelled"
SPLIT_CANCELLED = "cancelled_from_split_pending"
UNFULFILLED = (AWAITING_PACKAGING, AWAITING_DELIVER)
# unfulfilled/list without a status filter: "awaiting_packaging, awaiting_approve or
# awaiting_verification" per Ozon's reference, and those shipped but not handed over.
LISTED = (AWAITING_VERIFICATION, *UNFULFILLED)
# Substatuses as Ozon's reference names them (/v3/posting/fbs/get ``substatus``).
SUBSTATUS = {
    AWAITING_VERIFICATION: "posting_created",
    AWAITING_PACKAGING: "posting_created",
    AWAITING_DELIVER: "posting_transferring_to_delivery",
    DRIVER_PICKUP: "posting_driver_pick_up",
    DELIVERING: "posting_in_carriage",
    DELIVERED: "posting_delivered",
    CANCELLED: "posting_canceled",
    SPLIT_CANCELLED: "posting_canceled",
}
ACTIONS = {
    AWAITING_PACKAGING: ["ship", "cancel"],
    AWAITING_DELIVER: ["cancel", "label_download_big", "label_download_small"],
}
_rng = random.Random(20240602)


class OzonError(Exception):
    """Ozon refuses the call: HTTP ``status`` with body ``{code, message, details}``."""

    def __init__(self, status: int, message: str, code: int = 3) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def not_found(posting_number: str) -> OzonError:
    return OzonError(404, "POSTING_NOT_FOUND", code=5)


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the catalogue as Ozon numbers it ---------------------------------------------------------


@dataclass(frozen=True)
class Item:
    product: DemoProduct
    product_id: int
    sku: int


ITEMS = tuple(
    Item(product, PRODUCT_ID_BASE + n + 1, SKU_BASE + n + 1) for n, product in enumerate(PRODUCTS)
)


def item_by_article(article: str) -> Item:
    for item in ITEMS:
        if item.product.article == article:
            return item
    raise OzonError(400, f"unknown article {article!r}")


# --- creating ---------------------------------------------------------------------------------


def add_cart(
    conn: Connection,
    lines: Sequence[tuple[Item, int, bool]],
    now: float,
    status: str = AWAITING_PACKAGING,
) -> str:
    """One buyer's order as one posting (``awaiting_packaging`` unless asked); its number."""
    order_id = int(conn.execute(orders.insert().values(created_ts=now)).inserted_primary_key[0])
    order_number = f"{50_000_000 + order_id}-{order_id * 37 % 10_000:04d}"
    posting_number = f"{order_number}-1"
    products = [_product_json(item, qty) for item, qty, _marked in lines]
    conn.execute(
        postings.insert().values(
            posting_number=posting_number,
            order_id=order_id,
            order_number=order_number,
            seq=1,
            status=status,
            substatus=SUBSTATUS[status],
            products=products,
            mark_skus=sorted({item.sku for item, _qty, marked in lines if marked}),
            exemplars=new_exemplars(order_id * 1000, products),
            created_ts=now,
            shipment_ts=now + SHIP_WITHIN_SECONDS,
            changed_ts=now,
            parent_posting_number="",
        )
    )
    return posting_number


def generate(conn: Connection, count: int, now: float) -> list[str]:
    """``count`` postings of random demo goods; now and then one holds two lines."""
    created = []
    for _ in range(count):
        picked = _rng.sample(ITEMS, _rng.choice((1, 1, 1, 2)))
        created.append(
            add_cart(conn, [(item, _rng.choice((1, 1, 2)), False) for item in picked], now)
        )
    return created


def new_exemplars(first_id: int, products: Sequence[dict[str, Any]]) -> dict[str, list[dict]]:
    """One empty exemplar per unit, numbered from ``EXEMPLAR_BASE + first_id``."""
    found: dict[str, list[dict]] = {}
    next_id = EXEMPLAR_BASE + first_id
    for product in products:
        units = found.setdefault(str(product["sku"]), [])
        for _ in range(product["quantity"]):
            next_id += 1
            units.append(
                {
                    "exemplar_id": next_id,
                    "marks": [],
                    "gtd": "",
                    "is_gtd_absent": True,
                    "rnpt": "",
                    "is_rnpt_absent": True,
                }
            )
    return found


def _product_json(item: Item, quantity: int) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "offer_id": item.product.article,
        "name": item.product.name,
        "quantity": quantity,
        "price": f"{item.product.price_kopecks / 100:.4f}",
    }


# --- reading ----------------------------------------------------------------------------------


def posting(conn: Connection, posting_number: str) -> Row[Any]:
    row = conn.execute(select(postings).where(postings.c.posting_number == posting_number)).first()
    if row is None:
        raise not_found(posting_number)
    return row


def unfulfilled(
    conn: Connection, status: str | None, window: tuple[float, float], limit: int, offset: int
) -> tuple[int, list[Row[Any]]]:
    """(total, page) of postings still with the seller whose cut-off is inside ``window``."""
    where = [
        postings.c.status.in_([status] if status else LISTED),
        postings.c.shipment_ts >= window[0],
        postings.c.shipment_ts <= window[1],
    ]
    total = int(conn.scalar(select(func.count()).select_from(postings).where(*where)) or 0)
    rows = conn.execute(
        select(postings)
        .where(*where)
        .order_by(postings.c.created_ts, postings.c.posting_number)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, list(rows)


def by_period(
    conn: Connection, status: str | None, window: tuple[float, float], limit: int, offset: int
) -> tuple[bool, list[Row[Any]]]:
    """(has_next, page) of postings created inside ``window``."""
    where = [postings.c.created_ts >= window[0], postings.c.created_ts <= window[1]]
    if status:
        where.append(postings.c.status == status)
    rows = conn.execute(
        select(postings)
        .where(*where)
        .order_by(postings.c.created_ts, postings.c.posting_number)
        .limit(limit + 1)
        .offset(offset)
    ).all()
    return len(rows) > limit, list(rows[:limit])


def posting_json(row: Row[Any], *, barcodes: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "posting_number": row.posting_number,
        "order_id": row.order_id,
        "order_number": row.order_number,
        "status": row.status,
        "substatus": row.substatus,
        "delivery_method": {
            "id": DELIVERY_METHOD_ID,
            "name": DELIVERY_METHOD_NAME,
            "warehouse_id": WAREHOUSE_ID,
            "warehouse": WAREHOUSE_NAME,
            "tpl_provider_id": 24,
            "tpl_provider": "Ozon Логистика",
        },
        "tracking_number": "",
        "tpl_integration_type": "ozon",
        "in_process_at": iso(row.created_ts),
        "shipment_date": iso(row.shipment_ts),
        "delivering_date": iso(row.changed_ts) if row.status == DELIVERING else None,
        "cancellation": row.cancellation or _no_cancellation(),
        "customer": None,
        "addressee": None,
        "products": [
            {**p, "currency_code": "RUB", "is_marketplace_buyout": False} for p in row.products
        ],
        "analytics_data": None,
        "financial_data": None,
        "is_express": False,
        "requirements": _requirements(row),
        "parent_posting_number": row.parent_posting_number,
        "available_actions": ACTIONS.get(row.status, []),
        "multi_box_qty": 1,
        "is_multibox": False,
    }
    if barcodes:
        digits = "".join(ch for ch in row.posting_number if ch.isdecimal())
        data["barcodes"] = {"upper_barcode": f"%{digits}%", "lower_barcode": digits[-12:]}
    return data


def _requirements(row: Row[Any]) -> dict[str, list[int]]:
    own = {p["sku"] for p in row.products}
    return {
        "products_requiring_mandatory_mark": [sku for sku in row.mark_skus if sku in own],
        "products_requiring_gtd": [],
        "products_requiring_country": [],
        "products_requiring_rnpt": [],
        "products_requiring_jw_uin": [],
        "products_requiring_change_country": [],
    }


def _no_cancellation() -> dict[str, Any]:
    return {
        "cancel_reason_id": 0,
        "cancel_reason": "",
        "cancellation_type": "",
        "cancelled_after_ship": False,
        "affect_cancellation_rating": False,
        "cancellation_initiator": "",
    }


# --- moving -----------------------------------------------------------------------------------


def move(
    conn: Connection,
    posting_number: str,
    sources: Sequence[str],
    target: str,
    now: float,
    **values: Any,
) -> bool:
    """``sources`` → ``target`` if the posting is in one of ``sources``; False if not."""
    moved = conn.execute(
        update(postings)
        .where(postings.c.posting_number == posting_number, postings.c.status.in_(sources))
        .values(status=target, substatus=SUBSTATUS[target], changed_ts=now, **values)
    )
    return moved.rowcount == 1


def handover(conn: Connection, posting_number: str, now: float) -> None:
    posting(conn, posting_number)
    if not move(conn, posting_number, (AWAITING_DELIVER, DRIVER_PICKUP), DELIVERING, now):
        raise OzonError(400, "POSTING_NOT_AWAITING_DELIVER", code=9)


def deliver(conn: Connection, posting_number: str, now: float) -> None:
    posting(conn, posting_number)
    if not move(conn, posting_number, (DELIVERING,), DELIVERED, now):
        raise OzonError(400, "POSTING_NOT_DELIVERING", code=9)
