"""The Ozon sandbox's prices and archive, added to its blueprint.

Shaped from Ozon's Seller API swagger (salacoste/ozon-daytona-seller-api, 2025-09):

- ``POST /v1/product/import/prices`` ``{prices: [...≤1000]}``: roubles as strings (two
  decimals at most; else the call is refused, 400). Answers 200 with a result per product;
  the per-product errors are the reference's table: ``NOT_FOUND_ERROR``,
  ``price_negative``, ``invalid_category_price`` (here: a zero price), the minimal gap
  between price and ``old_price`` (``discount_for_low_price_is_too_small`` under 400 ₽:
  more than 20 ₽; ``…average…`` 400–10,000 ₽: more than 5 % of the old price; ``…top…``
  above: more than 500 ₽), ``discount_too_big`` (90 % or more) and
  ``action_price_enabled_min_price_missing``. A product's price changes at most 10 times
  an hour; the 11th gets ``TOO_MANY_REQUESTS`` (UNCONFIRMED: the reference names no code
  for it; this is the one it gives the same limit of ``/v2/products/stocks``).
  ``currency_code`` other than the cabinet's RUB refuses the call (UNCONFIRMED shape).
- ``POST /v5/product/info/prices``: numbers, ``cursor`` paging (the sandbox's cursor is
  an offset; "" on the last page).
- ``POST /v1/product/archive`` / ``unarchive`` ``{product_id: [...≤100]}`` → ``{result:
  true}``; an unknown product refuses the call (404, UNCONFIRMED). The daily limit on
  unarchiving auto-archived products does not apply: nothing is archived automatically here.

``GET /_control/prices`` → ``{prices: {offer_id: {price, old_price, min_price,
currency_code, auto_action_enabled, history: [{sent, updated, errors, at}]}}, archived:
[{offer_id, product_id}]}`` (numbers in roubles).
"""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import common
from warehouse.marketplaces.sandbox import ozon_requests as req
from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_db import ARCHIVE, BOOK
from warehouse.marketplaces.sandbox.ozon_state import OzonError

MAX_PRICES, MAX_READ, MAX_ARCHIVE = 1000, 1000, 100
CHANGES_PER_HOUR = 10
HOUR = 3600.0
AUTO_ACTIONS = ("UNKNOWN", "ENABLED", "DISABLED")
VISIBILITY = ("ALL", "VISIBLE", "INVISIBLE", "IN_SALE", "ARCHIVED")
# (code, message) per product, from the reference's «Частые ошибки» of import/prices
NOT_FOUND = ("NOT_FOUND_ERROR", "Товара с таким идентификатором нет в личном кабинете.")
NEGATIVE = ("price_negative", "Попытка установить отрицательную цену.")
OUT_OF_RANGE = (
    "invalid_category_price",
    "Попытка установить слишком высокую или слишком низкую цену на товар.",
)
LOW_GAP = (
    "discount_for_low_price_is_too_small",
    "Слишком маленькая скидка. Если цена после скидки ниже 400 рублей включительно, разница "
    "между ценами до и после скидки должна быть больше 20 рублей.",
)
AVERAGE_GAP = (
    "discount_for_average_price_is_too_small",
    "Слишком маленькая скидка. Если цена после скидки от 400 до 10 000 рублей включительно, "
    "разница между ценами до и после скидки должна быть больше 5%.",
)
TOP_GAP = (
    "discount_for_top_price_is_too_small",
    "Слишком маленькая скидка. Если цена после скидки выше 10 000 рублей, разница между "
    "ценами до и после скидки должна быть больше 500 рублей.",
)
TOO_BIG = (
    "discount_too_big",
    "Слишком большая скидка. Разница между ценами до и после скидки должна быть менее 90%.",
)
MIN_PRICE_MISSING = (
    "action_price_enabled_min_price_missing",
    "Set min_price to enable auto actions",  # UNCONFIRMED message
)
TOO_OFTEN = ("TOO_MANY_REQUESTS", "Цену каждого товара можно обновлять не больше 10 раз в час")


def register(bp: Blueprint) -> None:
    """Add the price and archive endpoints to the Ozon sandbox blueprint."""
    for path, view in (
        ("/v1/product/import/prices", import_prices),
        ("/v5/product/info/prices", info_prices),
        ("/v1/product/archive", archive),
        ("/v1/product/unarchive", unarchive),
    ):
        bp.add_url_rule(path, view_func=view, methods=["POST"])
    bp.add_url_rule("/_control/prices", view_func=control_prices, methods=["GET"])


def import_prices() -> Response:
    entries = _price_entries(req.body())
    now = time.time()
    with common.begin() as conn:
        result = [_import_one(conn, entry, now) for entry in entries]
    return jsonify({"result": result})


def info_prices() -> Response:
    data = req.body()
    flt = data.get("filter")
    limit, cursor = data.get("limit"), str(data.get("cursor") or "")
    if not isinstance(flt, dict) or not req.is_int(limit) or not 1 <= limit <= MAX_READ:
        raise OzonError(400, "filter and limit (1..1000) are required")
    offers = [str(value) for value in _listed(flt, "offer_id")]
    products = [str(value) for value in _listed(flt, "product_id")]
    visibility = flt.get("visibility", "ALL")
    if visibility not in VISIBILITY or not (cursor == "" or cursor.isdecimal()):
        raise OzonError(400, "invalid visibility or cursor")
    start = int(cursor or 0)
    with common.begin() as conn:
        archived = set(ARCHIVE.keys(conn))
        found = [
            item
            for item in st.ITEMS
            if (not offers or item.product.article in offers)
            and (not products or str(item.product_id) in products)
            and _visible(item.product.article in archived, visibility)
        ]
        page = [_price_json(conn, item) for item in found[start : start + limit]]
    following = start + limit
    return jsonify(
        {
            "items": page,
            "cursor": str(following) if following < len(found) else "",
            "total": len(found),
        }
    )


def archive() -> Response:
    items = _archive_items(req.body())
    with common.begin() as conn:
        ARCHIVE.hide(conn, [item.product.article for item in items], time.time())
    return jsonify({"result": True})


def unarchive() -> Response:
    items = _archive_items(req.body())
    with common.begin() as conn:
        ARCHIVE.show(conn, [item.product.article for item in items])
    return jsonify({"result": True})


def control_prices() -> Response:
    with common.begin() as conn:
        archived = set(ARCHIVE.keys(conn))
        return jsonify(
            {
                "prices": BOOK.dump(conn),
                "archived": [
                    {"offer_id": item.product.article, "product_id": item.product_id}
                    for item in st.ITEMS
                    if item.product.article in archived
                ],
            }
        )


# --- the price book ----------------------------------------------------------------------------


def current(conn: Connection, item: st.Item) -> dict[str, Any]:
    """Ozon's price fields of the product now (roubles as numbers)."""
    held = BOOK.current(conn, item.product.article)
    return held or {
        "price": item.product.price_kopecks / 100,
        "old_price": 0,
        "min_price": 0,
        "currency_code": "RUB",
        "auto_action_enabled": False,
    }


def _import_one(conn: Connection, entry: dict[str, Any], now: float) -> dict[str, Any]:
    item = _item(entry)
    result: dict[str, Any] = {
        "product_id": item.product_id if item else _product_id(entry),
        "offer_id": item.product.article if item else str(entry.get("offer_id") or ""),
        "updated": False,
        "errors": [],
    }
    if item is None:
        result["errors"] = [{"code": NOT_FOUND[0], "message": NOT_FOUND[1]}]
        return result
    held = current(conn, item)
    wanted = {
        "price": float(entry["price"]),
        "old_price": float(entry.get("old_price", held["old_price"])),
        "min_price": float(entry.get("min_price", held["min_price"])),
        "currency_code": "RUB",
        "auto_action_enabled": _auto_action(entry, held),
    }
    refused = _refusal(wanted, entry) or _too_often(conn, item, now)
    if refused is not None:
        result["errors"] = [{"code": refused[0], "message": refused[1]}]
    else:
        BOOK.set(conn, item.product.article, wanted, now)
        result["updated"] = True
    sent = {key: value for key, value in entry.items() if key != "offer_id"}
    log = {"sent": sent, "updated": result["updated"], "errors": result["errors"]}
    BOOK.record(conn, item.product.article, log, now)
    return result


def _refusal(wanted: dict[str, Any], entry: dict[str, Any]) -> tuple[str, str] | None:
    price, old = wanted["price"], wanted["old_price"]
    if min(price, old, wanted["min_price"]) < 0:
        return NEGATIVE
    if price == 0:
        return OUT_OF_RANGE
    if entry.get("auto_action_enabled") == "ENABLED" and not wanted["min_price"]:
        return MIN_PRICE_MISSING
    if old == 0:
        return None
    gap = old - price
    if gap >= old * 0.9:
        return TOO_BIG
    if price < 400:
        return LOW_GAP if gap <= 20 else None
    if price <= 10_000:
        return AVERAGE_GAP if gap <= old * 0.05 else None
    return TOP_GAP if gap <= 500 else None


def _too_often(conn: Connection, item: st.Item, now: float) -> tuple[str, str] | None:
    recent = BOOK.arrived(conn, now - HOUR, item.product.article)
    return TOO_OFTEN if sum(entry["updated"] for entry in recent) >= CHANGES_PER_HOUR else None


def _auto_action(entry: dict[str, Any], held: dict[str, Any]) -> bool:
    asked = entry.get("auto_action_enabled", "UNKNOWN")
    return bool(held["auto_action_enabled"]) if asked == "UNKNOWN" else asked == "ENABLED"


def _price_json(conn: Connection, item: st.Item) -> dict[str, Any]:
    held = current(conn, item)
    price = {
        "auto_action_enabled": held["auto_action_enabled"],
        "auto_add_to_ozon_actions_list_enabled": False,
        "currency_code": held["currency_code"],
        "marketing_price": held["price"],
        "marketing_seller_price": held["price"],
        "min_price": held["min_price"],
        "net_price": 0,
        "old_price": held["old_price"],
        "price": held["price"],
        "retail_price": 0,
        "vat": 0.2,
    }
    return {
        "acquiring": 0,
        "offer_id": item.product.article,
        "product_id": item.product_id,
        "price": price,
        "price_indexes": {"color_index": "WITHOUT_INDEX"},
        "volume_weight": 0,
    }


def _visible(archived: bool, visibility: str) -> bool:
    """ARCHIVED: only archived products; VISIBLE / IN_SALE: none of them; otherwise every one."""
    if visibility == "ARCHIVED":
        return archived
    return not archived if visibility in ("VISIBLE", "IN_SALE") else True


# --- reading requests ---------------------------------------------------------------------------


def _price_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    entries = data.get("prices")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_PRICES:
        raise OzonError(400, "prices must list 1..1000 items")
    for entry in entries:
        if not isinstance(entry, dict) or not (entry.get("offer_id") or entry.get("product_id")):
            raise OzonError(400, "each price needs offer_id or product_id")
        for key in ("price", "old_price", "min_price"):
            if key in entry or key == "price":
                _check_roubles(entry.get(key), key)
        if entry.get("currency_code", "RUB") != "RUB":
            raise OzonError(400, "currency_code must be the cabinet's currency RUB")
        if entry.get("auto_action_enabled", "UNKNOWN") not in AUTO_ACTIONS:
            raise OzonError(400, "auto_action_enabled must be UNKNOWN, ENABLED or DISABLED")
    return entries


def _check_roubles(value: Any, key: str) -> None:
    """A price string: roubles with the point as separator, up to two decimals."""
    try:
        amount = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        amount = None
    exponent = amount.as_tuple().exponent if amount is not None else None
    if not isinstance(exponent, int) or exponent < -2:
        raise OzonError(400, f"invalid {key}: roubles as a string, up to two decimals")


def _archive_items(data: dict[str, Any]) -> list[st.Item]:
    ids = data.get("product_id")
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_ARCHIVE:
        raise OzonError(400, "product_id must list 1..100 ids")
    by_id = {str(item.product_id): item for item in st.ITEMS}
    unknown = [value for value in ids if str(value) not in by_id]
    if unknown:
        raise OzonError(404, f"products not found: {unknown}", code=5)
    return [by_id[str(value)] for value in ids]


def _item(entry: dict[str, Any]) -> st.Item | None:
    """``offer_id`` wins over ``product_id`` when both are sent, as at Ozon."""
    for item in st.ITEMS:
        if entry.get("offer_id"):
            if item.product.article == str(entry["offer_id"]):
                return item
        elif str(item.product_id) == str(entry.get("product_id")):
            return item
    return None


def _product_id(entry: dict[str, Any]) -> int:
    value = str(entry.get("product_id") or "0")
    return int(value) if value.isdecimal() else 0


def _listed(flt: dict[str, Any], key: str) -> list[Any]:
    values = flt.get(key) or []
    if not isinstance(values, list) or len(values) > MAX_READ:
        raise OzonError(400, f"filter.{key} must list at most 1000 values")
    return values
