"""The WB sandbox's own tables (on the sandboxes' shared metadata, prefixed wb_sandbox_)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
)

from warehouse.marketplaces.sandbox.common import Id, metadata

supplies = Table(
    "wb_sandbox_supplies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("created_ts", Float, nullable=False),
    Column("closed_ts", Float),
    Column("done", Boolean, nullable=False, default=False),
)

orders = Table(
    "wb_sandbox_orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_uid", String(80), nullable=False, index=True),
    Column("rid", String(80), nullable=False, unique=True),
    Column("article", String(100), nullable=False),
    Column("nm_id", BigInteger, nullable=False),
    Column("chrt_id", BigInteger, nullable=False),
    Column("skus", JSON, nullable=False),
    Column("price", Integer, nullable=False),
    Column("created_ts", Float, nullable=False, index=True),
    Column("supplier_status", String(20), nullable=False, default="new"),
    Column("wb_status", String(30), nullable=False, default="waiting"),
    Column("supply_id", Id, ForeignKey(supplies.c.id)),
    Column("required_meta", JSON, nullable=False, default=list),
    Column("sgtins", JSON, nullable=False, default=list),
)

stocks = Table(
    "wb_sandbox_stocks",
    metadata,
    Column("warehouse_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chrt_id", BigInteger, primary_key=True, autoincrement=False),
    Column("amount", Integer, nullable=False),
)
