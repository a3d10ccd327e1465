"""Marketplace product cards and how marketplace statuses read in our terms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Product
from warehouse.models.orders import MARKETPLACES, ORDER_STATUSES, MarketplaceAccount


class Listing(Base):
    """A product card in one cabinet, linked to our product (one product, many cards)."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("account_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("marketplace_accounts.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(500), default="")
    barcodes: Mapped[list[str]] = mapped_column(JSON, default=list)
    marketplace_id: Mapped[str] = mapped_column(String(100), default="")
    last_pushed: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[MarketplaceAccount] = relationship()
    product: Mapped[Product | None] = relationship()


class StatusMap(Base):
    """The marketplace's own status → our unified status; a supervisor may edit it."""

    __tablename__ = "status_map"
    __table_args__ = (
        UniqueConstraint("marketplace", "external_status"),
        CheckConstraint(one_of("marketplace", MARKETPLACES), name="marketplace"),
        CheckConstraint(one_of("status", ORDER_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(16))
    external_status: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32))
