"""Reading the Yandex Market sandbox's sales: the statistics orders, report lines, totals.

The rows are made by ``yandex_sales``; here they are answered in YM's shapes
(``OrdersStatsOrderDTO``) and added up for ``GET /_control/realization``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from warehouse.marketplaces import money
from warehouse.marketplaces.sandbox.yandex_sales import lines, stats
from warehouse.marketplaces.sandbox.yandex_sales_rows import (
    FBS_WAREHOUSE,
    FBY_WAREHOUSE,
    SHOPS,
    day_of,
    naive,
)
from warehouse.marketplaces.sandbox.yandex_state import FBY_CAMPAIGN_ID, MSK

# --- the statistics answer -----------------------------------------------------------------


def stats_json(row: Any) -> dict[str, Any]:
    """``OrdersStatsOrderDTO`` of a stored order."""
    fby = row.campaign_id == FBY_CAMPAIGN_ID
    items = [_stats_item_json(item, fby, row) for item in row.items]
    total = sum(item["price"] * item["count"] for item in row.items)
    payments = [_payment("PAYMENT", total, row.created_ts)]
    if row.status == "RETURNED":
        payments.append(_payment("REFUND", total, row.status_ts))
    return {
        "id": row.id,
        "creationDate": day_of(row.created_ts),
        "statusUpdateDate": naive(row.status_ts),
        "status": row.status,
        "partnerOrderId": "",
        "paymentType": "PREPAID",
        "fake": False,
        "deliveryRegion": {"id": 213, "name": "Москва"},
        "items": items,
        "payments": payments,
        "commissions": [
            {"type": kind, "actual": money.roubles_number(value)}
            for kind, value in row.fees.items()
        ],
        "currency": "RUR",
    }


def _stats_item_json(item: dict[str, Any], fby: bool, row: Any) -> dict[str, Any]:
    unit = money.roubles_number(item["price"])
    found: dict[str, Any] = {
        "offerName": item["offerName"],
        "marketSku": item["marketSku"],
        "shopSku": item["shopSku"],
        "count": item["count"],
        "prices": [
            {
                "type": "BUYER",
                "costPerItem": unit,
                "total": money.roubles_number(item["price"] * item["count"]),
            }
        ],
        "warehouse": FBY_WAREHOUSE if fby else FBS_WAREHOUSE,
    }
    if item["returned"]:
        detail: dict[str, Any] = {"itemStatus": "RETURNED", "itemCount": item["returned"]}
        if fby:
            detail.update(updateDate=day_of(row.status_ts), stockType="FIT")
        found["details"] = [detail]
    return found


def _payment(kind: str, total: int, moment: float) -> dict[str, Any]:
    return {
        "id": f"{kind.lower()}-{int(moment)}",
        "date": day_of(moment),
        "type": kind,
        "source": "BUYER",
        "total": money.roubles_number(total),
    }


# --- the sandbox's own totals ------------------------------------------------------------------


def totals(conn: Connection, first: date, last: date) -> dict[str, int]:
    """Its realization lines dated ``first``..``last``, added up with RealizationRow's signs."""

    def total(value: Any) -> Any:
        return func.coalesce(func.sum(value), 0)

    found = conn.execute(
        select(
            func.count(),
            total(case((lines.c.kind == "sale", lines.c.amount), else_=0)),
            total(case((lines.c.kind == "return", lines.c.amount), else_=0)),
            total(lines.c.commission),
            total(lines.c.logistics),
            total(lines.c.other),
        ).where(
            lines.c.kind != "", lines.c.day >= first.isoformat(), lines.c.day <= last.isoformat()
        )
    ).one()
    count, sold, returned, commission, logistics, other = (int(value) for value in found)
    return {
        "rows": count,
        "sale_amount": sold,
        "return_amount": returned,
        "commission": commission,
        "logistics": logistics,
        "other": other,
        "payout": sold + returned - commission - logistics - other,
    }


# --- reading stored lines ----------------------------------------------------------------------


def report_lines(
    conn: Connection, report: str, first: date, last: date, campaigns: set[int], models: set[str]
) -> list[tuple[str, dict[str, Any]]]:
    """(sheet, row) of a report's lines dated ``first``..``last`` in those shops and models
    (none named: all), in the order they were made."""
    query = select(lines.c.sheet, lines.c.row, lines.c.campaign_id).where(
        lines.c.report == report,
        lines.c.day >= first.isoformat(),
        lines.c.day <= last.isoformat(),
    )
    found = []
    for sheet, row, campaign in conn.execute(query.order_by(lines.c.n)):
        if campaigns and campaign not in campaigns:
            continue
        if models and SHOPS[campaign][0] not in models:
            continue
        found.append((sheet, row))
    return found


def stats_page(
    conn: Connection,
    campaign: int,
    window: tuple[str, date, date] | None,
    orders: set[int],
    after: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the shop's statistics orders by id: those created (``"created"``) or
    changed (``"updated"``) within the window's Moscow dates; the last id when more follow."""
    query = select(stats).where(stats.c.campaign_id == campaign, stats.c.id > after)
    page: list[dict[str, Any]] = []
    for row in conn.execute(query.order_by(stats.c.id)):
        if orders and row.id not in orders:
            continue
        if window is not None and not _in_window(row, window):
            continue
        if len(page) == limit:
            return page, page[-1]["id"]
        page.append(stats_json(row))
    return page, None


def _in_window(row: Any, window: tuple[str, date, date]) -> bool:
    by, first, last = window
    moments = [row.created_ts] if by == "created" else row.events
    return any(first <= datetime.fromtimestamp(ts, MSK).date() <= last for ts in moments)
