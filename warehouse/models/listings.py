"""Marketplace product cards, how marketplace statuses read in our terms, and the stock
the marketplaces keep of our products in their own warehouses (FBO)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
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
    # taken off the marketplace's showcase by the seller: its stock is pushed as 0, and
    # where the marketplace has a call for it (Ozon's archive, YM's hidden offers) it is made
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[MarketplaceAccount] = relationship()
    product: Mapped[Product | None] = relationship()


CARD_REQUEST_STATUSES = ("sent", "made", "refused")


class CardRequest(Base):
    """A Wildberries card asked for from one of our products (content API ``cards/upload``):
    WB makes it within half an hour or lists its errors; either is kept here."""

    __tablename__ = "card_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", CARD_REQUEST_STATUSES), name="status"),
        CheckConstraint("subject_id > 0", name="subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("marketplace_accounts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    vendor_code: Mapped[str] = mapped_column(String(72))
    subject_id: Mapped[int] = mapped_column(Integer)
    brand: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), default="sent")
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[MarketplaceAccount] = relationship()
    product: Mapped[Product] = relationship()


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


class FboStock(Base):
    """What a marketplace's own report last said one of our products has in one of its
    warehouses (FBO: WB's warehouse remains, Ozon's stock on warehouses, YM's FBY stocks).
    The account's rows are replaced by each full read; a product's rows of two cards in
    one warehouse are summed."""

    __tablename__ = "fbo_stock"
    __table_args__ = (
        UniqueConstraint("account_id", "product_id", "warehouse_name"),
        CheckConstraint("available >= 0 AND reserved >= 0 AND incoming >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("marketplace_accounts.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    warehouse_name: Mapped[str] = mapped_column(String(255))  # "" = in transit, no warehouse
    available: Mapped[int] = mapped_column(Integer)  # free to sell there
    reserved: Mapped[int] = mapped_column(Integer)  # held for buyers, on the way to them
    incoming: Mapped[int] = mapped_column(Integer)  # on the way in: supplies, returns
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[MarketplaceAccount] = relationship()


class FboRead(Base):
    """An account's last FBO stock read: when it last succeeded, and the last failure."""

    __tablename__ = "fbo_reads"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("marketplace_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime | None]  # the last full read
    rows: Mapped[int] = mapped_column(Integer, default=0)  # kept (linked products)
    unlinked: Mapped[int] = mapped_column(Integer, default=0)  # report rows of no product of ours
    failed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))  # the last failure, cleared by a read
