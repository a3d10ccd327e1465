"""The Ozon sandbox's own tables (on the sandboxes' shared metadata, prefixed ozon_sandbox_)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Integer, String, Table

from warehouse.marketplaces.sandbox.common import Id, metadata

# One row per buyer order; its id gives the order number postings are named after.
orders = Table(
    "ozon_sandbox_orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created_ts", Float, nullable=False),
)

postings = Table(
    "ozon_sandbox_postings",
    metadata,
    Column("posting_number", String(40), primary_key=True),
    Column("order_id", BigInteger, nullable=False, index=True),
    Column("order_number", String(30), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("status", String(40), nullable=False),
    Column("substatus", String(60), nullable=False),
    # [{sku, offer_id, name, quantity, price}]
    Column("products", JSON, nullable=False),
    # Ozon SKUs that need a Честный знак code per unit
    Column("mark_skus", JSON, nullable=False, default=list),
    # {str(sku): [{exemplar_id, marks[], gtd, is_gtd_absent, rnpt, is_rnpt_absent}]}
    Column("exemplars", JSON, nullable=False, default=dict),
    Column("exemplars_set_ts", Float),
    Column("created_ts", Float, nullable=False, index=True),
    Column("shipment_ts", Float, nullable=False),
    Column("shipped_ts", Float),
    Column("changed_ts", Float, nullable=False),
    Column("parent_posting_number", String(40), nullable=False, default=""),
    Column("cancellation", JSON),
)

stocks = Table(
    "ozon_sandbox_stocks",
    metadata,
    Column("offer_id", String(100), primary_key=True),
    Column("warehouse_id", BigInteger, primary_key=True, autoincrement=False),
    Column("stock", Integer, nullable=False),
    Column("updated_ts", Float, nullable=False),
)
