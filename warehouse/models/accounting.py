"""The seller's accounting system (МойСклад): its account, import runs and the items it
names, each linked to one of our products."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Product
from warehouse.models.orders import ACCOUNT_PROBLEMS

ACCOUNTING_KINDS = ("moysklad",)
SYNC_KINDS = ("assortment",)
SYNC_STATUSES = ("running", "done", "failed")


class AccountingAccount(Base):
    """One account at an accounting system; its token sealed like a marketplace key."""

    __tablename__ = "accounting_accounts"
    __table_args__ = (
        CheckConstraint(one_of("kind", ACCOUNTING_KINDS), name="kind"),
        CheckConstraint(one_of("problem", ACCOUNT_PROBLEMS), name="problem"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(500))
    credentials_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    problem: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(String(1000))  # technical, for the log

    @property
    def may_be_called(self) -> bool:
        return self.active and self.problem != "auth"


class AccountingSync(Base):
    """One import run, resumable: ``next_offset`` is the first row not yet applied."""

    __tablename__ = "accounting_syncs"
    __table_args__ = (
        CheckConstraint(one_of("kind", SYNC_KINDS), name="kind"),
        CheckConstraint(one_of("status", SYNC_STATUSES), name="status"),
        CheckConstraint("next_offset >= 0", name="offset_not_negative"),
        CheckConstraint("total IS NULL OR total >= 0", name="total_not_negative"),
        CheckConstraint("applied >= 0 AND attempts >= 0", name="counts_not_negative"),
        CheckConstraint(
            "(status = 'running') = (finished_at IS NULL)", name="finished_when_not_running"
        ),
        # one running import of a kind per account
        Index(
            "uq_accounting_syncs_running",
            "account_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_accounts.id"))
    kind: Mapped[str] = mapped_column(String(16), default="assortment")
    status: Mapped[str] = mapped_column(String(16), default="running")
    next_offset: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    applied: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    account: Mapped[AccountingAccount] = relationship()


class AccountingItem(Base):
    """An item of the accounting system (its id) and the product it is here, with what
    the accounting system says it cost to buy (kopecks)."""

    __tablename__ = "accounting_items"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        CheckConstraint("buy_price_kopecks IS NULL OR buy_price_kopecks >= 0", name="buy_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_accounts.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    buy_price_kopecks: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship()
