"""Counts (инвентаризация): a count of bins, counted blind on the ТСД bin by bin, a
recount where the first count disagrees, then the supervisor's approval."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Location, Product
from warehouse.models.orders import Order
from warehouse.models.work import User

# bins: listed by the supervisor; zone: every bin whose code starts with the zone's prefix;
# shortages: a cycle count of the bins where open short picks happened; products: every
# active bin where the chosen products lie, only those products counted in them
COUNT_KINDS = ("bins", "zone", "shortages", "products")
COUNT_STATUSES = ("open", "approved", "cancelled")
# pending: not counted yet; recount: the first count disagreed, count it again;
# counted: its numbers stand (agreed, or the recount's)
COUNT_BIN_STATUSES = ("pending", "recount", "counted")


# the products a count by products covers (``StockCount.products``)
count_products = Table(
    "count_products",
    Base.metadata,
    Column(
        "count_id",
        ForeignKey("stock_counts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
)


class StockCount(Base):
    __tablename__ = "stock_counts"
    __table_args__ = (
        CheckConstraint(one_of("kind", COUNT_KINDS), name="kind"),
        CheckConstraint(one_of("status", COUNT_STATUSES), name="status"),
        CheckConstraint(
            "(status = 'approved') = (approved_at IS NOT NULL)", name="approved_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    kind: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(200), default="")  # the zone, or the bins asked
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]

    bins: Mapped[list[CountBin]] = relationship(
        back_populates="count", order_by="CountBin.walk_order, CountBin.id"
    )
    flags: Mapped[list[CountFlag]] = relationship(order_by="CountFlag.id")
    # a count by products: only these are counted in its bins (empty for other kinds)
    products: Mapped[list[Product]] = relationship(
        secondary=count_products, order_by="Product.name"
    )


class CountBin(Base):
    """One bin of a count; ``round`` is how many times it has been counted."""

    __tablename__ = "count_bins"
    __table_args__ = (
        UniqueConstraint("count_id", "location_id"),
        CheckConstraint(one_of("status", COUNT_BIN_STATUSES), name="status"),
        CheckConstraint("round >= 0 AND round <= 2", name="round_range"),
        CheckConstraint("(status = 'pending') = (round = 0)", name="pending_not_counted"),
        CheckConstraint("status != 'recount' OR round = 1", name="recount_after_first"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    walk_order: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    round: Mapped[int] = mapped_column(default=0)
    # the scan that closed the last round: that scan resent is answered, not counted again
    last_scan_id: Mapped[str | None] = mapped_column(String(64))
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    counted_at: Mapped[datetime | None]

    count: Mapped[StockCount] = relationship(back_populates="bins")
    location: Mapped[Location] = relationship()
    counted_by: Mapped[User | None] = relationship()
    lines: Mapped[list[CountLine]] = relationship(
        back_populates="bin", cascade="all, delete-orphan", order_by="CountLine.id"
    )


class CountLine(Base):
    """A product in a counted bin: what the bin showed when it was counted (hidden from the
    counter), the first count and the recount; ``adjusted`` is what approval wrote."""

    __tablename__ = "count_lines"
    __table_args__ = (
        UniqueConstraint("bin_id", "product_id"),
        CheckConstraint("expected >= 0", name="expected_not_negative"),
        CheckConstraint("first_count >= 0", name="first_not_negative"),
        CheckConstraint("recount IS NULL OR recount >= 0", name="recount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bin_id: Mapped[int] = mapped_column(ForeignKey("count_bins.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    expected: Mapped[int]
    first_count: Mapped[int]
    recount: Mapped[int | None]
    adjusted: Mapped[int | None]  # the signed movement approval wrote (None: not yet / none)

    bin: Mapped[CountBin] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    @property
    def counted(self) -> int:
        return self.recount if self.recount is not None else self.first_count

    @property
    def difference(self) -> int:
        return self.counted - self.expected


class CountFlag(Base):
    """An order whose reserved units a count did not find: the bin was left at what is
    promised (never below), and the supervisor sees the order here."""

    __tablename__ = "count_flags"
    __table_args__ = (
        UniqueConstraint("count_id", "order_id", "location_id", "product_id"),
        CheckConstraint("missing > 0", name="positive_missing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    missing: Mapped[int]  # units of the bin's shortfall this order's reservation holds

    order: Mapped[Order] = relationship()
    location: Mapped[Location] = relationship()
    product: Mapped[Product] = relationship()
