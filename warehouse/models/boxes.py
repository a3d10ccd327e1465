"""Box identities we issue ourselves: SSCC-18 codes, each given to one box and never again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, utcnow
from warehouse.models.orders import Order, Parcel


class IssuedSscc(Base):
    """One SSCC issued to a parcel (one per parcel) or to a tote leaving as a box.

    The (company prefix, serial) pair is UNIQUE and rows are never deleted, so a serial is
    never issued twice even if the box, order or parcel goes away.
    """

    __tablename__ = "issued_ssccs"
    __table_args__ = (
        UniqueConstraint("company_prefix", "serial"),
        CheckConstraint("serial >= 0", name="serial_not_negative"),
        CheckConstraint("extension >= 0 AND extension <= 9", name="extension_digit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(18), unique=True)
    company_prefix: Mapped[str] = mapped_column(String(12))
    extension: Mapped[int]
    serial: Mapped[int] = mapped_column(BigInteger)
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="SET NULL"), unique=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    tote: Mapped[str] = mapped_column(String(64), default="")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the last job that printed it (a later request for the same parcel prints it again)
    print_job_id: Mapped[int | None] = mapped_column(ForeignKey("print_jobs.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    parcel: Mapped[Parcel | None] = relationship()
    order: Mapped[Order | None] = relationship()
