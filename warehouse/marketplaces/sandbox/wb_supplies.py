"""The WB sandbox's supplies: orders are confirmed by joining one, completed by its delivery.

Codes and messages of refusals are those of WB's orders-fbs OpenAPI (Russian copy,
eslazarev/wildberries-sdk specs/03-orders-fbs.yaml; 2026 English copy,
MissiaL/wildberries-api assets/openapi/orders-fbs.json): ``FailedToAddSupplyOrder``,
``SupplyHasZeroOrders``, ``MetaValidationFail``, ``SupplyNotClosed``, ``SupplyHasOrders``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox.wb_db import orders, supplies
from warehouse.marketplaces.sandbox.wb_state import (
    OFFICE_ID,
    SUPPLY_PREFIX,
    SandboxError,
    meta_details,
    rfc3339,
    supply_name,
)

# What WB's orders go through after the supply is handed over (wbStatus), one step per tick.
AFTER_DELIVERY = {"waiting": "sorted", "sorted": "sold"}


def create_supply(conn: Connection, name: str, now: float) -> str:
    result = conn.execute(supplies.insert().values(name=name, created_ts=now, done=False))
    return supply_name(int(result.inserted_primary_key[0]))


def get_supply(conn: Connection, name: str) -> Row[Any]:
    number = name.removeprefix(SUPPLY_PREFIX)
    row = None
    if name.startswith(SUPPLY_PREFIX) and number.isdecimal() and len(number) <= 18:
        row = conn.execute(select(supplies).where(supplies.c.id == int(number))).first()
    if row is None:
        raise SandboxError(404, "NotFound", f"supply {name} not found")
    return row


def supply_json(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": supply_name(row.id),
        "name": row.name,
        "done": bool(row.done),
        "createdAt": rfc3339(row.created_ts),
        "closedAt": rfc3339(row.closed_ts),
        "scanDt": None,
        "cargoType": 1,
        "destinationOfficeId": OFFICE_ID,
    }


def list_supplies(conn: Connection, limit: int, after: int) -> tuple[int, list[dict[str, Any]]]:
    rows = conn.execute(
        select(supplies).where(supplies.c.id > after).order_by(supplies.c.id).limit(limit)
    ).all()
    return (rows[-1].id if rows else after), [supply_json(row) for row in rows]


def add_to_supply(conn: Connection, name: str, ids: Sequence[int]) -> None:
    """Confirm orders by adding them to an open supply; all or nothing."""
    supply = get_supply(conn, name)
    if supply.done:  # a supply in delivery takes no more orders
        raise SandboxError(409, "FailedToAddSupplyOrder", f"supply {name} is closed", list(ids))
    rows = {row.id: row for row in conn.execute(select(orders).where(orders.c.id.in_(ids)))}
    refused = [order_id for order_id in ids if not _can_join(rows.get(order_id))]
    if refused:
        raise SandboxError(
            409, "FailedToAddSupplyOrder", "orders cannot be added to the supply", refused
        )
    conn.execute(
        update(orders)
        .where(orders.c.id.in_(ids))
        .values(supplier_status="confirm", supply_id=supply.id)
    )


def _can_join(row: Row[Any] | None) -> bool:
    """New orders join; a confirmed one is already here (no-op) or moves between open supplies.

    A confirmed order always sits in an open supply: closing one completes its orders.
    """
    if row is None or row.wb_status != "waiting":
        return False
    return row.supplier_status in ("new", "confirm")


def supply_order_ids(conn: Connection, name: str) -> list[int]:
    supply = get_supply(conn, name)
    query = select(orders.c.id).where(orders.c.supply_id == supply.id).order_by(orders.c.id)
    return list(conn.scalars(query))


def deliver_supply(conn: Connection, name: str, now: float) -> None:
    """Close the supply: its confirmed orders go ``confirm → complete``."""
    supply = get_supply(conn, name)
    if supply.done:
        raise SandboxError(409, "SupplyNotOpen", f"supply {name} is already closed")
    members = conn.execute(
        select(orders).where(orders.c.supply_id == supply.id, orders.c.supplier_status == "confirm")
    ).all()
    if not members:
        raise SandboxError(
            409,
            "SupplyHasZeroOrders",
            "Не удалось обработать поставку. Убедитесь, что за ней закреплён хотя бы одно "
            "сборочное задание.",
        )
    missing = [row for row in members if "sgtin" in row.required_meta and not row.sgtins]
    if missing:
        failed = [{"id": row.id, "metaDetails": meta_details(row)} for row in missing]
        raise SandboxError(
            409, "MetaValidationFail", "Fix them to dispatch items", {"orders": failed}
        )
    conn.execute(
        update(orders)
        .where(orders.c.supply_id == supply.id, orders.c.supplier_status == "confirm")
        .values(supplier_status="complete")
    )
    conn.execute(
        update(supplies).where(supplies.c.id == supply.id).values(done=True, closed_ts=now)
    )


def supply_qr(conn: Connection, name: str) -> int:
    """The supply's number for its QR; WB draws it only after ``deliver``."""
    supply = get_supply(conn, name)
    if not supply.done:
        raise SandboxError(409, "SupplyNotClosed", "Поставка не передана в доставку")
    return int(supply.id)


def advance(conn: Connection, steps: int) -> int:
    """WB moves handed-over orders on: ``waiting → sorted → sold``; returns how many moved."""
    moved = 0
    for _ in range(steps):
        for before, after in reversed(AFTER_DELIVERY.items()):  # one step per order per tick
            result = conn.execute(
                update(orders)
                .where(orders.c.supplier_status == "complete", orders.c.wb_status == before)
                .values(wb_status=after)
            )
            moved += result.rowcount
    return moved


def delete_supply(conn: Connection, name: str) -> None:
    supply = get_supply(conn, name)
    if supply_order_ids(conn, name):
        raise SandboxError(409, "SupplyHasOrders", f"supply {name} has orders")
    conn.execute(delete(supplies).where(supplies.c.id == supply.id))
