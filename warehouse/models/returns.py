"""Returns: a parcel the marketplace brought back, received on the ТСД unit by unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Location, Product
from warehouse.models.orders import Order, OrderLine, Parcel
from warehouse.models.work import User

RETURN_STATUSES = ("open", "done")
# stock: back on a shelf (a ``return`` movement into the bin); defect: into the warehouse's
# defect area for a claim, not sellable (a ``return_defect`` movement); write_off:
# destroyed, the only grade that enters no bin (kept on the unit row alone).
RETURN_GRADES = ("stock", "defect", "write_off")


class Return(Base):
    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("order_id"),  # an order comes back once
        CheckConstraint(one_of("status", RETURN_STATUSES), name="status"),
        CheckConstraint("(status = 'done') = (closed_at IS NOT NULL)", name="done_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id"))
    previous_status: Mapped[str] = mapped_column(String(32))  # the order's, when it came back
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()
    parcel: Mapped[Parcel | None] = relationship()
    received_by: Mapped[User | None] = relationship()
    units: Mapped[list[ReturnUnit]] = relationship(
        back_populates="ret", order_by="ReturnUnit.id", cascade="all, delete-orphan"
    )


class ReturnUnit(Base):
    """Units of one line graded together by one scan (a pack barcode grades its pack)."""

    __tablename__ = "return_units"
    __table_args__ = (
        UniqueConstraint("return_id", "scan_id"),  # a resent scan is answered, not graded again
        CheckConstraint(one_of("grade", RETURN_GRADES), name="grade"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint(
            "(grade = 'write_off') = (location_id IS NULL)", name="bin_unless_written_off"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]
    grade: Mapped[str] = mapped_column(String(16))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    scan_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ret: Mapped[Return] = relationship(back_populates="units")
    line: Mapped[OrderLine] = relationship()
    product: Mapped[Product] = relationship()
    location: Mapped[Location | None] = relationship()
    user: Mapped[User | None] = relationship()
