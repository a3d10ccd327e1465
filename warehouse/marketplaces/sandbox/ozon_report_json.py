"""The Ozon sandbox's report answers drawn in Ozon's shapes: the month's FBS and FBO
postings (v3FbsPosting, v2FboPosting with ``financial_data`` / ``analytics_data``), the
finance operations and the cards the demo catalogue lacks (``/v3/product/info/list``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy.engine import Connection

from warehouse.marketplaces.money import roubles_number
from warehouse.marketplaces.sandbox import ozon_report_data as data
from warehouse.marketplaces.sandbox import ozon_state as st


def fbs_posting(row: Any, status: str, asked: dict[str, Any], now: float) -> dict[str, Any]:
    """A v3FbsPosting of the month, drawn like the sandbox's live postings."""
    live = SimpleNamespace(
        posting_number=row.posting_number,
        order_id=row.order_id,
        order_number=row.order_number,
        status=status,
        substatus=st.SUBSTATUS[status],
        created_ts=row.ordered_ts,
        shipment_ts=row.ordered_ts + st.SHIP_WITHIN_SECONDS,
        changed_ts=data.changed_at(row, now),
        cancellation=_cancellation(status),
        products=[{**p, "price": f"{p['price'] / 100:.6f}"} for p in row.products],
        mark_skus=[],
        parent_posting_number="",
    )
    posting = st.posting_json(cast(Any, live))
    if asked.get("financial_data"):
        posting["financial_data"] = _financial(row)
    if asked.get("analytics_data"):
        posting["analytics_data"] = {
            "delivery_type": "PVZ",
            "is_legal": False,
            "is_premium": False,
            "payment_type_group_name": "картой онлайн",
            "tpl_provider": "Ozon Логистика",
            "tpl_provider_id": 24,
            "warehouse": st.WAREHOUSE_NAME,
            "warehouse_id": st.WAREHOUSE_ID,
        }
    return posting


def _cancellation(status: str) -> dict[str, Any] | None:
    if status != st.CANCELLED:
        return None
    return {
        "cancel_reason_id": 507,
        "cancel_reason": "Покупатель отменил заказ",
        "cancellation_type": "client",
        "cancelled_after_ship": False,
        "affect_cancellation_rating": False,
        "cancellation_initiator": "Клиент",
    }


def extra_cards(conn: Connection, offer_ids: list[str], skus: list[int]) -> list[dict[str, Any]]:
    """``/v3/product/info/list`` items of the month's cards the demo catalogue lacks."""
    return [
        {
            "id": card.sku - data.EXTRA_SKU_BASE + st.PRODUCT_ID_BASE + 1_000_000,
            "offer_id": card.offer_id,
            "name": card.name,
            "barcodes": [],
            "sku": card.sku,
            "sources": [
                {"sku": card.sku, "source": "sds", "shipment_type": "SHIPMENT_TYPE_GENERAL"}
            ],
            "currency_code": "RUB",
            "is_archived": False,
        }
        for card in data.extra_cards(conn, offer_ids, skus)
    ]


def fbo_posting(row: Any, status: str, asked: dict[str, Any]) -> dict[str, Any]:
    """A v2FboPosting, as the reference's example draws it."""
    warehouse_id, warehouse = data.FBO_WAREHOUSE
    return {
        "order_id": row.order_id,
        "order_number": row.order_number,
        "posting_number": row.posting_number,
        "status": status,
        "cancel_reason_id": 507 if status == st.CANCELLED else 0,
        "created_at": st.iso(row.ordered_ts - 60),
        "in_process_at": st.iso(row.ordered_ts),
        "legal_info": {"company_name": "", "inn": "", "kpp": ""},
        "products": [
            {
                "sku": p["sku"],
                "name": p["name"],
                "quantity": p["quantity"],
                "offer_id": p["offer_id"],
                "price": f"{p['price'] / 100:.2f}",
                "is_marketplace_buyout": False,
                "digital_codes": [],
                "currency_code": "RUB",
            }
            for p in row.products
        ],
        "analytics_data": {
            "city": "",
            "delivery_type": "PVZ",
            "is_premium": False,
            "payment_type_group_name": "картой онлайн",
            "warehouse_id": warehouse_id,
            "warehouse_name": warehouse,
            "is_legal": False,
        }
        if asked.get("analytics_data")
        else None,
        "financial_data": _financial(row) if asked.get("financial_data") else None,
        "additional_data": [],
    }


def _financial(row: Any) -> dict[str, Any]:
    products = []
    for p in row.products:
        total = p["price"] * p["quantity"]
        commission = round(total * row.commission_percent / 100)
        products.append(
            {
                "commission_amount": roubles_number(commission),
                "commission_percent": row.commission_percent,
                "payout": roubles_number(total - commission),
                "product_id": p["sku"],
                "currency_code": "RUB",
                "commissions_currency_code": "RUB",
                "old_price": roubles_number(p["price"]),
                "price": roubles_number(p["price"]),
                "total_discount_value": 0,
                "total_discount_percent": 0,
                "actions": [],
                "quantity": p["quantity"],
            }
        )
    return {"cluster_from": "", "cluster_to": "", "products": products}


def operation(row: Any) -> dict[str, Any]:
    title, listed = data.OPERATIONS[row.operation_type]
    return {
        "operation_id": row.operation_id,
        "operation_type": row.operation_type,
        "operation_date": data.moscow_text(row.ts),
        "operation_type_name": title,
        "delivery_charge": 0,
        "return_delivery_charge": 0,
        "accruals_for_sale": roubles_number(row.accruals_for_sale),
        "sale_commission": roubles_number(row.sale_commission),
        "amount": roubles_number(row.amount),
        "type": listed,
        "posting": {
            "delivery_schema": row.delivery_schema,
            "order_date": data.moscow_text(row.order_ts),
            "posting_number": row.posting_number,
            "warehouse_id": row.warehouse_id,
        },
        "items": row.items,
        "services": [
            {"name": s["name"], "price": roubles_number(s["price"])} for s in row.services
        ],
    }
