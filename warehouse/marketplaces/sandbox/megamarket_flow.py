"""The Megamarket sandbox's status machine, per lot (``itemIndex``).

``NEW`` → (``order/confirm``) ``CONFIRMED`` → (``order/packing``) ``PACKED`` →
(``order/shipping``) ``SHIPPED`` → (the buyer gets it; control endpoint) ``DELIVERED``.
``order/reject`` makes lots ``MERCHANT_CANCELED`` (subStatus ``CONFIRMATION_REJECT`` while
``NEW``, ``LATE_REJECT`` after); the buyer's cancel makes them ``CUSTOMER_CANCELED``.
Every call is all-or-nothing: a ``Refusal`` rolls the caller's transaction back.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Row, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import megamarket_requests as req
from warehouse.marketplaces.sandbox import megamarket_state as mm_state
from warehouse.marketplaces.sandbox.megamarket_db import items, shipments
from warehouse.marketplaces.sandbox.megamarket_requests import Refusal

ORDER_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LABELLED = frozenset({"PACKED", "SHIPPED", "DELIVERED"})


def confirm(conn: Connection, payload: dict[str, Any]) -> None:
    """Listed ``NEW`` lots are confirmed; ``NEW`` lots left out are rejected (as MM does)."""
    for entry in req.shipments(payload):
        row, by_index = _shipment(conn, entry)
        order_code = str(entry.get("orderCode") or row.order_code or row.shipment_id)
        if not ORDER_CODE.match(order_code):
            raise Refusal(req.CODE_INVALID, "orderCode: Latin letters, digits, _ and - only")
        listed = {_listed_lot(by_index, item, row, ("NEW",)).item_index for item in _items(entry)}
        for lot in by_index.values():
            if lot.item_index in listed:
                _set(conn, lot, "CONFIRMED", None)
            elif lot.status == "NEW":
                _set(conn, lot, "MERCHANT_CANCELED", "CONFIRMATION_REJECT")
        conn.execute(
            update(shipments).where(shipments.c.id == row.id).values(order_code=order_code)
        )


def reject(conn: Connection, payload: dict[str, Any]) -> None:
    reason = payload.get("reason")
    kind = reason.get("type") if isinstance(reason, dict) else None
    if kind not in req.REJECT_REASONS:
        raise Refusal(req.CODE_INVALID, f"reason.type must be one of {sorted(req.REJECT_REASONS)}")
    for entry in req.shipments(payload):
        row, by_index = _shipment(conn, entry)
        for item in _items(entry):
            lot = _listed_lot(by_index, item, row, ("NEW", "CONFIRMED", "PACKED"))
            sub_status = "CONFIRMATION_REJECT" if lot.status == "NEW" else "LATE_REJECT"
            _set(conn, lot, "MERCHANT_CANCELED", sub_status)


def packing(conn: Connection, payload: dict[str, Any]) -> None:
    """Lots into boxes; may come in stages, and a packed lot may be packed again."""
    for entry in req.shipments(payload):
        row, by_index = _shipment(conn, entry)
        for item in _items(entry):
            lot = _listed_lot(by_index, item, row, ("CONFIRMED", "PACKED"))
            box_index, box_code = _box(item, row.shipment_id)
            mark = item.get("digitalMark") or None
            if lot.mark_required and not mark:
                raise Refusal(
                    req.CODE_MARK_REQUIRED,
                    "digitalMark is required for this item",
                    shipment_id=row.shipment_id,
                    item_index=lot.item_index,
                )
            conn.execute(
                update(items)
                .where(items.c.id == lot.id)
                .values(status="PACKED", box_index=box_index, box_code=box_code, digital_mark=mark)
            )


def shipping(conn: Connection, payload: dict[str, Any], now: float) -> None:
    """Hand-over: every lot still active must be ``PACKED``."""
    for entry in req.shipments(payload):
        row, by_index = _shipment(conn, entry)
        active = [lot for lot in by_index.values() if lot.status not in mm_state.CANCELLED]
        waiting = [lot for lot in active if lot.status != "PACKED"]
        if not active or waiting:
            first = (waiting or list(by_index.values()))[0]
            raise _bad_status(row, first, "PACKED")
        for lot in active:
            _set(conn, lot, "SHIPPED", None)
        conn.execute(update(shipments).where(shipments.c.id == row.id).values(shipped_ts=now))


def label_boxes(conn: Connection, payload: dict[str, Any]) -> tuple[str, str, list[str]]:
    """``sticker/print``: (shipmentId, orderCode, box codes); only once the lots are packed."""
    entry = payload
    if isinstance(payload.get("shipments"), list) and payload["shipments"]:
        entry = payload["shipments"][0] if isinstance(payload["shipments"][0], dict) else {}
    row = mm_state.shipment(conn, str(entry.get("shipmentId", "")))
    lots = mm_state.lots(conn, row.id)
    codes = list(dict.fromkeys(lot.box_code for lot in lots if lot.status in LABELLED))
    if not codes:
        raise _bad_status(row, lots[0], "PACKED")
    asked = entry.get("boxCodes") or codes
    unknown = [code for code in asked if code not in codes]
    if not isinstance(asked, list) or unknown:
        raise Refusal(req.CODE_BOX, f"unknown boxCodes {unknown}", shipment_id=row.shipment_id)
    return row.shipment_id, row.order_code, [str(code) for code in asked]


def client_cancel(conn: Connection, shipment_id: str) -> None:
    """The buyer cancels every lot not yet handed over."""
    row = mm_state.shipment(conn, shipment_id)
    lots = [
        lot for lot in mm_state.lots(conn, row.id) if lot.status in ("NEW", "CONFIRMED", "PACKED")
    ]
    if not lots:
        raise Refusal(
            req.CODE_STATUS, "nothing left to cancel", shipment_id=shipment_id, http_status=409
        )
    for lot in lots:
        _set(conn, lot, "CUSTOMER_CANCELED", None)


def deliver(conn: Connection, shipment_id: str) -> None:
    """The buyer received the shipped lots."""
    row = mm_state.shipment(conn, shipment_id)
    lots = [lot for lot in mm_state.lots(conn, row.id) if lot.status == "SHIPPED"]
    if not lots:
        raise Refusal(
            req.CODE_STATUS, "the shipment is not shipped", shipment_id=shipment_id, http_status=409
        )
    for lot in lots:
        _set(conn, lot, "DELIVERED", None)


# --- helpers ---------------------------------------------------------------------------


def _shipment(conn: Connection, entry: dict[str, Any]) -> tuple[Row[Any], dict[int, Row[Any]]]:
    row = mm_state.shipment(conn, str(entry["shipmentId"]))
    return row, {lot.item_index: lot for lot in mm_state.lots(conn, row.id)}


def _items(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return req.entry_items(entry)


def _listed_lot(
    by_index: dict[int, Row[Any]], item: dict[str, Any], row: Row[Any], allowed: tuple[str, ...]
) -> Row[Any]:
    index = req.item_index(item, row.shipment_id)
    lot = by_index.get(index)
    if lot is None:
        raise Refusal(
            req.CODE_ITEM_NOT_FOUND,
            f"item {index} not found",
            shipment_id=row.shipment_id,
            item_index=index,
        )
    if lot.status not in allowed:
        raise _bad_status(row, lot, "/".join(allowed))
    return lot


def _box(item: dict[str, Any], shipment_id: str) -> tuple[int, str]:
    boxes = item.get("boxes")
    box = boxes[0] if isinstance(boxes, list) and len(boxes) == 1 else None
    index = box.get("boxIndex") if isinstance(box, dict) else None
    if not isinstance(index, int) or isinstance(index, bool) or index < 1:
        raise Refusal(req.CODE_INVALID, "each item needs boxes: [{boxIndex, boxCode}]")
    expected = f"{mm_state.MERCHANT_ID}*{shipment_id}*{index}"
    if box is None or box.get("boxCode") != expected:
        raise Refusal(req.CODE_BOX, f"boxCode must be {expected}", shipment_id=shipment_id)
    if item.get("quantity", 1) != 1:
        raise Refusal(req.CODE_INVALID, "quantity is always 1", shipment_id=shipment_id)
    return index, expected


def _bad_status(row: Row[Any], lot: Row[Any], wanted: str) -> Refusal:
    return Refusal(
        req.CODE_STATUS,
        f"item {lot.item_index} is {lot.status}, expected {wanted}",
        shipment_id=row.shipment_id,
        item_index=lot.item_index,
    )


def _set(conn: Connection, lot: Row[Any], status: str, sub_status: str | None) -> None:
    conn.execute(
        update(items).where(items.c.id == lot.id).values(status=status, sub_status=sub_status)
    )
