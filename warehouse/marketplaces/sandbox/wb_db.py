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
from warehouse.marketplaces.sandbox.price_book import price_book

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

# Prices: the price book (nmID → {price, discount}) and the uploads WB processes later.
BOOK = price_book("wb")

price_tasks = Table(
    "wb_sandbox_price_tasks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),  # the uploadID
    Column("sent", JSON, nullable=False),  # the items as sent (the same upload again: 208)
    Column("items", JSON, nullable=False),  # [{nmID, price, discount}] to change
    Column("created_ts", Float, nullable=False),
    Column("status", Integer, nullable=False),  # 1 processing; then 3, 5 or 6
    Column("goods", JSON, nullable=False, default=list),  # historyGoods, once processed
)

# Cards held in Price Quarantine: the price asked for, and the one kept.
quarantine = Table(
    "wb_sandbox_quarantine",
    metadata,
    Column("nm_id", BigInteger, primary_key=True, autoincrement=False),
    Column("new_price", Integer, nullable=False),
    Column("new_discount", Integer, nullable=False),
    Column("old_price", Integer, nullable=False),
    Column("old_discount", Integer, nullable=False),
)

# Cards made by content/v2/cards/upload: pending until WB gets to them, then made or refused.
cards = Table(
    "wb_sandbox_cards",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_uuid", String(36), nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("vendor_code", String(72), nullable=False),
    Column("variant", JSON, nullable=False),  # as sent
    Column("ready_ts", Float, nullable=False),
    Column("state", String(10), nullable=False, default="pending"),  # made | refused
)

# content/v2/cards/error/list batches: errors per vendorCode of one merged card.
card_errors = Table(
    "wb_sandbox_card_errors",
    metadata,
    Column("batch_uuid", String(36), primary_key=True),
    Column("updated_ts", Integer, nullable=False),  # whole seconds, as the cursor speaks
    Column("subject_id", BigInteger, nullable=False),
    Column("errors", JSON, nullable=False),  # {vendorCode: [text]}
)
