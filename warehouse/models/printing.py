"""Label printers, the jobs sent to them and what happened to each job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.work import User

PRINTER_TRANSPORTS = ("tcp", "cups")
# a label printer (Zebra, ZPL) or a document printer (an office A4 printer: a CUPS queue
# given whole PDFs); neither is ever offered for the other's work
PRINTER_KINDS = ("label", "document")
# queued → sending → printed (confirmed) | sent (handed over, not confirmed) | unknown (the
# connection broke after bytes went out: a person decides) | failed (nothing was printed)
PRINT_JOB_STATUSES = ("queued", "sending", "sent", "printed", "unknown", "failed")
PRINT_JOB_OPEN = ("queued", "sending")


class Printer(Base):
    __tablename__ = "printers"
    __table_args__ = (
        CheckConstraint(one_of("transport", PRINTER_TRANSPORTS), name="transport"),
        CheckConstraint(one_of("kind", PRINTER_KINDS), name="kind"),
        CheckConstraint("kind = 'label' OR transport = 'cups'", name="document_through_cups"),
        CheckConstraint("port > 0 AND port < 65536", name="port_range"),
        CheckConstraint("dpi IN (203, 300, 600)", name="dpi"),
        CheckConstraint("label_width_mm > 0 AND label_height_mm > 0", name="label_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # its own scannable code (PRN-…), stuck on the printer: a ТСД scans it to print there
    code: Mapped[str] = mapped_column(String(64), unique=True)
    host: Mapped[str] = mapped_column(String(200))
    port: Mapped[int] = mapped_column(default=9100)
    transport: Mapped[str] = mapped_column(String(8), default="tcp")
    kind: Mapped[str] = mapped_column(String(16), default="label", server_default="label")
    queue: Mapped[str] = mapped_column(String(100), default="")  # CUPS queue name
    dpi: Mapped[int] = mapped_column(default=203)
    label_width_mm: Mapped[int] = mapped_column(default=58)
    label_height_mm: Mapped[int] = mapped_column(default=40)
    station: Mapped[str] = mapped_column(String(64), default="", index=True)
    zone: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(default=True)
    is_default: Mapped[bool] = mapped_column(default=False)
    # what the last check saw: "ready", "unreachable", "no_answer", "not_ready:paper_out,…"
    last_status: Mapped[str] = mapped_column(String(200), default="")
    last_formats_in_buffer: Mapped[int | None]
    last_labels_remaining: Mapped[int | None]
    last_checked_at: Mapped[datetime | None]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def is_document(self) -> bool:
        """An office (A4) printer for PDF papers, not a label printer."""
        return self.kind == "document"


class PrintJob(Base):
    __tablename__ = "print_jobs"
    __table_args__ = (CheckConstraint(one_of("status", PRINT_JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"), index=True)
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reprint_of_id: Mapped[int | None] = mapped_column(ForeignKey("print_jobs.id"))
    # the asking page's one-time key: a double tap or a resent form finds this job again
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # a job waiting for its printer (paper out, paused…) is not run again before this
    next_check_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    printer: Mapped[Printer] = relationship()
    requested_by: Mapped[User | None] = relationship()
    reprint_of: Mapped[PrintJob | None] = relationship(remote_side=[id])
    events: Mapped[list[PrintEvent]] = relationship(
        back_populates="job", order_by="PrintEvent.id", cascade="all, delete-orphan"
    )


class PrintEvent(Base):
    """One step of a print job, with when, on which printer and (if a person) who."""

    __tablename__ = "print_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("print_jobs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    printer_id: Mapped[int | None] = mapped_column(ForeignKey("printers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    job: Mapped[PrintJob] = relationship(back_populates="events")
    printer: Mapped[Printer | None] = relationship()
    user: Mapped[User | None] = relationship()
