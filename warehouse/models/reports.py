"""What the reports read and keep: the marketplaces' sales statistics, their realization
(commissioner) reports matched to our orders, the FBO stock of each day, and the report
files made in the background for download."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.orders import MarketplaceAccount, Order
from warehouse.models.work import User

SALE_KINDS = ("order", "sale", "return", "cancel")
SCHEMES = ("fbs", "fbo")
COMMISSION_KINDS = ("sale", "return", "charge")
# a commissioner report being read from its marketplace, kept whole, or failed (the
# lines of the last full read stay)
COMMISSION_STATUSES = ("reading", "ready", "failed")
REPORT_KINDS = ("stock", "work", "sales", "commissioner", "profit", "reorder")
REPORT_FORMATS = ("xlsx", "csv")
RUN_STATUSES = ("queued", "running", "done", "failed")


class Sale(Base):
    """One row of a marketplace's sales statistics (an order, a sale, a return, a
    cancellation; FBS and FBO), kept by the marketplace's own row key: read again, it
    replaces itself."""

    __tablename__ = "sales"
    __table_args__ = (
        UniqueConstraint("account_id", "row_id"),
        CheckConstraint(one_of("kind", SALE_KINDS), name="kind"),
        CheckConstraint(one_of("scheme", SCHEMES), name="scheme"),
        CheckConstraint("quantity >= 0 AND amount >= 0", name="figures"),
        Index("ix_sales_at", "at"),
        Index("ix_sales_product_at", "product_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("marketplace_accounts.id", ondelete="CASCADE")
    )
    row_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    order_number: Mapped[str] = mapped_column(String(100), default="")
    scheme: Mapped[str] = mapped_column(String(8), default="fbs")
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(100), default="")
    article: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    amount: Mapped[int] = mapped_column(Integer, default=0)  # kopecks

    account: Mapped[MarketplaceAccount] = relationship()


class SalesRead(Base):
    """An account's sales statistics read: up to when the last complete read covers (the
    next read asks from a little before it), and the last failure, shown beside it."""

    __tablename__ = "sales_reads"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("marketplace_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    read_until: Mapped[datetime | None]
    rows: Mapped[int] = mapped_column(Integer, default=0)  # rows the last read brought
    tried_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))


class CommissionReport(Base):
    """A marketplace's realization report («отчёт комиссионера») for one account and
    period, its lines kept as the marketplace gave them and matched to our orders."""

    __tablename__ = "commission_reports"
    __table_args__ = (
        UniqueConstraint("account_id", "start", "end"),
        CheckConstraint('start <= "end"', name="period"),
        CheckConstraint(one_of("status", COMMISSION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("marketplace_accounts.id", ondelete="CASCADE")
    )
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="reading")
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)  # the last read asked
    read_at: Mapped[datetime | None]  # the last complete read
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[MarketplaceAccount] = relationship()
    lines: Mapped[list[CommissionLine]] = relationship(
        back_populates="report",
        order_by="CommissionLine.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CommissionLine(Base):
    """One line of a realization report, with the seller's signs (see
    ``marketplaces.base.RealizationRow``) and the order of ours it was matched to."""

    __tablename__ = "commission_lines"
    __table_args__ = (
        UniqueConstraint("report_id", "row_id"),
        CheckConstraint(one_of("kind", COMMISSION_KINDS), name="kind"),
        Index("ix_commission_lines_at", "at"),  # profit reads a period's lines
        CheckConstraint(one_of("scheme", SCHEMES), name="scheme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("commission_reports.id", ondelete="CASCADE"), index=True
    )
    row_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime]
    order_number: Mapped[str] = mapped_column(String(100), default="")
    scheme: Mapped[str] = mapped_column(String(8), default="fbs")
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(100), default="")
    article: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[int] = mapped_column(Integer, default=0)
    commission: Mapped[int] = mapped_column(Integer, default=0)
    logistics: Mapped[int] = mapped_column(Integer, default=0)
    other: Mapped[int] = mapped_column(Integer, default=0)
    payout: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(300), default="")

    report: Mapped[CommissionReport] = relationship(back_populates="lines")
    order: Mapped[Order | None] = relationship()


class FboStockDay(Base):
    """The FBO stock of one day (Moscow): the day's last full read of each account, so the
    stock report can tell what the marketplaces held on a past date."""

    __tablename__ = "fbo_stock_days"
    __table_args__ = (
        UniqueConstraint("day", "account_id", "product_id", "warehouse_name"),
        CheckConstraint("available >= 0 AND reserved >= 0 AND incoming >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("marketplace_accounts.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    warehouse_name: Mapped[str] = mapped_column(String(255))
    available: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer)
    incoming: Mapped[int] = mapped_column(Integer)


class ReportRun(Base):
    """A report file made in the background (RQ) for download: what was asked, how far it
    got, and the file, kept until removed."""

    __tablename__ = "report_runs"
    __table_args__ = (
        CheckConstraint(one_of("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(one_of("fmt", REPORT_FORMATS), name="fmt"),
        CheckConstraint(one_of("status", RUN_STATUSES), name="status"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        CheckConstraint("(status = 'done') = (content IS NOT NULL)", name="content_when_done"),
        Index("ix_report_runs_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    fmt: Mapped[str] = mapped_column(String(8))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]  # the last time a worker took it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None]
    file_name: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(String(500))

    created_by: Mapped[User | None] = relationship()
