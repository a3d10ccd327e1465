"""WB's prices-and-discounts host (discounts-prices-api.wildberries.ru), nested in the WB
sandbox under ``PREFIX`` like the Content API (``wb_content``).

Shaped from WB's products OpenAPI (``02-products.yaml``, eslazarev/wildberries-sdk, 2025-12):

- ``POST /api/v2/upload/task`` ``{data: [{nmID, price?, discount?}]}`` — checked at once
  with WB's 400 texts (``Invalid data format``, ``Empty data``, the «10 000 items» text past
  1,000, ``Duplicate item Nos.``, ``Invalid item No.``, ``Price should be a whole number``,
  ``Invalid price value``, ``Invalid discount value`` (0–99), ``Price and discount not
  specified``; nothing to change: ``The specified prices and discounts are already set``,
  or with unknown nmIDs among them ``All item Nos. are specified incorrectly, or …``); the
  same upload as the last one again is 208 ``alreadyExists``. UNCONFIRMED: WB leaves unknown
  and already-set nmIDs out of a task that changes others (the sandbox does).
- The task is processed ``SANDBOX_WB_PRICE_TASK_SECONDS`` (default 1) after the upload, on
  the sandbox clock (every WB sandbox call). Until then ``history/tasks`` and
  ``history/goods/task`` answer ``data: null`` (UNCONFIRMED: the reference gives no shape
  for an upload still processing). Then task status 3/5/6, item status 2/3.
- Price Quarantine: a new discounted price 3× or more below the current one is held —
  the item gets status 3 with WB's text and keeps selling at the old price; ``GET
  /api/v2/quarantine/goods`` lists it until a later price is taken.
- ``GET`` / ``POST /api/v2/list/goods/filter`` read the prices back (``listGoods``).

Faults, auth and reset are the WB sandbox's own. ``GET /_control/prices`` dumps the price
book (``{prices: {nmID: {price, discount, history: [{uploadID, price, discount, status,
errorText, at}]}}, quarantine, tasks: [{uploadID, status, items}], cards}``);
``POST /_control/prices/tasks/<uploadID>/cancel`` has WB cancel an upload still processing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, TypeGuard

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Row, delete, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import common, wb_cards
from warehouse.marketplaces.sandbox.common import ID
from warehouse.marketplaces.sandbox.wb_db import BOOK, price_tasks, quarantine
from warehouse.marketplaces.sandbox.wb_state import TextError

PREFIX = "/prices-api"  # the host discounts-prices-api.wildberries.ru
MAX_ITEMS = 1000
PROCESSING = 1
CLAIMED = 0  # being processed, inside the processing transaction only
CANCELLED = 4
ITEM_UPDATED, ITEM_ERROR = 2, 3
# errorTexts of WB's reference (examples of upload/task and GoodHistory.errorText)
INVALID_FORMAT = "Invalid data format"
EMPTY = "Empty data"
TOO_MANY = "Upload limit exceeded: You can upload a maximum of 10 000 items"
DUPLICATES = "Duplicate item Nos."
BAD_ITEM = "Invalid item No."
NOT_WHOLE = "Price should be a whole number"
BAD_PRICE = "Invalid price value"
BAD_DISCOUNT = "Invalid discount value"
NOTHING = "Price and discount not specified"
ALREADY_SET = "The specified prices and discounts are already set"
ALL_WRONG = (
    "All item Nos. are specified incorrectly, or the specified prices and discounts are already set"
)
BAD_PARAMETERS = "Invalid request parameters"
QUARANTINED = (
    "The new price is several times lower than the current price. "
    "Item has been moved to Price Quarantine"
)


def install(bp: Blueprint) -> None:
    """The prices host's routes, the sandbox clock and the control dump on the WB blueprint
    (after ``common.install``, so the clock runs only for calls the gate let through)."""
    bp.before_request(_clock)
    for path, view, methods in (
        ("/api/v2/upload/task", upload_task, ["POST"]),
        ("/api/v2/history/tasks", history_task, ["GET"]),
        ("/api/v2/history/goods/task", history_goods, ["GET"]),
        ("/api/v2/list/goods/filter", goods_filter, ["GET", "POST"]),
        ("/api/v2/quarantine/goods", quarantine_goods, ["GET"]),
    ):
        bp.add_url_rule(f"{PREFIX}{path}", view_func=view, methods=methods)
    bp.add_url_rule("/_control/prices", view_func=control_prices, methods=["GET"])
    bp.add_url_rule(
        f"/_control/prices/tasks/<{ID}:task_id>/cancel",
        view_func=control_cancel_task,
        methods=["POST"],
    )


def _clock() -> None:
    """WB gets on with its queues: cards due are made, price uploads due processed."""
    now = time.time()
    with common.begin() as conn:
        wb_cards.make_due(conn, now)
        process_due(conn, now, _seconds("SANDBOX_WB_PRICE_TASK_SECONDS"))


# --- routes ----------------------------------------------------------------------------------


def upload_task() -> tuple[Response, int]:
    items = _upload_items(request.get_json(silent=True))
    with common.begin() as conn:
        task_id, again = upload(conn, items, time.time())
    text = "This task already exists" if again else ""
    body = {"data": {"id": task_id, "alreadyExists": again}, "error": False, "errorText": text}
    return jsonify(body), 208 if again else 200


def history_task() -> Response:
    task_id = _int_arg("uploadID")
    with common.begin() as conn:
        row = _task(conn, task_id)
    if row is None:
        return _answer(None)
    ok = sum(good["status"] == ITEM_UPDATED for good in row.goods)
    data = {
        "uploadID": row.id,
        "status": row.status,
        "uploadDate": _rfc3339(row.created_ts),
        "activationDate": _rfc3339(row.created_ts),
        "overAllGoodsNumber": len(row.goods),
        "successGoodsNumber": ok,
    }
    return _answer(data)


def history_goods() -> Response:
    task_id, limit, offset = _int_arg("uploadID"), _limit(), _offset()
    with common.begin() as conn:
        row = _task(conn, task_id)
    if row is None:
        return _answer(None)
    return _answer({"uploadID": row.id, "historyGoods": row.goods[offset : offset + limit]})


def goods_filter() -> Response:
    with common.begin() as conn:
        known = wb_cards.catalogue(conn)
        if request.method == "POST":
            wanted = _nm_list(request.get_json(silent=True))
            found = [known[nm_id] for nm_id in dict.fromkeys(wanted) if nm_id in known]
        else:
            limit, offset = _limit(), _offset()
            only = request.args.get("filterNmID")
            cards = [known[nm_id] for nm_id in sorted(known)]
            if only is not None:
                cards = [card for card in cards if str(card.nm_id) == only]
            found = cards[offset : offset + limit]
        return _answer({"listGoods": [_good(conn, card) for card in found]})


def quarantine_goods() -> Response:
    limit, offset = _limit(), _offset()
    with common.begin() as conn:
        rows = conn.execute(select(quarantine).order_by(quarantine.c.nm_id)).all()
    return _answer({"quarantineGoods": [_quarantined(row) for row in rows[offset:][:limit]]})


def control_prices() -> Response:
    with common.begin() as conn:
        tasks = conn.execute(select(price_tasks).order_by(price_tasks.c.id)).all()
        quarantined = conn.execute(select(quarantine).order_by(quarantine.c.nm_id)).all()
        return jsonify(
            {
                "prices": BOOK.dump(conn),
                "quarantine": [_quarantined(row) for row in quarantined],
                "tasks": [
                    {"uploadID": row.id, "status": row.status, "items": row.items} for row in tasks
                ],
                "cards": wb_cards.state(conn),
            }
        )


def control_cancel_task(task_id: int) -> tuple[str, int]:
    """WB cancels an upload still processing (task status 4): nothing of it is taken."""
    with common.begin() as conn:
        cancelled = conn.execute(
            update(price_tasks)
            .where(price_tasks.c.id == task_id, price_tasks.c.status == PROCESSING)
            .values(status=CANCELLED)
        )
    return "", 204 if cancelled.rowcount == 1 else 409


# --- the price book ----------------------------------------------------------------------------


def upload(conn: Connection, items: list[dict[str, int]], now: float) -> tuple[int, bool]:
    """(uploadID, True when it is the last upload again); TextError when nothing changes."""
    last = conn.execute(select(price_tasks).order_by(price_tasks.c.id.desc()).limit(1)).first()
    if last is not None and last.sent == items:
        return last.id, True
    known = wb_cards.catalogue(conn)
    changes = []
    for item in items:
        card = known.get(item["nmID"])
        if card is None:
            continue
        price, discount = current(conn, card)
        wanted = (item.get("price", price), item.get("discount", discount))
        if wanted != (price, discount):
            changes.append({"nmID": card.nm_id, "price": wanted[0], "discount": wanted[1]})
    if not changes:
        unknown = any(item["nmID"] not in known for item in items)
        raise TextError(400, ALL_WRONG if unknown else ALREADY_SET)
    created = conn.execute(
        price_tasks.insert().values(
            sent=items, items=changes, created_ts=now, status=PROCESSING, goods=[]
        )
    )
    return int(created.inserted_primary_key[0]), False


def process_due(conn: Connection, now: float, delay: float) -> None:
    """Process the uploads made ``delay`` seconds ago or earlier, each exactly once."""
    due = conn.execute(
        select(price_tasks)
        .where(price_tasks.c.status == PROCESSING, price_tasks.c.created_ts <= now - delay)
        .order_by(price_tasks.c.id)
    ).all()
    for row in due:
        claimed = conn.execute(
            update(price_tasks)
            .where(price_tasks.c.id == row.id, price_tasks.c.status == PROCESSING)
            .values(status=CLAIMED)
        )
        if claimed.rowcount != 1:
            continue
        known = wb_cards.catalogue(conn)
        goods = [_apply(conn, row.id, known[item["nmID"]], item, now) for item in row.items]
        updated = sum(good["status"] == ITEM_UPDATED for good in goods)
        status = 3 if updated == len(goods) else 6 if updated == 0 else 5
        conn.execute(
            update(price_tasks).where(price_tasks.c.id == row.id).values(status=status, goods=goods)
        )


def current(conn: Connection, card: wb_cards.Card) -> tuple[int, int]:
    """(whole roubles before the discount, discount %) WB holds for the card now."""
    held = BOOK.current(conn, str(card.nm_id))
    return (held["price"], held["discount"]) if held else (card.price, 0)


def _apply(
    conn: Connection, task_id: int, card: wb_cards.Card, item: dict[str, int], now: float
) -> dict[str, Any]:
    """One item of an upload: taken, or held in Price Quarantine at the old price."""
    old_price, old_discount = current(conn, card)
    price, discount = item["price"], item["discount"]
    held = _discounted(price, discount) * 3 <= _discounted(old_price, old_discount)
    status, text = (ITEM_ERROR, QUARANTINED) if held else (ITEM_UPDATED, "")
    key = quarantine.c.nm_id == card.nm_id
    conn.execute(delete(quarantine).where(key))
    if held:
        conn.execute(
            quarantine.insert().values(
                nm_id=card.nm_id,
                new_price=price,
                new_discount=discount,
                old_price=old_price,
                old_discount=old_discount,
            )
        )
    else:
        BOOK.set(conn, str(card.nm_id), {"price": price, "discount": discount}, now)
    entry = {"uploadID": task_id, "price": price, "discount": discount, "status": status}
    BOOK.record(conn, str(card.nm_id), {**entry, "errorText": text}, now)
    return {
        "nmID": card.nm_id,
        "vendorCode": card.vendor_code,
        "sizeID": card.chrt_id,
        "techSizeName": "",
        "price": price,
        "currencyIsoCode4217": "RUB",
        "discount": discount,
        "clubDiscount": 0,
        "status": status,
        "errorText": text,
    }


def _good(conn: Connection, card: wb_cards.Card) -> dict[str, Any]:
    """A card of ``listGoods``: one size (the sandbox prices no sizes apart)."""
    price, discount = current(conn, card)
    discounted = _number(_discounted(price, discount))
    size = {
        "sizeID": card.chrt_id,
        "price": price,
        "discountedPrice": discounted,
        "clubDiscountedPrice": discounted,
        "techSizeName": "",
    }
    return {
        "nmID": card.nm_id,
        "vendorCode": card.vendor_code,
        "sizes": [size],
        "currencyIsoCode4217": "RUB",
        "discount": discount,
        "clubDiscount": 0,
        "editableSizePrice": False,
    }


def _quarantined(row: Row[Any]) -> dict[str, Any]:
    new = _discounted(row.new_price, row.new_discount)
    old = _discounted(row.old_price, row.old_discount)
    return {
        "nmID": row.nm_id,
        "sizeID": None,
        "techSizeName": "",
        "currencyIsoCode4217": "RUB",
        "newPrice": row.new_price,
        "oldPrice": row.old_price,
        "newDiscount": row.new_discount,
        "oldDiscount": row.old_discount,
        "priceDiff": _number(new - old),
    }


def _task(conn: Connection, task_id: int) -> Row[Any] | None:
    """The upload once processed; None while processing or unknown."""
    row = conn.execute(select(price_tasks).where(price_tasks.c.id == task_id)).first()
    return row if row is not None and row.status not in (PROCESSING, CLAIMED) else None


# --- reading requests ---------------------------------------------------------------------------


def _upload_items(body: Any) -> list[dict[str, int]]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise TextError(400, INVALID_FORMAT)
    if not data:
        raise TextError(400, EMPTY)
    if len(data) > MAX_ITEMS:
        raise TextError(400, TOO_MANY)
    items = [_upload_item(entry) for entry in data]
    if len({item["nmID"] for item in items}) < len(items):
        raise TextError(400, DUPLICATES)
    return items


def _upload_item(entry: Any) -> dict[str, int]:
    if not isinstance(entry, dict):
        raise TextError(400, INVALID_FORMAT)
    nm_id, price, discount = entry.get("nmID"), entry.get("price"), entry.get("discount")
    if not _is_int(nm_id) or nm_id <= 0:
        raise TextError(400, BAD_ITEM)
    if price is None and discount is None:
        raise TextError(400, NOTHING)
    item: dict[str, int] = {"nmID": nm_id}
    if price is not None:
        if isinstance(price, float) and not price.is_integer():
            raise TextError(400, NOT_WHOLE)
        if not isinstance(price, int | float) or isinstance(price, bool) or price <= 0:
            raise TextError(400, BAD_PRICE)
        item["price"] = int(price)
    if discount is not None:
        if not _is_int(discount) or not 0 <= discount <= 99:
            raise TextError(400, BAD_DISCOUNT)
        item["discount"] = discount
    return item


def _nm_list(body: Any) -> list[int]:
    wanted = body.get("nmList") if isinstance(body, dict) else None
    if not isinstance(wanted, list) or not 1 <= len(wanted) <= MAX_ITEMS:
        raise TextError(400, BAD_PARAMETERS)
    if not all(_is_int(nm_id) for nm_id in wanted):
        raise TextError(400, BAD_PARAMETERS)
    return wanted


def _int_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not raw.isdecimal():
        raise TextError(400, BAD_PARAMETERS)
    return int(raw)


def _limit() -> int:
    limit = _int_arg("limit")
    if not 1 <= limit <= MAX_ITEMS:
        raise TextError(400, BAD_PARAMETERS)
    return limit


def _offset() -> int:
    return _int_arg("offset") if "offset" in request.args else 0


# --- small pieces --------------------------------------------------------------------------------


def _answer(data: Any) -> Response:
    return jsonify({"data": data, "error": False, "errorText": ""})


def _discounted(price: int, discount: int) -> float:
    return price * (100 - discount) / 100


def _number(value: float) -> int | float:
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def _rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _seconds(name: str) -> float:
    return float(current_app.config.get(name, 1.0))


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
