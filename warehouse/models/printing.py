"""Label printers and the jobs sent to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow

PRINT_JOB_STATUSES = ("queued", "sending", "sent", "printed", "failed")


class Printer(Base):
    __tablename__ = "printers"

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    host: Mapped[str] = mapped_column(String(200))
    port: Mapped[int] = mapped_column(default=9100)
    dpi: Mapped[int] = mapped_column(default=203)
    is_default: Mapped[bool] = mapped_column(default=False)
    last_status: Mapped[str] = mapped_column(String(200), default="")
    last_checked_at: Mapped[datetime | None]


class PrintJob(Base):
    __tablename__ = "print_jobs"
    __table_args__ = (CheckConstraint(one_of("status", PRINT_JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    printer: Mapped[Printer] = relationship()
