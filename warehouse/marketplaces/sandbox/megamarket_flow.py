"""The Megamarket sandbox's status machine, per lot (``itemIndex``).

``NEW`` → (``order/confirm``) ``CONFIRMED`` → (``order/packing``) ``PACKED`` →
(``order/shipping``) ``SHIPPED`` → (the buyer gets it: ``DELIVER_AFTER`` later on the sandbox
clock, or a control endpoint) ``DELIVERED``. Expiries, ``PENDING_*`` and sub-statuses come on
demand through ``set_status``.
``order/reject`` makes lots ``MERCHANT_CANCELED`` (subStatus ``CONFIRMATION_REJECT`` while
``NEW``, ``LATE_REJECT`` after); the buyer's cancel makes them ``CUSTOMER_CANCELED``.
Every call is all-or-nothing: a ``Refusal`` rolls the caller's transaction back.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import megamarket_requests as req
from warehouse.marketplaces.sandbox import megamarket_state as mm_state
from warehouse.marketplaces.sandbox.megamarket_db import items, shipments
from warehouse.marketplaces.sandbox.megamarket_requests import Refusal

ORDER_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
STATUSES = frozenset(
    {
        "NEW",
        "CONFIRMED",
        "PACKED",
        "SHIPPED",
        "DELIVERED",
        "MERCHANT_CANCELED",
        "CUSTOMER_CANCELED",
        "PACKING_EXPIRED",
        "SHIPPING_EXPIRED",
        "PENDING_CONFIRMATION",
        "PENDING_PACKING",
        "PENDING_SHIPPING",
    }
)
SUB_STATUSES = frozenset(
    {"LATE_REJECT", "CONFIRMATION_REJECT", "CONFIRMATION_EXPIRED", "PACKING_EXPIRED"}
)
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
    """Hand-over: every live lot ``PACKED``, every box named with its code, a shipping date.

    Body (fact sheet §4.2): ``shipments: [{shipmentId, boxes: [{boxIndex, boxCode}],
    shipping: {shippingDate, shippingPoint?}}]``; ``shippingPoint`` is an integer or absent.
    """
    for entry in req.shipments(payload):
        row, by_index = _shipment(conn, entry)
        _shipping_part(entry.get("shipping"), row.shipment_id)
        active = [lot for lot in by_index.values() if lot.status not in mm_state.CANCELLED]
        waiting = [lot for lot in active if lot.status != "PACKED"]
        if not active or waiting:
            first = (waiting or list(by_index.values()))[0]
            raise _bad_status(row, first, "PACKED")
        _check_boxes(entry.get("boxes"), active, row.shipment_id)
        for lot in active:
            _set(conn, lot, "SHIPPED", None)
        said = str(entry["shipping"]["shippingDate"])
        conn.execute(
            update(shipments)
            .where(shipments.c.id == row.id)
            .values(shipped_ts=now, shipping_date=said)
        )


def _shipping_part(shipping: Any, shipment_id: str) -> None:
    if not isinstance(shipping, dict):
        raise Refusal(
            req.CODE_INVALID, "shipping: {shippingDate} is required", shipment_id=shipment_id
        )
    req.moment(shipping, "shippingDate")
    point = shipping.get("shippingPoint")
    if "shippingPoint" in shipping and (not isinstance(point, int) or isinstance(point, bool)):
        raise Refusal(req.CODE_INVALID, "shippingPoint must be an integer", shipment_id=shipment_id)


def _check_boxes(boxes: Any, lots: list[Row[Any]], shipment_id: str) -> None:
    """The boxes sent are exactly the boxes the lots were packed in, with their codes."""
    if not isinstance(boxes, list) or not all(isinstance(box, dict) for box in boxes):
        raise Refusal(
            req.CODE_INVALID, "boxes: [{boxIndex, boxCode}] is required", shipment_id=shipment_id
        )
    sent = {box.get("boxIndex"): box.get("boxCode") for box in boxes}
    packed = {lot.box_index: lot.box_code for lot in lots}
    if sent != packed:
        wrong = sorted(str(code) for code in set(sent.values()) ^ set(packed.values()))
        raise Refusal(
            req.CODE_BOX, f"boxes do not match the packed boxes: {wrong}", shipment_id=shipment_id
        )


def deliver_due(conn: Connection, now: float) -> None:
    """The sandbox clock: shipped lots reach the buyer ``DELIVER_AFTER`` after shipping."""
    due = select(shipments.c.id).where(
        shipments.c.shipped_ts <= now - mm_state.DELIVER_AFTER.total_seconds()
    )
    conn.execute(
        update(items)
        .where(items.c.shipment_pk.in_(due), items.c.status == "SHIPPED")
        .values(status="DELIVERED", sub_status=None)
    )


def backdate_shipping(conn: Connection, shipment_id: str, shipped_ts: float) -> None:
    row = mm_state.shipment(conn, shipment_id)
    if row.shipped_ts is None:
        raise Refusal(req.CODE_STATUS, "the shipment is not shipped", http_status=409)
    conn.execute(update(shipments).where(shipments.c.id == row.id).values(shipped_ts=shipped_ts))


def set_status(conn: Connection, shipment_id: str, body: dict[str, Any]) -> None:
    """``_control``: put lots (all, or ``itemIndexes``) into any state MM has, on demand."""
    status, sub_status = body.get("status"), body.get("subStatus")
    if status not in STATUSES or (sub_status is not None and sub_status not in SUB_STATUSES):
        raise Refusal(
            req.CODE_INVALID, f"status must be one of {sorted(STATUSES)}", http_status=400
        )
    row = mm_state.shipment(conn, shipment_id)
    wanted = {str(index) for index in body.get("itemIndexes") or []}
    for lot in mm_state.lots(conn, row.id):
        if not wanted or str(lot.item_index) in wanted:
            _set(conn, lot, status, sub_status)


def label_boxes(conn: Connection, payload: dict[str, Any]) -> tuple[str, str, list[str]]:
    """``sticker/print``: (shipmentId, orderCode, box codes); only once the lots are packed.

    Body as the C# client of the fact sheet (§4.2) sends it: ``shipments: [{shipmentId,
    boxCodes, items: [{itemIndex, quantity, boxes: [{boxIndex, boxCode}]}]}]``.
    """
    [entry] = req.shipments(payload, most=1)
    row = mm_state.shipment(conn, str(entry["shipmentId"]))
    lots = mm_state.lots(conn, row.id)
    codes = list(dict.fromkeys(lot.box_code for lot in lots if lot.status in LABELLED))
    if not codes:
        raise _bad_status(row, lots[0], "PACKED")
    asked = entry.get("boxCodes") or codes
    unknown = [code for code in asked if code not in codes]
    if not isinstance(asked, list) or unknown:
        raise Refusal(req.CODE_BOX, f"unknown boxCodes {unknown}", shipment_id=row.shipment_id)
    by_index = {lot.item_index: lot for lot in lots}
    for item in req.entry_items(entry):
        lot = _listed_lot(by_index, item, row, tuple(LABELLED))
        if _box(item, row.shipment_id) != (lot.box_index, lot.box_code):
            raise Refusal(
                req.CODE_BOX,
                "the item's box is not where it was packed",
                shipment_id=row.shipment_id,
                item_index=lot.item_index,
            )
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
