"""The Ozon sandbox's products and FBS stock.

``/v2/products/stocks`` answers HTTP 200 with a result per (offer, warehouse) pair; a
pair updated again within ``SANDBOX_OZON_STOCK_WINDOW_SECONDS`` (Ozon: 30 s) gets
``errors[{code: TOO_MANY_REQUESTS}]`` instead of being stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_db import stocks

# Per-item codes from the reference's "Частые ошибки" table for /v2/products/stocks.
NOT_FOUND = ("offer_id_not_found", "Product not found")
NO_WAREHOUSE = ("WAREHOUSE_NOT_FOUND", "Warehouse not found")
TOO_MANY = ("TOO_MANY_REQUESTS", "Too many requests for this product and warehouse")


def warehouses() -> list[dict[str, Any]]:
    return [
        {
            "warehouse_id": st.WAREHOUSE_ID,
            "name": st.WAREHOUSE_NAME,
            "is_rfbs": False,
            "status": "created",
            "first_mile_type": {"first_mile_type": "DropOff"},
            "has_entrusted_acceptance": False,
            "is_kgt": False,
        }
    ]


def update_stocks(
    conn: Connection, entries: list[dict[str, Any]], now: float, window: float
) -> list[dict[str, Any]]:
    return [_update_one(conn, entry, now, window) for entry in entries]


def _update_one(conn: Connection, entry: dict[str, Any], now: float, window: float) -> dict:
    item = _item(entry)
    warehouse_id = int(entry.get("warehouse_id") or 0)
    result: dict[str, Any] = {
        "warehouse_id": warehouse_id,
        "product_id": item.product_id if item else int(entry.get("product_id") or 0),
        "offer_id": item.product.article if item else str(entry.get("offer_id") or ""),
        "updated": False,
        "errors": [],
    }
    error = _refusal(conn, item, warehouse_id, now, window)
    if error is not None:
        result["errors"] = [{"code": error[0], "message": error[1]}]
        return result
    assert item is not None
    _store(conn, item.product.article, warehouse_id, int(entry["stock"]), now)
    result["updated"] = True
    return result


def _item(entry: dict[str, Any]) -> st.Item | None:
    """``offer_id`` wins over ``product_id`` when both are sent, as at Ozon."""
    for item in st.ITEMS:
        if entry.get("offer_id"):
            if item.product.article == str(entry["offer_id"]):
                return item
        elif str(item.product_id) == str(entry.get("product_id")):
            return item
    return None


def _refusal(
    conn: Connection, item: st.Item | None, warehouse_id: int, now: float, window: float
) -> tuple[str, str] | None:
    if item is None:
        return NOT_FOUND
    if warehouse_id != st.WAREHOUSE_ID:
        return NO_WAREHOUSE
    last = conn.scalar(
        select(stocks.c.updated_ts).where(
            stocks.c.offer_id == item.product.article, stocks.c.warehouse_id == warehouse_id
        )
    )
    if last is not None and now < last + window:
        return TOO_MANY
    return None


def _store(conn: Connection, offer_id: str, warehouse_id: int, stock: int, now: float) -> None:
    key = (stocks.c.offer_id == offer_id, stocks.c.warehouse_id == warehouse_id)
    changed = conn.execute(update(stocks).where(*key).values(stock=stock, updated_ts=now))
    if changed.rowcount == 0:
        conn.execute(
            stocks.insert().values(
                offer_id=offer_id, warehouse_id=warehouse_id, stock=stock, updated_ts=now
            )
        )


def all_stocks(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(stocks).order_by(stocks.c.offer_id, stocks.c.warehouse_id))
    return [
        {"offer_id": row.offer_id, "warehouse_id": row.warehouse_id, "stock": row.stock}
        for row in rows
    ]


# --- products -------------------------------------------------------------------------------


def product_list(last_id: str, limit: int) -> dict[str, Any]:
    """``/v3/product/list``: ids in product_id order after ``last_id``."""
    after = int(last_id) if last_id.isdecimal() else 0
    page = [item for item in st.ITEMS if item.product_id > after][:limit]
    return {
        "items": [
            {
                "product_id": item.product_id,
                "offer_id": item.product.article,
                "archived": False,
                "has_fbo_stocks": False,
                "has_fbs_stocks": True,
                "is_discounted": False,
                "quants": [],
            }
            for item in page
        ],
        "total": len(st.ITEMS),
        "last_id": str(page[-1].product_id) if page else "",
    }


def product_info(offer_ids: list[str], product_ids: list[int], skus: list[int]) -> list[dict]:
    """``/v3/product/info/list``: the cards asked for by any of the three keys."""
    return [
        {
            "id": item.product_id,
            "offer_id": item.product.article,
            "name": item.product.name,
            "barcodes": list(item.product.barcodes),
            "sku": item.sku,
            "sources": [
                {"sku": item.sku, "source": "sds", "shipment_type": "SHIPMENT_TYPE_GENERAL"}
            ],
            "price": f"{item.product.price_kopecks / 100:.2f}",
            "currency_code": "RUB",
            "is_archived": False,
        }
        for item in st.ITEMS
        if item.product.article in offer_ids or item.product_id in product_ids or item.sku in skus
    ]


def fbo_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """``stock_on_warehouses`` rows (analyticsStockOnWarehouseResultRows) of ``fbo`` rows."""
    items = {item.product.article: item for item in st.ITEMS}
    return [
        {
            "sku": items[row.article].sku,
            "item_code": row.article,
            "item_name": items[row.article].product.name,
            "free_to_sell_amount": row.available,
            "promised_amount": row.incoming,
            "reserved_amount": row.reserved,
            "warehouse_name": row.warehouse,
        }
        for row in rows
        if row.article in items
    ]
