"""The Megamarket sandbox's shipments as MM shows them: creation, search, details, stock.

A shipment (``shipmentId``) holds lots (``itemIndex`` 1..n), one unit each, every lot with
its own ``status``. Functions take an open ``Connection`` (the caller owns the transaction)
and raise ``Refusal`` when MM would refuse. Status changes live in ``megamarket_flow``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS, DemoProduct
from warehouse.marketplaces.sandbox.megamarket_db import BOOK, items, shipments, stocks
from warehouse.marketplaces.sandbox.megamarket_requests import (
    CODE_INVALID,
    CODE_NOT_FOUND,
    Refusal,
)

MERCHANT_ID = 5401
SHIPPING_POINT = 770001  # MM's number of the seller's pickup point (an integer)
DELIVER_AFTER = timedelta(hours=6)  # shipped lots reach the buyer this long after order/shipping
SHIPMENT_BASE = 900_000_000
GOODS_BASE = 600_000  # goodsId = GOODS_BASE + catalogue position
MSK = timezone(timedelta(hours=3), "MSK")
CONFIRM_WITHIN = timedelta(hours=2)
PACK_WITHIN = timedelta(days=1)
SHIP_WITHIN = timedelta(days=2)
CANCELLED = frozenset({"MERCHANT_CANCELED", "CUSTOMER_CANCELED"})
_rng = random.Random(20240601)
_NAMES = ("Иванов Иван", "Петрова Анна", "Сидоров Пётр", "Кузнецова Мария")


def mm_time(ts: float | None) -> str | None:
    """MM's dates: ISO 8601 in Moscow time with the offset."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, MSK).isoformat(timespec="seconds")


def goods_id(product: DemoProduct) -> int:
    return GOODS_BASE + PRODUCTS.index(product) + 1


def product_by_article(article: str) -> DemoProduct:
    for product in PRODUCTS:
        if product.article == article:
            return product
    raise Refusal(CODE_INVALID, f"unknown article {article!r}", http_status=400)


# --- creation --------------------------------------------------------------------------


def add_cart(
    conn: Connection, lines: Sequence[tuple[DemoProduct, int, bool]], created_ts: float
) -> str:
    """One buyer's shipment: one lot per unit, numbered from 1."""
    result = conn.execute(
        shipments.insert().values(
            created_ts=created_ts,
            order_code="",
            customer_name=_rng.choice(_NAMES),
        )
    )
    pk = int(result.inserted_primary_key[0])
    shipment_id = str(SHIPMENT_BASE + pk)
    conn.execute(update(shipments).where(shipments.c.id == pk).values(shipment_id=shipment_id))
    index = 0
    for product, quantity, mark_required in lines:
        for _ in range(quantity):
            index += 1
            conn.execute(items.insert().values(**_lot(pk, index, product, mark_required)))
    return shipment_id


def _lot(pk: int, index: int, product: DemoProduct, mark_required: bool) -> dict[str, Any]:
    return {
        "shipment_pk": pk,
        "item_index": index,
        "offer_id": product.article,
        "goods_id": goods_id(product),
        "name": product.name,
        "price": product.price_kopecks,
        "status": "NEW",
        "mark_required": mark_required,
    }


def generate(conn: Connection, count: int, now: float) -> list[str]:
    """``count`` shipments of random demo goods (1–3 lots each)."""
    created = []
    for _ in range(count):
        lines = [(_rng.choice(PRODUCTS), _rng.choice((1, 1, 2)), False)]
        if _rng.random() < 0.3:
            lines.append((_rng.choice(PRODUCTS), 1, False))
        created.append(add_cart(conn, lines, now))
    return created


# --- reading ---------------------------------------------------------------------------


def search(
    conn: Connection, date_from: float, date_to: float, statuses: Sequence[str], count: int
) -> list[str]:
    """Shipments created in the window with a lot in one of ``statuses``, oldest first."""
    query = select(shipments.c.shipment_id).where(
        shipments.c.created_ts >= date_from, shipments.c.created_ts <= date_to
    )
    if statuses:
        having = select(items.c.shipment_pk).where(items.c.status.in_(list(statuses)))
        query = query.where(shipments.c.id.in_(having))
    query = query.order_by(shipments.c.created_ts, shipments.c.id).limit(count)
    return list(conn.scalars(query))


def shipment(conn: Connection, shipment_id: str) -> Row[Any]:
    row = conn.execute(select(shipments).where(shipments.c.shipment_id == shipment_id)).first()
    if row is None:
        raise Refusal(CODE_NOT_FOUND, f"shipment {shipment_id} not found", shipment_id=shipment_id)
    return row


def lots(conn: Connection, pk: int) -> list[Row[Any]]:
    query = select(items).where(items.c.shipment_pk == pk).order_by(items.c.item_index)
    return list(conn.execute(query))


def details(conn: Connection, ids: Iterable[str]) -> list[dict[str, Any]]:
    """``order/get``: the shipments MM knows, in the asked order (unknown ones left out)."""
    rows = conn.execute(select(shipments).where(shipments.c.shipment_id.in_(list(ids))))
    found = {row.shipment_id: row for row in rows}
    return [shipment_json(conn, found[key]) for key in dict.fromkeys(ids) if key in found]


def shipment_json(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    created = row.created_ts
    return {
        "shipmentId": row.shipment_id,
        "orderCode": row.order_code,
        "creationDate": mm_time(created),
        "confirmedTimeLimit": mm_time(created + CONFIRM_WITHIN.total_seconds()),
        "packingTimeLimit": mm_time(created + PACK_WITHIN.total_seconds()),
        "shippingTimeLimit": mm_time(created + SHIP_WITHIN.total_seconds()),
        "shipmentDateFrom": mm_time(created + PACK_WITHIN.total_seconds()),
        "shipmentDateTo": mm_time(created + SHIP_WITHIN.total_seconds()),
        "shippingDate": row.shipping_date,
        "deliveryId": row.id,
        "customerFullName": row.customer_name,
        "customerAddress": "г. Москва, ул. Тверская, д. 1",
        "shippingPoint": SHIPPING_POINT,
        "items": [lot_json(lot) for lot in lots(conn, row.id)],
    }


def lot_json(lot: Row[Any]) -> dict[str, Any]:
    """A lot as ``order/get`` shows it: ``boxIndex`` only (no box codes), the name in
    ``goodsData.name``, ``itemIndex`` a string (fact sheet §7, the typed clients' shapes)."""
    return {
        "itemIndex": str(lot.item_index),
        "status": lot.status,
        "subStatus": lot.sub_status,
        "offerId": lot.offer_id,
        "goodsId": str(lot.goods_id),
        "goodsData": {"name": lot.name, "isDigitalMarkRequired": bool(lot.mark_required)},
        "price": lot.price / 100,
        "finalPrice": lot.price / 100,
        "quantity": 1,
        "digitalMark": lot.digital_mark,
        "boxIndex": lot.box_index,
        "events": [],
    }


# --- stock ---------------------------------------------------------------------------

KNOWN_OFFERS = frozenset(product.article for product in PRODUCTS)


def put_stocks(conn: Connection, entries: Any) -> None:
    """``stocks: [{offerId, quantity}]``; offers the shop does not sell are ignored."""
    if not isinstance(entries, list) or not 1 <= len(entries) <= 300:
        raise Refusal(CODE_INVALID, "stocks must list 1..300 offers")
    for entry in entries:
        offer, quantity = (entry.get(k) for k in ("offerId", "quantity"))
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise Refusal(CODE_INVALID, "each stock needs offerId and quantity >= 0")
        if str(offer) not in KNOWN_OFFERS:
            continue
        changed = conn.execute(
            update(stocks).where(stocks.c.offer_id == str(offer)).values(quantity=quantity)
        )
        if changed.rowcount == 0:
            conn.execute(stocks.insert().values(offer_id=str(offer), quantity=quantity))


def save_prices(conn: Connection, entries: Any, now: float) -> None:
    """``prices: [{offerId, price, isDeleted}]`` (partner-wiki «Обновление цен по API»):
    whole roubles; ``isDeleted: true`` returns the offer to its feed's price. Checked whole
    before anything is kept. The wiki gives no answer for an offer the shop does not sell:
    like its stock, such a price is taken and ignored (and kept in the log)."""
    if not isinstance(entries, list) or not 1 <= len(entries) <= 300:
        raise Refusal(CODE_INVALID, "prices must list 1..300 offers")
    for entry in entries:
        offer = entry.get("offerId") if isinstance(entry, dict) else None
        price, deleted = (entry.get(k, False) for k in ("price", "isDeleted"))
        if not isinstance(offer, str) or not offer or not isinstance(deleted, bool):
            raise Refusal(CODE_INVALID, "each price needs offerId (a string) and isDeleted")
        if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
            raise Refusal(CODE_INVALID, f"{offer}: price must be whole roubles above 0")
    feed = {product.article: product.price_kopecks // 100 for product in PRODUCTS}
    for entry in entries:
        offer, deleted = entry["offerId"], entry.get("isDeleted", False)
        BOOK.record(conn, offer, {"price": entry["price"], "isDeleted": deleted}, now)
        if offer in feed:
            price = feed[offer] if deleted else entry["price"]
            BOOK.set(conn, offer, {"price": price, "isDeleted": deleted}, now)


def state(conn: Connection) -> dict[str, Any]:
    """Everything, for ``GET /_control/state``."""
    rows = conn.execute(select(shipments).order_by(shipments.c.id))
    return {
        "orders": [shipment_json(conn, row) for row in rows],
        "stocks": [
            {"offerId": row.offer_id, "quantity": row.quantity}
            for row in conn.execute(select(stocks).order_by(stocks.c.offer_id))
        ],
        "now": datetime.now(UTC).isoformat(timespec="seconds"),
    }
