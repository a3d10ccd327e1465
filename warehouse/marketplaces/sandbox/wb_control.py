"""The WB sandbox's state dump, for tests and the demo."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import common
from warehouse.marketplaces.sandbox.wb_db import orders, stocks, supplies
from warehouse.marketplaces.sandbox.wb_state import rfc3339, supply_name
from warehouse.marketplaces.sandbox.wb_supplies import supply_json


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
        "faults": common.queued_faults(conn, "wb"),
    }
