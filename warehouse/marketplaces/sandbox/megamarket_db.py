"""The Megamarket sandbox's own tables (shared sandbox metadata, prefixed megamarket_sandbox_)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, ForeignKey, Integer, String, Table

from warehouse.marketplaces.sandbox.common import Id, metadata
from warehouse.marketplaces.sandbox.price_book import price_book

shipments = Table(
    "megamarket_sandbox_shipments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shipment_id", String(20), unique=True),  # set right after the insert
    Column("created_ts", Float, nullable=False, index=True),
    Column("order_code", String(64), nullable=False, default=""),
    Column("customer_name", String(200), nullable=False, default=""),
    Column("shipped_ts", Float),  # when order/shipping came (the clock delivers from it)
    Column("shipping_date", String(40)),  # the shippingDate it said
)

items = Table(
    "megamarket_sandbox_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shipment_pk", Id, ForeignKey(shipments.c.id), nullable=False, index=True),
    Column("item_index", Integer, nullable=False),
    Column("offer_id", String(100), nullable=False),
    Column("goods_id", BigInteger, nullable=False),
    Column("name", String(300), nullable=False),
    Column("price", Integer, nullable=False),  # kopecks; the API speaks roubles
    Column("status", String(30), nullable=False, default="NEW"),
    Column("sub_status", String(30)),
    Column("mark_required", Boolean, nullable=False, default=False),
    Column("digital_mark", String(200)),
    Column("box_index", Integer),
    Column("box_code", String(100)),
)

stocks = Table(
    "megamarket_sandbox_stocks",
    metadata,
    Column("offer_id", String(100), primary_key=True),
    Column("quantity", Integer, nullable=False),
)

# Prices set by offerService/manualPrice/save (offerId → {price, isDeleted}).
BOOK = price_book("megamarket")
