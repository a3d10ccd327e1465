"""Reading the Yandex Market sandbox's requests: query arguments and JSON bodies.

Everything here raises ``SandboxError`` with YM's codes (400 ``BAD_REQUEST`` and friends).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, timedelta
from typing import Any, TypeGuard

from flask import request

from warehouse.demo_catalogue import DemoProduct
from warehouse.marketplaces.sandbox import yandex_state
from warehouse.marketplaces.sandbox.yandex_db import SandboxError

ORDERS_LIMIT = 50  # larger limits are cut to 50, as the v1 search does
SHIPMENTS_LIMIT = 30  # PageLimit30
# OrderDatesFilterDTO: creation dates at most 30 days apart; the last 30 days by default.
WINDOW = timedelta(days=30)
SHIPMENT_STATUSES = frozenset(
    {
        "OUTBOUND_CREATED",
        "OUTBOUND_READY_FOR_CONFIRMATION",
        "OUTBOUND_CONFIRMED",
        "OUTBOUND_SIGNED",
        "FINISHED",
        "ACCEPTED",
        "ACCEPTED_WITH_DISCREPANCIES",
        "ERROR",
    }
)
OFFERS_LIMIT = 200
STOCKS_LIMIT = 200  # getStocks: PageLimit200
STOCK_BATCH = 2000
SEARCH_LISTS = ("statuses", "substatuses", "programTypes")


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise SandboxError(400, "BAD_REQUEST", "JSON: the body must be a JSON object")
    return data


def limit(most: int) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return most
    try:
        value = int(raw)
    except ValueError:
        raise SandboxError(400, "BAD_REQUEST", "limit must be an integer") from None
    if value < 1:
        raise SandboxError(400, "NON_POSITIVE_LIMIT", "limit must be positive")
    return min(value, most)


def page_after() -> int:
    """The row id a page starts after, from ``page_token`` (or its alias ``pageToken``)."""
    token = request.args.get("page_token") or request.args.get("pageToken")
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = data["nextId"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise SandboxError(400, "BAD_REQUEST", "Invalid page_token") from None
    if not _is_int(after) or after < 0:
        raise SandboxError(400, "BAD_REQUEST", "Invalid page_token")
    return after


def page_token(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"nextId": after}).encode()).decode()


def search_filters(data: dict[str, Any], now: float) -> dict[str, Any]:
    """The order search's filters; campaigns other than the sandbox's are forbidden."""
    filters: dict[str, Any] = {"created": creation_window(data.get("dates"), now)}
    for key in SEARCH_LISTS:
        value = data.get(key)
        if value is not None:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SandboxError(400, "BAD_REQUEST", f"{key} must be a list of strings")
            filters[key] = value
    campaigns = data.get("campaignIds") or []
    if any(campaign != yandex_state.CAMPAIGN_ID for campaign in campaigns):
        raise SandboxError(403, "FORBIDDEN", "Access denied")
    order_ids = data.get("orderIds")
    if order_ids is not None:
        if not isinstance(order_ids, list) or not all(_is_int(v) for v in order_ids):
            raise SandboxError(400, "BAD_REQUEST", "orderIds must be a list of integers")
        if len(order_ids) > ORDERS_LIMIT:
            raise SandboxError(400, "LIMIT_EXCEEDED", f"orderIds: at most {ORDERS_LIMIT}")
        filters["orderIds"] = order_ids
    if isinstance(data.get("fake"), bool):
        filters["fake"] = data["fake"]
    return filters


def creation_window(dates: Any, now: float) -> tuple[float, float]:
    """``dates.creationDateFrom`` (included) … ``creationDateTo`` (excluded) as timestamps.

    As ``OrderDatesFilterDTO`` says: the last 30 days by default, at most 30 days apart,
    and a window shorter than a day is stretched to one.
    """
    if dates is None:
        dates = {}
    if not isinstance(dates, dict):
        raise SandboxError(400, "BAD_REQUEST", "dates must be an object")
    today = datetime.fromtimestamp(now, yandex_state.MSK).date()
    end = _day(dates.get("creationDateTo"), "dates.creationDateTo") or today + timedelta(1)
    start = _day(dates.get("creationDateFrom"), "dates.creationDateFrom") or end - WINDOW
    if end - start < timedelta(days=1):
        end = start + timedelta(days=1)
    if end - start > WINDOW:
        raise SandboxError(
            400, "BAD_REQUEST", "creationDateFrom and creationDateTo are more than 30 days apart"
        )
    return _midnight(start), _midnight(end)


def shipments_query(data: dict[str, Any]) -> dict[str, Any]:
    """``SearchShipmentsRequest``: dateFrom, dateTo (required), statuses, orderIds, …"""
    day_from, day_to = _day(data.get("dateFrom"), "dateFrom"), _day(data.get("dateTo"), "dateTo")
    if day_from is None or day_to is None:
        raise SandboxError(400, "BAD_REQUEST", "dateFrom and dateTo are required")
    statuses = data.get("statuses")
    if statuses is not None and (
        not isinstance(statuses, list) or not statuses or set(statuses) - SHIPMENT_STATUSES
    ):
        raise SandboxError(400, "BAD_REQUEST", f"statuses: unknown value in {statuses!r}")
    order_ids = data.get("orderIds")
    if order_ids is not None and (
        not isinstance(order_ids, list) or not order_ids or not all(map(_is_int, order_ids))
    ):
        raise SandboxError(400, "BAD_REQUEST", "orderIds must be a non-empty list of integers")
    cancelled = data.get("cancelledOrders", True)
    if not isinstance(cancelled, bool):
        raise SandboxError(400, "BAD_REQUEST", "cancelledOrders must be a boolean")
    return {
        "dateFrom": day_from.isoformat(),
        "dateTo": day_to.isoformat(),
        "statuses": statuses,
        "orderIds": order_ids,
        "cancelledOrders": cancelled,
    }


def transfer_ids(data: dict[str, Any]) -> list[int]:
    """``TransferOrdersFromShipmentRequest.orderIds``: 1…500 distinct integers."""
    ids = data.get("orderIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 500 or not all(map(_is_int, ids)):
        raise SandboxError(400, "BAD_REQUEST", "orderIds must list 1..500 integers")
    if len(set(ids)) != len(ids):
        raise SandboxError(400, "BAD_REQUEST", "orderIds must be unique")
    return ids


def flag(name: str, default: bool) -> bool:
    """A boolean query argument (``true``/``false``)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw not in ("true", "false"):
        raise SandboxError(400, "BAD_REQUEST", f"{name} must be true or false")
    return raw == "true"


def _day(value: Any, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SandboxError(400, "BAD_REQUEST", f"{name}: not a date (YYYY-MM-DD)") from None


def _midnight(day: date) -> float:
    return datetime.combine(day, datetime.min.time(), yandex_state.MSK).timestamp()


def new_status(data: dict[str, Any]) -> tuple[str, str]:
    order = data.get("order")
    status = order.get("status") if isinstance(order, dict) else None
    substatus = order.get("substatus") if isinstance(order, dict) else None
    if not isinstance(status, str) or not isinstance(substatus, str):
        raise SandboxError(400, "BAD_REQUEST", "Missing field: order.status / order.substatus")
    return status, substatus


def label_format() -> str:
    value = request.args.get("format", "A7")
    if value not in ("A7", "A9", "A9_HORIZONTALLY", "A4"):
        raise SandboxError(400, "BAD_REQUEST", f"Invalid format: {value!r}")
    return value


def stock_levels(data: dict[str, Any]) -> dict[str, tuple[int, str]]:
    """offerId → (count, updatedAt) from ``{skus: [{sku, items: [{count, updatedAt}]}]}``."""
    skus = data.get("skus")
    if not isinstance(skus, list) or not 1 <= len(skus) <= STOCK_BATCH:
        raise SandboxError(400, "BAD_REQUEST", f"skus must list 1..{STOCK_BATCH} entries")
    levels: dict[str, tuple[int, str]] = {}
    for entry in skus:
        sku = entry.get("sku") if isinstance(entry, dict) else None
        items = entry.get("items") if isinstance(entry, dict) else None
        if not isinstance(sku, str) or not sku or not isinstance(items, list) or len(items) != 1:
            raise SandboxError(400, "BAD_REQUEST", "each entry is {sku, items: [{count}]}")
        count = items[0].get("count") if isinstance(items[0], dict) else None
        if not _is_int(count) or not 0 <= count <= 2_000_000_000:
            raise SandboxError(400, "BAD_REQUEST", f"{sku}: count must be 0..2000000000")
        levels[sku] = (count, str(items[0].get("updatedAt") or ""))
    return levels


def cart_lines(items: Any) -> list[tuple[DemoProduct, int]]:
    """``[{article, qty}]`` (control endpoint) as (product, count); one item per product."""
    if not isinstance(items, list) or not items:
        raise SandboxError(400, "BAD_REQUEST", "items must be a non-empty list")
    counts: dict[str, int] = {}
    for item in items:
        qty = item.get("qty", 1) if isinstance(item, dict) else None
        if not _is_int(qty) or not 1 <= qty <= 100:
            raise SandboxError(400, "BAD_REQUEST", "each item is {article, qty 1..100}")
        article = str(item.get("article"))
        yandex_state.product_by_offer(article)
        counts[article] = counts.get(article, 0) + qty
    return [(yandex_state.product_by_offer(article), qty) for article, qty in counts.items()]


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
