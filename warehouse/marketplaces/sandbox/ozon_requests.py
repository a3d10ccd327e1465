"""Reading the Ozon sandbox's JSON bodies, checked as Ozon does (400, rpcStatus code 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeGuard

from flask import request

from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_state import OzonError


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise OzonError(400, "Invalid request payload: the body must be a JSON object")
    return data


def page(data: dict[str, Any], most: int = 1000) -> tuple[int, int]:
    limit, offset = data.get("limit"), data.get("offset", 0)
    if not is_int(limit) or not 1 <= limit <= most:
        raise OzonError(400, f"limit must be 1..{most}")
    if not is_int(offset) or offset < 0:
        raise OzonError(400, "offset must be a non-negative integer")
    return limit, offset


def window(data: dict[str, Any], start: str, end: str, *, required: bool = True) -> tuple | None:
    """(from, to) timestamps of two RFC 3339 fields of ``data``, or None if both are absent."""
    if data.get(start) is None and data.get(end) is None and not required:
        return None
    return _time(data.get(start), start), _time(data.get(end), end)


def _time(value: Any, name: str) -> float:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise OzonError(400, f"{name} must be an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        raise OzonError(400, f"{name} must carry a time zone (UTC)")
    return parsed.timestamp()


def status_filter(data: dict[str, Any]) -> str | None:
    status = data.get("status") or None
    if status is not None and not isinstance(status, str):
        raise OzonError(400, "filter.status must be a string")
    return status


def posting_number(data: dict[str, Any]) -> str:
    value = data.get("posting_number")
    if not isinstance(value, str) or not value:
        raise OzonError(400, "posting_number is required")
    return value


def posting_numbers(data: dict[str, Any], most: int) -> list[str]:
    value = data.get("posting_number")
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        raise OzonError(400, f"posting_number must list 1..{most} postings")
    if not all(isinstance(item, str) and item for item in value):
        raise OzonError(400, "posting_number must hold strings")
    return list(dict.fromkeys(value))


def packages(data: dict[str, Any]) -> list[list[tuple[int, int]]]:
    """``packages[].products[{product_id (Ozon SKU), quantity}]``."""
    value = data.get("packages")
    if not isinstance(value, list) or not value:
        raise OzonError(400, "packages must be a non-empty list")
    found = []
    for package in value:
        products = package.get("products") if isinstance(package, dict) else None
        if not isinstance(products, list):
            raise OzonError(400, "each package needs products")
        found.append([_sku_quantity(product) for product in products])
    return found


def _sku_quantity(product: Any) -> tuple[int, int]:
    sku = product.get("product_id") if isinstance(product, dict) else None
    quantity = product.get("quantity") if isinstance(product, dict) else None
    if not is_int(sku) or not is_int(quantity) or quantity < 1:
        raise OzonError(400, "each product is {product_id: Ozon SKU, quantity >= 1}")
    return sku, quantity


def exemplar_products(data: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """``products[{product_id, exemplars[...]}]`` as sku → exemplars."""
    value = data.get("products")
    if not isinstance(value, list) or not value:
        raise OzonError(400, "products must be a non-empty list")
    found: dict[int, list[dict[str, Any]]] = {}
    for product in value:
        sku = product.get("product_id") if isinstance(product, dict) else None
        exemplars = product.get("exemplars") if isinstance(product, dict) else None
        if not is_int(sku) or not isinstance(exemplars, list):
            raise OzonError(400, "each product is {product_id, exemplars[]}")
        found[sku] = [unit for unit in exemplars if isinstance(unit, dict)]
    return found


def string_list(data: dict[str, Any], key: str, most: int) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        raise OzonError(400, f"{key} must list 1..{most} strings")
    if not all(isinstance(item, str) and item for item in value):
        raise OzonError(400, f"{key} must hold strings")
    return list(dict.fromkeys(value))


def cancel_reason(data: dict[str, Any]) -> int:
    value = data.get("cancel_reason_id")
    if not is_int(value):
        raise OzonError(400, "cancel_reason_id must be an integer")
    return value


def cancel_items(data: dict[str, Any]) -> list[tuple[int, int]]:
    """``items[{sku, quantity}]`` of ``/v2/posting/fbs/product/cancel``."""
    value = data.get("items")
    if not isinstance(value, list) or not value:
        raise OzonError(400, "items must be a non-empty list")
    found = []
    for item in value:
        sku = item.get("sku") if isinstance(item, dict) else None
        quantity = item.get("quantity") if isinstance(item, dict) else None
        if not is_int(sku) or not is_int(quantity) or quantity < 1:
            raise OzonError(400, "each item is {sku, quantity >= 1}")
        found.append((sku, quantity))
    return found


def stock_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    value = data.get("stocks")
    if not isinstance(value, list) or not 1 <= len(value) <= 100:
        raise OzonError(400, "stocks must list 1..100 items")
    for entry in value:
        if not isinstance(entry, dict) or not (entry.get("offer_id") or entry.get("product_id")):
            raise OzonError(400, "each stock needs offer_id or product_id")
        if not is_int(entry.get("stock")) or entry["stock"] < 0:
            raise OzonError(400, "stock must be a non-negative integer")
        if not is_int(entry.get("warehouse_id")):
            raise OzonError(400, "warehouse_id must be an integer")
    return value


def cart_lines(items: Any) -> list[tuple[st.Item, int, bool]]:
    """``[{article, qty, marked?}]`` of the control endpoint."""
    if not isinstance(items, list) or not items:
        raise OzonError(400, "items must be a non-empty list")
    lines = []
    for item in items:
        qty = item.get("qty", 1) if isinstance(item, dict) else None
        if not is_int(qty) or not 1 <= qty <= 100:
            raise OzonError(400, "each item is {article, qty 1..100, marked?}")
        lines.append((st.item_by_article(str(item.get("article"))), qty, bool(item.get("marked"))))
    return lines


def id_list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise OzonError(400, f"{key} must be a list")
    return value


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
