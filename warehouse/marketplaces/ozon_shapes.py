"""Ozon's JSON turned into our shapes, and our data into Ozon's request parts.

Pure functions for ``warehouse.marketplaces.ozon`` (no HTTP here).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from warehouse.marketplaces.base import (
    FboRow,
    IncomingLine,
    IncomingOrder,
    ProductCard,
    RejectedError,
)
from warehouse.marketplaces.http import iso_time, whole_number

logger = logging.getLogger(__name__)

MARK_TYPE = "mandatory_mark"
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass
class StockOutcome:
    """What ``/v2/products/stocks`` answered per offer: refused (offer → code), throttled.

    Shape per Ozon's reference: ``result[{offer_id, product_id, warehouse_id, updated,
    errors[{code, message}]}]``; codes such as ``offer_id_not_found`` or
    ``product_is_not_created`` concern one product, ``WAREHOUSE_NOT_FOUND`` all of them.
    """

    failed: dict[str, str] = field(default_factory=dict)
    throttled: list[str] = field(default_factory=list)

    def read(self, result: Any) -> None:
        for item in result or []:
            offer = str(item.get("offer_id") or item.get("product_id") or "")
            for error in item.get("errors") or []:
                self._error(offer, str(error.get("code", "")), str(error.get("message", "")))
            if not item.get("updated") and not item.get("errors"):
                self.failed.setdefault(offer, "not updated")

    def _error(self, offer: str, code: str, message: str) -> None:
        if code == "TOO_MANY_REQUESTS" or "too frequently" in code.lower():
            self.throttled.append(offer)
        elif code == "WAREHOUSE_NOT_FOUND":
            raise RejectedError(f"Ozon refused the warehouse: {message}", code)
        else:
            logger.warning("ozon stock not updated offer=%s code=%s", offer, code)
            self.failed[offer] = code


def with_codes(product: dict[str, Any], codes: Sequence[str]) -> dict[str, Any]:
    """The product's full exemplar set with ``codes`` as marks, one per exemplar in order."""
    units = list(product.get("exemplars") or [])
    if len(codes) > len(units):
        raise RejectedError(
            f"{len(codes)} marking codes for {len(units)} units of SKU {product['product_id']}",
            code="TOO_MANY_CODES",
        )
    exemplars = []
    for index, unit in enumerate(units):
        marks = (
            [{"mark": codes[index], "mark_type": MARK_TYPE}]
            if index < len(codes)
            else [
                {"mark": m.get("mark", ""), "mark_type": m.get("mark_type", MARK_TYPE)}
                for m in unit.get("marks") or []
            ]
        )
        exemplars.append(
            {
                "exemplar_id": unit["exemplar_id"],
                "gtd": unit.get("gtd") or "",
                "is_gtd_absent": bool(unit.get("is_gtd_absent", True)),
                "rnpt": unit.get("rnpt") or "",
                "is_rnpt_absent": bool(unit.get("is_rnpt_absent", True)),
                "marks": marks,
            }
        )
    return {"product_id": product["product_id"], "exemplars": exemplars}


def mark_errors(check: dict[str, Any]) -> str:
    errors = {
        str(code)
        for product in check.get("products") or []
        for unit in product.get("exemplars") or []
        for mark in unit.get("marks") or []
        for code in mark.get("error_codes") or []
    }
    return ", ".join(sorted(errors)) or "no code passed"


def incoming(raw: dict[str, Any]) -> IncomingOrder:
    lines = tuple(
        IncomingLine(
            barcodes=(),  # Ozon postings carry no product barcodes
            article=str(product.get("offer_id", "")),
            quantity=int(product.get("quantity") or 0),
            external_sku=str(product.get("offer_id", "")),
            price_kopecks=kopecks(product.get("price")),
        )
        for product in raw.get("products") or []
    )
    created = parse_time(raw.get("in_process_at"))
    return IncomingOrder(
        external_id=str(raw["posting_number"]),
        status=str(raw.get("status", "")),
        created_at=created or datetime.now(UTC),
        lines=lines,
        group_id=str(raw.get("order_number", "")),
        ship_by=parse_time(raw.get("shipment_date")),
        raw=raw,
    )


def card(raw: dict[str, Any]) -> ProductCard:
    return ProductCard(
        sku=str(raw.get("offer_id", "")),
        article=str(raw.get("offer_id", "")),
        name=str(raw.get("name", "")),
        barcodes=tuple(str(code) for code in raw.get("barcodes") or ()),
        marketplace_id=str(raw.get("id", "")),
    )


def sku_keys(products: Sequence[dict[str, Any]]) -> dict[str, int]:
    """offer_id → Ozon SKU and str(SKU) → SKU, for the products of one posting."""
    found: dict[str, int] = {}
    for product in products:
        found[str(product["offer_id"])] = int(product["sku"])
        found[str(product["sku"])] = int(product["sku"])
    return found


def sku(skus: Mapping[str, int], key: str) -> int:
    try:
        return skus[str(key)]
    except KeyError:
        raise RejectedError(
            f"{key!r} is not in the posting", code="PRODUCT_NOT_IN_POSTING"
        ) from None


def codes_by_sku(
    products: Sequence[dict[str, Any]], codes: Mapping[str, Sequence[str]]
) -> dict[int, list[str]]:
    """Marking codes keyed by offer_id or SKU, re-keyed by Ozon SKU."""
    skus = sku_keys(products)
    found: dict[int, list[str]] = {}
    for key, values in codes.items():
        found.setdefault(sku(skus, key), []).extend(str(value) for value in values)
    return found


def kopecks(price: Any) -> int:
    try:
        return int((Decimal(str(price or 0)) * 100).to_integral_value())
    except InvalidOperation:
        return 0


def parse_time(value: Any) -> datetime | None:
    parsed = iso_time(_FRACTION.sub(r"\1", str(value))) if value else None
    if value and parsed is None:
        logger.warning("ozon posting with an unreadable date: %r", value)
    return parsed


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_int(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


def warehouse_id(value: str | int) -> int:
    return whole_number(value, "an Ozon warehouse id", "settings")


def fbo_row(raw: dict[str, Any]) -> FboRow:
    """A row of ``stock_on_warehouses``: free to sell, reserved (purchases, returns,
    moves between warehouses) and promised in confirmed supplies."""
    return FboRow(
        warehouse=str(raw.get("warehouse_name") or ""),
        sku=str(raw.get("item_code") or ""),
        article=str(raw.get("item_code") or ""),
        marketplace_id=str(raw.get("sku") or ""),
        available=_amount(raw.get("free_to_sell_amount")),
        reserved=_amount(raw.get("reserved_amount")),
        incoming=_amount(raw.get("promised_amount")),
    )


def _amount(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
