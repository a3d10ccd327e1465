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

entities = Table(  # the directory: legal entities (organization) and counterparties
    "moysklad_sandbox_entities",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("type", String(20), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("external_code", String(255), nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("updated", String(30), nullable=False),
)

documents = Table(  # demand (Отгрузка) and salesreturn (Возврат покупателя)
    "moysklad_sandbox_documents",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("type", String(20), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("external_code", String(255), nullable=False, index=True),
    Column("sync_id", String(36), unique=True),
    Column("moment", String(30), nullable=False),
    Column("applicable", Boolean, nullable=False, default=True),
    Column("organization_id", String(36), nullable=False),
    Column("agent_type", String(20), nullable=False),
    Column("agent_id", String(36), nullable=False),
    Column("store_id", String(36), nullable=False),
    Column("demand_id", String(36)),  # a return's basis
    Column("description", String(4096), nullable=False, default=""),
    Column("created", String(30), nullable=False),
)

positions = Table(
    "moysklad_sandbox_positions",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("document_id", String(36), nullable=False, index=True),
    Column("assortment_type", String(20), nullable=False),
    Column("assortment_id", String(36), nullable=False),
    Column("quantity", Float, nullable=False),
    Column("price", Float, nullable=False, default=0.0),  # kopecks
    Column("discount", Float, nullable=False, default=0.0),
    Column("vat", Float, nullable=False, default=0.0),
)

purchase_orders = Table(  # Заказ поставщику; its positions are rows of ``positions``
    "moysklad_sandbox_purchase_orders",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("external_code", String(255), nullable=False),
    Column("moment", String(30), nullable=False),
    Column("applicable", Boolean, nullable=False, default=True),
    Column("organization_id", String(36), nullable=False),
    Column("agent_id", String(36), nullable=False),
    Column("store_id", String(36)),
    Column("description", String(4096), nullable=False, default=""),
    Column("delivery_planned_moment", String(30)),
    Column("created", String(30), nullable=False),
)

supply_orders = Table(  # a supply (Приёмка, in ``documents``) made on a purchase order
    "moysklad_sandbox_supply_orders",
    metadata,
    Column("supply_id", String(36), primary_key=True),
    Column("purchase_order_id", String(36), nullable=False, index=True),
)
