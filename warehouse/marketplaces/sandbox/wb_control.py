"""The WB sandbox's fault queue and its state dump, for tests and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox.wb_db import faults, orders, stocks, supplies
from warehouse.marketplaces.sandbox.wb_state import SandboxError, rfc3339, supply_name
from warehouse.marketplaces.sandbox.wb_supplies import supply_json

FAULT_KINDS = frozenset({"429", "500", "timeout", "drop"})


def queue_faults(conn: Connection, kinds: Sequence[str], retry_after: float) -> None:
    unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
    if unknown:
        raise SandboxError(400, "IncorrectParameter", f"unknown faults {unknown}")
    for kind in kinds:
        conn.execute(faults.insert().values(kind=kind, retry_after=retry_after))


def pop_fault(conn: Connection) -> tuple[str, float] | None:
    """The oldest queued fault, taken by exactly one request even across processes."""
    for _attempt in range(5):
        row = conn.execute(select(faults).order_by(faults.c.id).limit(1)).first()
        if row is None:
            return None
        if conn.execute(delete(faults).where(faults.c.id == row.id)).rowcount == 1:
            return row.kind, row.retry_after
    return None


def state(conn: Connection) -> dict[str, Any]:
    order_rows = conn.execute(select(orders).order_by(orders.c.id))
    return {
        "orders": [
            {
                "id": row.id,
                "orderUid": row.order_uid,
                "article": row.article,
                "chrtId": row.chrt_id,
                "supplierStatus": row.supplier_status,
                "wbStatus": row.wb_status,
                "supplyId": supply_name(row.supply_id) if row.supply_id else None,
                "sgtins": list(row.sgtins),
                "createdAt": rfc3339(row.created_ts),
            }
            for row in order_rows
        ],
        "supplies": [
            supply_json(row) for row in conn.execute(select(supplies).order_by(supplies.c.id))
        ],
        "stocks": [
            {"warehouseId": row.warehouse_id, "chrtId": row.chrt_id, "amount": row.amount}
            for row in conn.execute(select(stocks).order_by(stocks.c.chrt_id))
        ],
        "faults": list(conn.scalars(select(faults.c.kind).order_by(faults.c.id))),
    }
