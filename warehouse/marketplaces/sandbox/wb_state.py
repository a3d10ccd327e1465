"""The WB sandbox's orders and stock, one function per API operation.

Every function takes an open ``Connection`` (the caller owns the transaction) and plain
values, and raises ``SandboxError`` with WB's business error code when WB would refuse.
Status changes are conditional UPDATEs, so several processes sharing the database
cannot move one order twice.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS, DemoProduct
from warehouse.marketplaces.sandbox.wb_db import orders, stocks

WAREHOUSE_ID = 1_000_001
OFFICE_ID = 507
SUPPLY_PREFIX = "WB-GI-"
_rng = random.Random(20240601)


class SandboxError(Exception):
    """WB refuses the call: HTTP ``status`` with body ``{code, message, data}``."""

    def __init__(self, status: int, code: str, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data


class TextError(Exception):
    """The prices and Content hosts refuse: ``{data: null, error: true, errorText}``, and
    ``additionalErrors`` on the Content host (None: the key is left out)."""

    def __init__(self, status: int, text: str, additional: dict[str, Any] | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.additional = additional


def rfc3339(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def warehouses() -> list[dict[str, Any]]:
    return [
        {
            "id": WAREHOUSE_ID,
            "name": "Склад продавца (sandbox)",
            "officeId": OFFICE_ID,
            "cargoType": 1,
            "deliveryType": 1,
            "isDeleting": False,
            "isProcessing": False,
        }
    ]


# --- orders -----------------------------------------------------------------------------


def product_by_article(article: str) -> DemoProduct:
    for product in PRODUCTS:
        if product.article == article:
            return product
    raise SandboxError(400, "IncorrectParameter", f"unknown article {article!r}")


def add_cart(
    conn: Connection, lines: Sequence[tuple[DemoProduct, int, Sequence[str]]], now: float
) -> list[int]:
    """One buyer's cart: one assembly order per unit, all sharing one ``orderUid``."""
    order_uid = f"{_rng.randrange(10**8, 10**9)}_{uuid.uuid4().hex}"
    ids: list[int] = []
    for product, quantity, required_meta in lines:
        for _ in range(quantity):
            ids.append(_insert_order(conn, order_uid, product, list(required_meta), now))
    return ids


def generate(conn: Connection, count: int, now: float) -> list[int]:
    """``count`` new orders for random demo goods; now and then a cart holds two units."""
    ids: list[int] = []
    while len(ids) < count:
        units = min(count - len(ids), _rng.choice((1, 1, 1, 2)))
        ids += add_cart(conn, [(_rng.choice(PRODUCTS), units, [])], now)
    return ids


def new_orders(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(orders)
        .where(orders.c.supplier_status == "new", orders.c.wb_status == "waiting")
        .order_by(orders.c.id)
    )
    return [order_json(row) for row in rows]


def list_orders(
    conn: Connection, limit: int, after: int, date_from: float, date_to: float
) -> tuple[int, list[dict[str, Any]]]:
    rows = conn.execute(
        select(orders)
        .where(
            orders.c.id > after,
            orders.c.created_ts >= date_from,
            orders.c.created_ts < date_to + 1,  # dateTo is a whole second
        )
        .order_by(orders.c.id)
        .limit(limit)
    ).all()
    found = [order_json(row, with_supply=True) for row in rows]
    return (rows[-1].id if rows else after), found


def statuses(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = conn.execute(select(orders).where(orders.c.id.in_(ids)).order_by(orders.c.id))
    return [
        {"id": row.id, "supplierStatus": row.supplier_status, "wbStatus": row.wb_status}
        for row in rows
    ]


def cancel_order(conn: Connection, order_id: int) -> None:
    _order(conn, order_id)
    moved = conn.execute(
        update(orders)
        .where(orders.c.id == order_id, orders.c.supplier_status.in_(("new", "confirm")))
        .values(supplier_status="cancel", wb_status="canceled")
    )
    if moved.rowcount != 1:
        raise SandboxError(409, "StatusMismatch", "the order is already complete or cancelled")


def client_cancel(conn: Connection, order_id: int) -> None:
    """The buyer cancels: gone from /orders/new, ``wbStatus`` tells why.

    ``declined_by_client`` while new; ``canceled_by_client`` later — also after the
    supply was handed over (the buyer refuses at the pickup point), until it is sold.
    """
    row = _order(conn, order_id)
    if row.supplier_status == "cancel" or row.wb_status in ("sold", "canceled_by_client"):
        raise SandboxError(409, "StatusMismatch", "the order is already sold or cancelled")
    wb_status = "declined_by_client" if row.supplier_status == "new" else "canceled_by_client"
    conn.execute(update(orders).where(orders.c.id == order_id).values(wb_status=wb_status))


def set_sgtins(conn: Connection, order_id: int, codes: list[str]) -> None:
    row = _order(conn, order_id)
    if row.supplier_status != "confirm":
        raise SandboxError(409, "FailedToUpdateMeta", "meta can be set only in status confirm")
    conn.execute(update(orders).where(orders.c.id == order_id).values(sgtins=codes))


def delete_meta(conn: Connection, order_id: int, key: str) -> None:
    """Forget the order's values of ``key`` (only sgtin is kept by the sandbox)."""
    row = _order(conn, order_id)
    if row.supplier_status != "confirm":
        raise SandboxError(409, "FailedToUpdateMeta", "meta can be changed only in status confirm")
    if key == "sgtin":
        conn.execute(update(orders).where(orders.c.id == order_id).values(sgtins=[]))


def orders_meta(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """``{id, metaDetails}`` per known order, as ``POST /api/marketplace/v3/orders/meta``."""
    rows = conn.execute(select(orders).where(orders.c.id.in_(ids)).order_by(orders.c.id))
    return [{"id": row.id, "metaDetails": meta_details(row)} for row in rows]


def meta_details(row: Row[Any]) -> list[dict[str, Any]]:
    """The order's label identifiers (2026 orders-fbs OpenAPI ``MetaDetails``).

    One entry per sgtin code WB holds (``filled``: the sandbox does not validate
    codes), ``required`` with a null value for a required identifier still missing.
    Identifiers the order cannot carry are not listed.
    """
    details: list[dict[str, Any]] = []
    for key in row.required_meta:
        values = list(row.sgtins) if key == "sgtin" else []
        details += [{"key": key, "value": value, "decision": "filled"} for value in values]
        if not values:
            details.append({"key": key, "value": None, "decision": "required"})
    return details


def sticker_orders(conn: Connection, ids: Sequence[int]) -> list[int]:
    """The orders that have a sticker (``confirm`` or ``complete``), in the asked order."""
    ready = set(
        conn.scalars(
            select(orders.c.id).where(
                orders.c.id.in_(ids), orders.c.supplier_status.in_(("confirm", "complete"))
            )
        )
    )
    return [order_id for order_id in dict.fromkeys(ids) if order_id in ready]


def order_json(row: Row[Any], *, with_supply: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "orderUid": row.order_uid,
        "rid": row.rid,
        "article": row.article,
        "nmId": row.nm_id,
        "chrtId": row.chrt_id,
        "skus": list(row.skus),
        "warehouseId": WAREHOUSE_ID,
        "officeId": OFFICE_ID,
        "offices": ["Подольск"],
        "createdAt": rfc3339(row.created_ts),
        "price": row.price,
        "salePrice": row.price,
        "finalPrice": row.price,
        "convertedPrice": row.price,
        "currencyCode": 643,
        "convertedCurrencyCode": 643,
        "cargoType": 1,
        "deliveryType": "fbs",
        "requiredMeta": list(row.required_meta),
        "optionalMeta": [],
        "comment": "",
        "address": None,
        "isZeroOrder": False,
        "options": {"isB2b": False},
    }
    if with_supply and row.supply_id is not None:
        data["supplyId"] = supply_name(row.supply_id)
    return data


def _insert_order(
    conn: Connection, order_uid: str, product: DemoProduct, required_meta: list[str], now: float
) -> int:
    result = conn.execute(
        orders.insert().values(
            order_uid=order_uid,
            rid=uuid.uuid4().hex,
            article=product.article,
            nm_id=product.wb_nm_id,
            chrt_id=product.wb_chrt_id,
            skus=list(product.barcodes),
            price=product.price_kopecks,
            created_ts=now,
            supplier_status="new",
            wb_status="waiting",
            required_meta=required_meta,
            sgtins=[],
        )
    )
    return int(result.inserted_primary_key[0])


def _order(conn: Connection, order_id: int) -> Row[Any]:
    row = conn.execute(select(orders).where(orders.c.id == order_id)).first()
    if row is None:
        raise SandboxError(404, "NotFound", f"order {order_id} not found")
    return row


def supply_name(supply_id: int) -> str:
    return f"{SUPPLY_PREFIX}{supply_id}"


# --- stock --------------------------------------------------------------------------------


def check_warehouse(warehouse_id: int) -> None:
    if warehouse_id != WAREHOUSE_ID:
        raise SandboxError(404, "NotFound", f"warehouse {warehouse_id} not found")


def put_stocks(
    conn: Connection, warehouse_id: int, amounts: dict[int, int], known: Collection[int]
) -> None:
    """Store the amounts; chrtIds the seller does not sell (not ``known``) are ignored, as
    WB does."""
    check_warehouse(warehouse_id)
    for chrt_id, amount in amounts.items():
        if chrt_id not in known:
            continue
        key = (stocks.c.warehouse_id == warehouse_id, stocks.c.chrt_id == chrt_id)
        changed = conn.execute(update(stocks).where(*key).values(amount=amount))
        if changed.rowcount == 0:
            conn.execute(
                stocks.insert().values(warehouse_id=warehouse_id, chrt_id=chrt_id, amount=amount)
            )


def get_stocks(
    conn: Connection, warehouse_id: int, chrt_ids: Iterable[int], known: Collection[int]
) -> list[dict]:
    check_warehouse(warehouse_id)
    query = select(stocks.c.chrt_id, stocks.c.amount).where(stocks.c.warehouse_id == warehouse_id)
    stored = {chrt_id: amount for chrt_id, amount in conn.execute(query)}
    return [
        {"chrtId": chrt_id, "amount": stored.get(chrt_id, 0)}
        for chrt_id in dict.fromkeys(chrt_ids)
        if chrt_id in known
    ]
