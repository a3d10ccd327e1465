"""Our goods in a sandbox marketplace's own warehouses (FBO), and the report calls' limits.

Each sandbox keeps its rows in ``<kind>_sandbox_fbo`` (emptied by its reset): one per
demo article and marketplace warehouse, with units free to sell, held for buyers and
coming in. Until a test or the demo sets them (``POST /_control/fbo``), a sandbox answers
with fixed demo amounts, so `make run` shows FBO stock beside ours. Each sandbox shapes
the rows as its own report does (``wb``: warehouse remains, ``ozon``: stock on
warehouses, ``yandex``: FBY stocks).

``take_call`` is a token bucket per sandbox and call (``<kind>_sandbox_limits``): the
report calls are limited as the marketplaces document them, and a sandbox answers 429
past the limit, as they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import Column, Float, Integer, String, Table, delete, insert, select, update
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.sandbox import common
from warehouse.marketplaces.sandbox.common import Id, metadata

KINDS = ("wb", "ozon", "yandex")
DEMO_WAREHOUSES = {
    "wb": ("Коледино", "Электросталь", "Казань"),
    "ozon": ("ХОРУГВИНО_РФЦ", "ТВЕРЬ_РФЦ"),
    "yandex": ("145", "147"),  # Market's FBY warehouses are numbered
}

tables = {
    kind: Table(
        f"{kind}_sandbox_fbo",
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("warehouse", String(255), nullable=False),
        Column("article", String(100), nullable=False),
        Column("available", Integer, nullable=False),
        Column("reserved", Integer, nullable=False),
        Column("incoming", Integer, nullable=False),
    )
    for kind in KINDS
}
limits = {
    kind: Table(
        f"{kind}_sandbox_limits",
        metadata,
        Column("call", String(100), primary_key=True),
        Column("tokens", Float, nullable=False),
        Column("ts", Float, nullable=False),
    )
    for kind in KINDS
}


@dataclass(frozen=True)
class Row:
    warehouse: str
    article: str
    available: int
    reserved: int = 0
    incoming: int = 0


def rows(conn: Connection, kind: str) -> list[Row]:
    """The sandbox's FBO rows, in article then warehouse order; the demo's until set."""
    table = tables[kind]
    found = [
        Row(r.warehouse, r.article, r.available, r.reserved, r.incoming)
        for r in conn.execute(select(table).order_by(table.c.article, table.c.warehouse))
    ]
    return found or demo_rows(kind)


def demo_rows(kind: str) -> list[Row]:
    """Fixed amounts: every demo article in the first warehouses, a few held and coming."""
    found = []
    for n, product in enumerate(PRODUCTS):
        for w, warehouse in enumerate(DEMO_WAREHOUSES[kind][: 1 + n % 2]):
            available = (7 * n + 11 * w) % 40 + 3
            found.append(Row(warehouse, product.article, available, n % 3, (n % 4) * 5))
    return sorted(found, key=lambda row: (row.article, row.warehouse))


def set_rows(conn: Connection, kind: str, given: list[dict[str, Any]]) -> int:
    """Replace the rows (``[{warehouse, article, available, reserved?, incoming?}]``)."""
    table = tables[kind]
    conn.execute(delete(table))
    entries = [
        {
            "warehouse": str(item["warehouse"]),
            "article": str(item["article"]),
            "available": int(item.get("available") or 0),
            "reserved": int(item.get("reserved") or 0),
            "incoming": int(item.get("incoming") or 0),
        }
        for item in given
    ]
    if entries:
        conn.execute(insert(table), entries)
    return len(entries)


def take_call(
    conn: Connection, kind: str, call: str, *, every: float, burst: int, now: float
) -> float | None:
    """Use one call of a bucket refilled one call per ``every`` seconds, holding at most
    ``burst``; None when allowed, else the seconds until the next call is."""
    table = limits[kind]
    found = conn.execute(select(table).where(table.c.call == call)).first()
    if found is None:
        conn.execute(insert(table).values(call=call, tokens=burst - 1, ts=now))
        return None
    tokens = min(float(burst), found.tokens + (now - found.ts) / every)
    if tokens < 1:
        return (1 - tokens) * every
    conn.execute(update(table).where(table.c.call == call).values(tokens=tokens - 1, ts=now))
    return None


def install_control(bp: Blueprint, kind: str) -> None:
    """``POST /_control/fbo`` ``{"rows": [...]}`` sets the rows; ``GET`` reads them."""

    def control_fbo() -> Response:
        with common.begin() as conn:
            if request.method == "POST":
                set_rows(conn, kind, list((request.get_json(silent=True) or {}).get("rows") or []))
            found = rows(conn, kind)
        return jsonify({"rows": [vars(row) for row in found]})

    bp.add_url_rule("/_control/fbo", "control_fbo", control_fbo, methods=["GET", "POST"])
