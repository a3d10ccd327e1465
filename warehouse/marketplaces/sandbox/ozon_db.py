"""The Ozon sandbox's own tables (on the sandboxes' shared metadata, prefixed ozon_sandbox_)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Integer, String, Table

from warehouse.marketplaces.sandbox.common import Id, metadata
from warehouse.marketplaces.sandbox.price_book import price_book, showcase

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

# One row per act («отгрузка») made by /v2/posting/fbs/act/create; Ozon's id = ACT_BASE + id.
acts = Table(
    "ozon_sandbox_acts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_method_id", BigInteger, nullable=False),
    Column("departure", String(10), nullable=False),  # YYYY-MM-DD
    Column("status", String(20), nullable=False),  # in_process | ready
    Column("act_type", String(20), nullable=False, default=""),
    # posting numbers: asked for at create; then, once formed, in the act / left out
    Column("candidates", JSON, nullable=False),
    Column("added", JSON, nullable=False, default=list),
    Column("removed", JSON, nullable=False, default=list),
    Column("created_ts", Float, nullable=False),
    Column("ready_ts", Float),
    Column("picked_up", Integer, nullable=False, default=0),  # 0, 1 driver_pickup, 2 delivering
)

# Prices (offer_id → Ozon's price fields) and the archive (offer_ids taken off the showcase).
BOOK = price_book("ozon")
ARCHIVE = showcase("ozon")
