"""Marketplace accounts and what they send us: orders, lines, reservations, parcels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Product, Stock
from warehouse.models.shipping import HandOver

MARKETPLACES = ("wb", "ozon", "yandex", "megamarket")
# why a cabinet's last call failed: "auth" (key refused: no more calls until it is edited
# or checked again), "unavailable" (timeouts, 5xx, 429: the next run tries), "refused"
ACCOUNT_PROBLEMS = ("auth", "unavailable", "refused")

# The one status every order has, whatever its marketplace calls it.
ORDER_STATUSES = (
    "new",
    "reserved",
    "awaiting_stock",
    "picking",
    "picked",
    "packed",
    "labelled",
    "handed_over",  # loaded and the pickup closed: waiting for the marketplace to say shipped
    "shipped",
    "delivered",
    "cancelled",
    "returned",
)
# orders whose reserved units are still to be taken from the bins (not picked yet)
TO_PICK_STATUSES = ("reserved", "picking", "awaiting_stock")


class MarketplaceAccount(Base):
    """One seller cabinet at one marketplace; credentials are stored encrypted."""

    __tablename__ = "marketplace_accounts"
    __table_args__ = (
        CheckConstraint(one_of("kind", MARKETPLACES), name="kind"),
        CheckConstraint(one_of("problem", ACCOUNT_PROBLEMS), name="problem"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(500))
    credentials_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    last_import_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))  # technical, for the log
    problem: Mapped[str | None] = mapped_column(String(16))

    @property
    def may_be_called(self) -> bool:
        """Switched on and its key not refused: import, cron and outbox may call it."""
        return self.active and self.problem != "auth"

    @classmethod
    def callable_clause(cls) -> ColumnElement[bool]:
        """``may_be_called`` as SQL, for the cron and the outbox sweeper."""
        return and_(cls.active.is_(True), or_(cls.problem.is_(None), cls.problem != "auth"))


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        CheckConstraint(one_of("status", ORDER_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("marketplace_accounts.id"))
    external_id: Mapped[str] = mapped_column(String(100))
    group_id: Mapped[str] = mapped_column(String(100), default="")
    marketplace_status: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="new", index=True)
    ship_by: Mapped[datetime | None]
    placed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("handovers.id"), index=True)
    # the marketplace's own JSON of the order (e.g. Megamarket's item indexes for packing)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    account: Mapped[MarketplaceAccount] = relationship()
    handover: Mapped[HandOver | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    # 0: every unit of the line was taken off the order at the marketplace (a short pick)
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    article: Mapped[str] = mapped_column(String(100))
    barcode: Mapped[str] = mapped_column(String(64), default="")
    external_sku: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[int]
    price_kopecks: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()
    reservations: Mapped[list[Reservation]] = relationship(back_populates="line")


class Reservation(Base):
    """Stock in one bin promised to one order line."""

    __tablename__ = "reservations"
    __table_args__ = (
        UniqueConstraint("line_id", "stock_id"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    stock_id: Mapped[int] = mapped_column(ForeignKey("stock.id"))
    quantity: Mapped[int]

    line: Mapped[OrderLine] = relationship(back_populates="reservations")
    stock: Mapped[Stock] = relationship()


class Parcel(Base):
    """A package of an order with the marketplace's label for it."""

    __tablename__ = "parcels"
    __table_args__ = (UniqueConstraint("order_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    package: Mapped[str] = mapped_column(String(32), default="", server_default="")
    label_barcode: Mapped[str] = mapped_column(String(200), default="")
    label_caption: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_at: Mapped[datetime | None]  # scanned onto its hand-over by the loader
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship()
