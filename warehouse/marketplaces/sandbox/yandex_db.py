"""The Yandex Market sandbox's own tables (on the shared metadata, prefixed yandex_sandbox_).

An order keeps its items and its box layout as JSON: the items never change after the
order is placed, and each ``PUT …/boxes`` replaces the whole layout.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, String, Table

from warehouse.marketplaces.sandbox.common import Id, metadata
from warehouse.marketplaces.sandbox.price_book import price_book, showcase

orders = Table(
    "yandex_sandbox_orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("status", String(30), nullable=False),
    Column("substatus", String(40), nullable=False),
    Column("created_ts", Float, nullable=False, index=True),
    Column("updated_ts", Float, nullable=False),
    Column("shipment_date", String(10), nullable=False),
    # [{id, offerId, offerName, count, price (kopecks per unit), marked}]
    Column("items", JSON, nullable=False),
    # [{boxId, items: [{id, fullCount | partialCount, instances?}]}], empty until set
    Column("boxes", JSON, nullable=False, default=list),
)

# First-mile shipments, one per shipment date, made when first looked at. Until confirmed
# the status and orders are read live from the orders; confirming freezes both here.
shipments = Table(
    "yandex_sandbox_shipments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shipment_date", String(10), nullable=False, unique=True),
    Column("status", String(40), nullable=False),
    Column("status_ts", Float, nullable=False),
    Column("external_id", String(255), nullable=False, default=""),
    Column("order_ids", JSON, nullable=False, default=list),
)

stocks = Table(
    "yandex_sandbox_stocks",
    metadata,
    Column("campaign_id", BigInteger, primary_key=True, autoincrement=False),
    Column("sku", String(255), primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("updated_at", String(40), nullable=False),
)


# The business's prices (offerId → YM's price fields) and the shop's hidden offers.
BOOK = price_book("yandex")
HIDDEN = showcase("yandex")


class SandboxError(Exception):
    """YM refuses: HTTP ``status``, body ``{status: "ERROR", errors: [{code, message}]}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
