"""The Yandex Market sandbox's campaign, catalogue (offer mappings), stock and state dump.

offerId = the demo product's article; marketSku = ``MARKET_SKU_BASE`` + its position.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.sandbox import common, fbo, yandex_boxes, yandex_state
from warehouse.marketplaces.sandbox.yandex_db import orders, stocks

MARKET_SKU_BASE = 200_001
KNOWN_OFFERS = frozenset(product.article for product in PRODUCTS)


def campaign_json() -> dict[str, Any]:
    return {
        "id": yandex_state.CAMPAIGN_ID,
        "domain": "sandbox-shop.example",
        "clientId": 100_001,
        "business": {"id": yandex_state.BUSINESS_ID, "name": "Sandbox seller"},
        "placementType": "FBS",
        "apiAvailability": "AVAILABLE",
    }


def offer_mappings(start: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the catalogue from position ``start``; the next start when more follow."""
    page = [
        {
            "offer": {
                "offerId": product.article,
                "name": product.name,
                "barcodes": list(product.barcodes),
                "vendorCode": product.article,
                "basicPrice": {"value": product.price_kopecks / 100, "currencyId": "RUR"},
                "archived": False,
            },
            "mapping": {
                "marketSku": MARKET_SKU_BASE + index,
                "marketSkuName": product.name,
                "marketModelId": 500_000 + index,
            },
        }
        for index, product in enumerate(PRODUCTS)
    ][start : start + limit]
    following = start + limit
    return page, (following if following < len(PRODUCTS) else None)


def put_stocks(conn: Connection, campaign_id: int, levels: dict[str, tuple[int, str]]) -> None:
    """Store the levels; offers the seller does not sell are skipped."""
    for sku, (count, updated_at) in levels.items():
        if sku not in KNOWN_OFFERS:
            continue
        key = (stocks.c.campaign_id == campaign_id, stocks.c.sku == sku)
        changed = conn.execute(
            update(stocks).where(*key).values(count=count, updated_at=updated_at)
        )
        if changed.rowcount == 0:
            conn.execute(
                stocks.insert().values(
                    campaign_id=campaign_id, sku=sku, count=count, updated_at=updated_at
                )
            )


def fbs_entries(conn: Connection, campaign_id: int) -> list[tuple[int, dict[str, Any]]]:
    """(warehouse id, offer) of the FBS shop's own warehouse, as last pushed."""
    found = conn.execute(
        select(stocks).where(stocks.c.campaign_id == campaign_id).order_by(stocks.c.sku)
    )
    return [
        (
            yandex_state.WAREHOUSE_ID,
            {
                "offerId": row.sku,
                "stocks": [
                    {"type": "FIT", "count": row.count},
                    {"type": "AVAILABLE", "count": row.count},
                ],
                "updatedAt": row.updated_at,
            },
        )
        for row in found
    ]


def fby_entries(rows: list[fbo.Row]) -> list[tuple[int, dict[str, Any]]]:
    """(Market warehouse id, offer) of the FBY shop: AVAILABLE free, FREEZE held, FIT both."""
    return [
        (
            int(row.warehouse),
            {
                "offerId": row.article,
                "stocks": [
                    {"type": "FIT", "count": row.available + row.reserved},
                    {"type": "AVAILABLE", "count": row.available},
                    {"type": "FREEZE", "count": row.reserved},
                ],
                "updatedAt": "2026-12-01T07:00:00+03:00",
            },
        )
        for row in rows
        if row.warehouse.isdecimal()
    ]


def state(conn: Connection) -> dict[str, Any]:
    """Orders with statuses, boxes and codes; stock; queued faults (tests and the demo)."""
    rows = conn.execute(select(orders).order_by(orders.c.id)).all()
    return {
        "orders": [_order_state(row) for row in rows],
        "stocks": [
            {"campaignId": row.campaign_id, "sku": row.sku, "count": row.count}
            for row in conn.execute(select(stocks).order_by(stocks.c.sku))
        ],
        "faults": common.queued_faults(conn, "yandex"),
    }


def _order_state(row: Any) -> dict[str, Any]:
    order_id = yandex_state.ORDER_BASE + row.id
    return {
        "orderId": order_id,
        "status": row.status,
        "substatus": row.substatus,
        "items": [
            {
                "id": item["id"],
                "offerId": item["offerId"],
                "count": item["count"],
                "marked": item["marked"],
                "cis": yandex_boxes.codes_of(row.boxes, item["id"]),
            }
            for item in row.items
        ],
        "boxes": yandex_boxes.layout_json(order_id, row.boxes, with_codes=True),
        "creationDate": yandex_state.iso(row.created_ts),
    }
