"""The МойСклад sandbox's own tables (on the sandboxes' shared metadata, prefixed
moysklad_sandbox_)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, String, Table

from warehouse.marketplaces.sandbox.common import Id, metadata

products = Table(
    "moysklad_sandbox_products",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),  # the list's order
    Column("id", String(36), nullable=False, unique=True),
    Column("type", String(20), nullable=False, default="product"),
    Column("name", String(255), nullable=False),
    Column("code", String(255), nullable=False),
    Column("article", String(255)),
    Column("external_code", String(255), nullable=False),
    Column("buy_price", Float, nullable=False, default=0.0),  # kopecks, as the API says
    Column("barcodes", JSON, nullable=False, default=list),  # [{"ean13": "…"}, …]
    Column("archived", Boolean, nullable=False, default=False),
    Column("updated", String(30), nullable=False),
)

stores = Table(
    "moysklad_sandbox_stores",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
)

stock = Table(
    "moysklad_sandbox_stock",
    metadata,
    Column("product_id", String(36), primary_key=True),
    Column("store_id", String(36), primary_key=True),
    Column("stock", Float, nullable=False, default=0.0),
    Column("reserve", Float, nullable=False, default=0.0),
    Column("in_transit", Float, nullable=False, default=0.0),
)

hits = Table(  # requests per token in the last 3 s (the rate limit)
    "moysklad_sandbox_hits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_key", String(64), nullable=False, index=True),
    Column("ts", Float, nullable=False, index=True),
)
