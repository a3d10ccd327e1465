"""Marketplace accounts and what they send us: orders, lines, reservations, parcels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    and_,
    or_,
    text,
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
# still in the warehouse's hands: not handed over (or gone further), not cancelled
ORDER_IN_WORK = ("new", "reserved", "awaiting_stock", "picking", "picked", "packed", "labelled")
IN_WORK = one_of("status", ORDER_IN_WORK)


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
        # the desk's orders window pages by (ship_by, id) under each of its filters
        Index("ix_orders_ship_by_id", "ship_by", "id"),
        Index("ix_orders_status_ship_by_id", "status", "ship_by", "id"),
        Index("ix_orders_account_ship_by_id", "account_id", "ship_by", "id"),
        # the window's default, orders still in work: the few among many gone ones
        Index(
            "ix_orders_in_work_ship_by_id",
            "ship_by",
            "id",
            sqlite_where=text(IN_WORK),
            postgresql_where=text(IN_WORK),
        ),
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
    numbers: Mapped[list[OrderNumber]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderNumber.id"
    )
    handover: Mapped[HandOver | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderNumber(Base):
    """A number the order is known by: its own, its group's, and the marketplace's other
    numbers in its JSON (WB rid, Ozon order id, a Megamarket order code…). The desk's
    search finds an order by any of them with one indexed lookup."""

    __tablename__ = "order_numbers"
    __table_args__ = (UniqueConstraint("order_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(100), index=True)

    order: Mapped[Order] = relationship(back_populates="numbers")


class OrderLine(Base):
    __tablename__ = "order_lines"
    # 0: every unit of the line was taken off the order at the marketplace (a short pick)
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # indexed: the desk's search finds orders by a line's product, article or barcode
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    article: Mapped[str] = mapped_column(String(100), index=True)
    barcode: Mapped[str] = mapped_column(String(64), default="", index=True)
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
    # indexed: the loader, the returns desk and the desk's search find a parcel by it
    label_barcode: Mapped[str] = mapped_column(String(200), default="", index=True)
    label_caption: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_at: Mapped[datetime | None]  # scanned onto its hand-over by the loader
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship()
