"""First-mile shipments in the Yandex Market sandbox, as the reference describes them.

Shapes: ``ShipmentInfoDTO`` (search) and ``ShipmentDTO`` (one shipment, with
``currentStatus`` and ``availableActions``) of yandex-market/yandex-market-partner-api
``openapi/components/schemas``; statuses from ``ShipmentStatusType``, refusals from
``ApiErrorCodeType`` (``CUTOFF_NOT_REACHED``, ``ALREADY_CONFIRMED``, ``NO_ORDERS``).

The Market gathers every order of one shipment date into one shipment. The sandbox says
it is formed (``OUTBOUND_READY_FOR_CONFIRMATION``) once none of its live orders is still
being assembled — before that, confirming is refused as the Market refuses it before the
cutoff. Confirming freezes the orders ready to ship; the pickup (``accept``, by a control
call or the sandbox clock) moves them into delivery.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import yandex_state
from warehouse.marketplaces.sandbox.yandex_db import SandboxError, orders, shipments

SHIPMENT_BASE = 7_100_000  # shipment id = SHIPMENT_BASE + row id
CREATED, READY = "OUTBOUND_CREATED", "OUTBOUND_READY_FOR_CONFIRMATION"
CONFIRMED, ACCEPTED = "OUTBOUND_CONFIRMED", "ACCEPTED"
OPEN = frozenset({CREATED, READY, CONFIRMED})
DESCRIPTIONS = {
    CREATED: "Формируется",
    READY: "Можно обрабатывать",
    CONFIRMED: "Подтверждена и готова к отправке",
    ACCEPTED: "Принята в сортировочном центре",
}
WAREHOUSE = {"id": yandex_state.WAREHOUSE_ID, "name": "Sandbox warehouse", "address": "Москва"}
SORTING_CENTER = {"id": 10001700279, "name": "СЦ Маркета Софьино", "address": "Софьино"}
PLAN_FROM, PLAN_TO = "10:00", yandex_state.SHIPMENT_TIME
NOT_FOUND_CLOSEST = "Closest shipment for reception transfer act generation not found."


# --- reading ---------------------------------------------------------------------------


def search(
    conn: Connection, query: dict[str, Any], limit: int, after: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of ``searchShipments``; the second value is the last row id if more follow."""
    _make_missing(conn)
    rows = conn.execute(
        select(shipments)
        .where(
            shipments.c.id > after,
            shipments.c.shipment_date >= query["dateFrom"],
            shipments.c.shipment_date <= query["dateTo"],
        )
        .order_by(shipments.c.id)
    ).all()
    wanted = set(query.get("orderIds") or ())
    found = [
        (row.id, info)
        for row in rows
        for info in [info_json(conn, row, query["cancelledOrders"])]
        if info["status"] in (query.get("statuses") or (info["status"],))
        and (not wanted or wanted & set(info["orderIds"]))
    ]
    page = found[:limit]
    last = page[-1][0] if len(found) > limit else None
    return [info for _, info in page], last


def one(conn: Connection, shipment_id: int, with_cancelled: bool = True) -> dict[str, Any]:
    """``ShipmentDTO``: the base shape, ``currentStatus`` and ``availableActions``."""
    row = _get(conn, shipment_id)
    info = info_json(conn, row, with_cancelled)
    status = info.pop("status")
    info.pop("statusDescription")
    info["currentStatus"] = {
        "status": status,
        "description": DESCRIPTIONS.get(status, status),
        "updateTime": info.pop("statusUpdateTime"),
    }
    info["availableActions"] = _actions(status)
    return info


def info_json(conn: Connection, row: Row[Any], with_cancelled: bool) -> dict[str, Any]:
    """``ShipmentInfoDTO`` (every field ``BaseShipmentDTO`` requires, and the status)."""
    status, members = _live(conn, row)
    ids = [yandex_state.ORDER_BASE + order.id for order in members]
    if not with_cancelled:
        ids = [
            yandex_state.ORDER_BASE + order.id for order in members if order.status != "CANCELLED"
        ]
    ready = [order for order in members if order.status != "CANCELLED"]
    shipment_id = SHIPMENT_BASE + row.id
    return {
        "id": shipment_id,
        "planIntervalFrom": f"{row.shipment_date}T{PLAN_FROM}:00+03:00",
        "planIntervalTo": f"{row.shipment_date}T{PLAN_TO}:00+03:00",
        "shipmentType": "WITHDRAW",
        "warehouse": WAREHOUSE,
        "warehouseTo": SORTING_CENTER,
        "externalId": row.external_id or str(shipment_id),
        "deliveryService": {"id": 1005111, "name": "Доставка Маркета"},
        "palletsCount": {"planned": 0, "fact": 0},
        "orderIds": ids,
        "draftCount": len(ready),
        "plannedCount": len(row.order_ids) if status not in (CREATED, READY) else 0,
        "factCount": len(row.order_ids) if status == ACCEPTED else 0,
        "signature": {"signed": False},
        "status": status,
        "statusDescription": DESCRIPTIONS.get(status, status),
        "statusUpdateTime": yandex_state.iso(row.status_ts),
    }


def act_orders(conn: Connection, shipment_id: int) -> tuple[Row[Any], list[Row[Any]]]:
    """The confirmed shipment and its orders, for its act; else YM's refusal."""
    row = _get(conn, shipment_id)
    if row.status not in (CONFIRMED, ACCEPTED):
        raise SandboxError(400, "BAD_REQUEST", f"Shipment {shipment_id} is not confirmed")
    return row, _orders(conn, row.shipment_date, row.order_ids)


def closest(conn: Connection, today: date, now: float) -> int:
    """The closest open shipment (from today on), confirmed if it was only formed."""
    _make_missing(conn)
    rows = conn.execute(
        select(shipments)
        .where(shipments.c.shipment_date >= today.isoformat())
        .order_by(shipments.c.shipment_date)
    ).all()
    for row in rows:
        status, _ = _live(conn, row)
        if status == READY:
            confirm(conn, SHIPMENT_BASE + row.id, "", now)
        if status in (READY, CONFIRMED):
            return SHIPMENT_BASE + row.id
    raise SandboxError(400, "BAD_REQUEST", NOT_FOUND_CLOSEST)


# --- changing ---------------------------------------------------------------------------


def confirm(conn: Connection, shipment_id: int, external_id: str, now: float) -> None:
    """Freeze the ready orders; refused before the shipment is formed or when repeated."""
    row = _get(conn, shipment_id)
    status, members = _live(conn, row)
    if status == CREATED:
        raise SandboxError(
            400, "CUTOFF_NOT_REACHED", "Cutoff time for shipments has not been reached yet"
        )
    if status != READY:
        raise SandboxError(400, "ALREADY_CONFIRMED", f"Shipment {shipment_id} is already confirmed")
    ready = [order.id for order in members if (order.status, order.substatus) == yandex_state.READY]
    if not ready:
        raise SandboxError(400, "NO_ORDERS", f"Shipment {shipment_id} has no orders to ship")
    conn.execute(
        update(shipments)
        .where(shipments.c.id == row.id, shipments.c.status != CONFIRMED)
        .values(status=CONFIRMED, status_ts=now, order_ids=ready, external_id=external_id)
    )


def transfer(conn: Connection, shipment_id: int, order_ids: list[int], now: float) -> None:
    """Move orders to the next day's shipment; one order not in this one refuses them all."""
    row = _get(conn, shipment_id)
    status, members = _live(conn, row)
    if status not in (CREATED, READY):
        raise SandboxError(400, "BAD_REQUEST", f"Shipment {shipment_id} is already confirmed")
    held = {yandex_state.ORDER_BASE + order.id for order in members if order.status != "CANCELLED"}
    strangers = sorted(set(order_ids) - held)
    if strangers:
        raise SandboxError(
            400, "BAD_REQUEST", f"Orders {strangers} are not in shipment {shipment_id}"
        )
    later = (date.fromisoformat(row.shipment_date) + timedelta(days=1)).isoformat()
    conn.execute(
        update(orders)
        .where(orders.c.id.in_([value - yandex_state.ORDER_BASE for value in order_ids]))
        .values(shipment_date=later, updated_ts=now)
    )


def accept(conn: Connection, shipment_id: int, now: float) -> list[int]:
    """The Market picks the confirmed shipment up: its orders go into delivery."""
    row = _get(conn, shipment_id)
    if row.status != CONFIRMED:
        raise SandboxError(400, "STATUS_NOT_ALLOWED", f"Shipment {shipment_id} is not confirmed")
    conn.execute(
        update(shipments).where(shipments.c.id == row.id).values(status=ACCEPTED, status_ts=now)
    )
    moved = []
    for order in _orders(conn, row.shipment_date, row.order_ids):
        if (order.status, order.substatus) == yandex_state.READY:
            yandex_state.ship(conn, yandex_state.ORDER_BASE + order.id, now)
            moved.append(yandex_state.ORDER_BASE + order.id)
    return moved


def advance(conn: Connection, now: float, seconds: float) -> None:
    """The sandbox clock: shipments confirmed ``seconds`` ago are picked up."""
    due = conn.execute(
        select(shipments.c.id).where(
            shipments.c.status == CONFIRMED, shipments.c.status_ts <= now - seconds
        )
    ).all()
    for (row_id,) in due:
        accept(conn, SHIPMENT_BASE + row_id, now)


# --- helpers ---------------------------------------------------------------------------


def _make_missing(conn: Connection) -> None:
    """A shipment for every shipment date that has orders and none yet."""
    have = set(conn.scalars(select(shipments.c.shipment_date)))
    days = set(conn.scalars(select(orders.c.shipment_date).distinct()))
    for day in sorted(days - have):
        conn.execute(
            shipments.insert().values(
                shipment_date=day, status=CREATED, status_ts=_day_start(day), order_ids=[]
            )
        )


def _live(conn: Connection, row: Row[Any]) -> tuple[str, list[Row[Any]]]:
    """The shipment's status and orders: stored once confirmed, else read from the orders."""
    if row.status not in (CREATED, READY):
        return row.status, _orders(conn, row.shipment_date, row.order_ids)
    members = _orders(conn, row.shipment_date, None)
    live = [order for order in members if order.status != "CANCELLED"]
    formed = live and all((o.status, o.substatus) == yandex_state.READY for o in live)
    return (READY if formed else CREATED), members


def _orders(conn: Connection, day: str, row_ids: list[int] | None) -> list[Row[Any]]:
    query = select(orders).where(orders.c.shipment_date == day).order_by(orders.c.id)
    if row_ids is not None:
        query = query.where(orders.c.id.in_(row_ids))
    return list(conn.execute(query).all())


def _get(conn: Connection, shipment_id: int) -> Row[Any]:
    _make_missing(conn)
    row = conn.execute(
        select(shipments).where(shipments.c.id == shipment_id - SHIPMENT_BASE)
    ).first()
    if row is None:
        raise SandboxError(404, "NOT_FOUND", f"Shipment {shipment_id} not found")
    return row


def _actions(status: str) -> list[str]:
    if status == READY:
        return ["CONFIRM"]
    if status == CONFIRMED:
        return ["DOWNLOAD_ACT", "DOWNLOAD_TRANSPORTATION_WAYBILL"]
    if status == ACCEPTED:
        return ["DOWNLOAD_ACT", "DOWNLOAD_INBOUND_ACT"]
    return []


def _day_start(day: str) -> float:
    return datetime.fromisoformat(f"{day}T00:00:00+03:00").timestamp()
