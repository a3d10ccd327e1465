"""Goods coming in: a supplier's delivery (expected or blind) and its put-away."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Location, Product, Warehouse
from warehouse.models.work import User

RECEIPT_STATUSES = ("open", "closed")


class Receipt(Base):
    """A delivery from a supplier: lines expected from an uploaded list or from a МойСклад
    purchase order (Заказ поставщику), or blind (none)."""

    __tablename__ = "receipts"
    __table_args__ = (
        CheckConstraint(one_of("status", RECEIPT_STATUSES), name="status"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_when"),
        # a purchase order opens one delivery, whoever presses the button and however often
        UniqueConstraint(
            "purchase_order_account_id", "purchase_order_id", name="uq_receipts_purchase_order"
        ),
        CheckConstraint(
            "(purchase_order_id IS NULL) = (purchase_order_account_id IS NULL)",
            name="purchase_order_of_an_account",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    supplier: Mapped[str] = mapped_column(String(200))
    # the desk form's one-time key: a double click opens one delivery, not two
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    blind: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    # the МойСклад purchase order it was opened from: account, МойСклад id, its number
    purchase_order_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounting_accounts.id")
    )
    purchase_order_id: Mapped[str | None] = mapped_column(String(64))
    purchase_order_name: Mapped[str | None] = mapped_column(String(255))
    # the order's positions expected here, as МойСклад named them (for its Приёмка):
    # [{"product", "type", "id", "price", "quantity"}]
    purchase_order_lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # its positions not expected here, and why: [{"name", "article", "quantity", "reason"}]
    purchase_order_refused: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    warehouse: Mapped[Warehouse] = relationship()
    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.id", cascade="all, delete-orphan"
    )


class ReceiptLine(Base):
    """A product of a delivery: how many were expected (0: not on the list) and received."""

    __tablename__ = "receipt_lines"
    __table_args__ = (
        UniqueConstraint("receipt_id", "product_id"),
        CheckConstraint("expected >= 0", name="expected_not_negative"),
        CheckConstraint("received >= 0", name="received_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    expected: Mapped[int] = mapped_column(default=0)
    received: Mapped[int] = mapped_column(default=0)

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    @property
    def difference(self) -> int:
        """Received minus expected: + surplus, − shortage."""
        return self.received - self.expected


class ReceiptScan(Base):
    """One accepted scan of a delivery; its UNIQUE scan id makes a resent scan a replay."""

    __tablename__ = "receipt_scans"
    __table_args__ = (CheckConstraint("quantity > 0", name="positive_quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceivedMarkingCode(Base):
    """A marked unit's Честный знак code captured at receipt; a code arrives once."""

    __tablename__ = "received_marking_codes"
    __table_args__ = (UniqueConstraint("gtin", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    gtin: Mapped[str] = mapped_column(String(14))
    serial: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PutAway(Base):
    """Goods carried from the receiving area to a bin; ``suggested`` is the bin the system
    proposed (another one may be chosen: the row keeps both)."""

    __tablename__ = "put_aways"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("from_location_id <> to_location_id", name="somewhere_else"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[str] = mapped_column(String(64), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column()
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    suggested_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])
    suggested: Mapped[Location | None] = relationship(foreign_keys=[suggested_location_id])
    user: Mapped[User | None] = relationship()
