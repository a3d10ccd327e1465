"""The seller's accounting system (МойСклад): its account, import runs, the items it
names (each linked to one of our products), the documents we write there (shipments,
returns and supplies) and the stock by store it last reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
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
from warehouse.models.catalog import Product
from warehouse.models.orders import ACCOUNT_PROBLEMS, Order
from warehouse.models.receiving import Receipt

ACCOUNTING_KINDS = ("moysklad",)
SYNC_KINDS = ("assortment",)
SYNC_STATUSES = ("running", "done", "failed")
# МойСклад's own words for the documents we write: Отгрузка, Возврат покупателя, Приёмка
# purchaseorder: «what to order next» sent to the supplier (a Заказ поставщику)
DOCUMENT_KINDS = ("demand", "salesreturn", "supply", "purchaseorder")
ITEM_TYPES = ("product", "variant")


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

    @classmethod
    def callable_clause(cls) -> ColumnElement[bool]:
        """``may_be_called`` as SQL, for the cron and the outbox sweeper."""
        return and_(cls.active.is_(True), or_(cls.problem.is_(None), cls.problem != "auth"))


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
        CheckConstraint(one_of("item_type", ITEM_TYPES), name="item_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_accounts.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    # its meta type: a document's position points at entity/<item_type>/<external_id>
    item_type: Mapped[str] = mapped_column(String(20), default="product", server_default="product")
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    buy_price_kopecks: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship()


class AccountingDocument(Base):
    """A document we owe the accounting system: the shipment (``demand``) of one order
    handed over, the customer return (``salesreturn``) of one return received, or the
    supply (``supply``) of one delivery opened from a purchase order, once closed.

    ``external_code`` is our stable name for it there: looked up before creating, so a
    repeated delivery finds the document instead of making a second one; ``moysklad_id``
    is kept once known. ``positions`` is what was sent (item, quantity, price per order or
    delivery line), ``skipped`` the lines left out because their product has no МойСклад
    item.
    The outbox command (``command_id``) carries the delivery: attempts, errors, retries."""

    __tablename__ = "accounting_documents"
    __table_args__ = (
        UniqueConstraint(
            "account_id", "external_code", name="uq_accounting_documents_external_code"
        ),
        # one shipment and one return per order and account, one supply per delivery
        UniqueConstraint(
            "account_id", "kind", "order_id", name="uq_accounting_documents_one_per_order"
        ),
        UniqueConstraint(
            "account_id", "receipt_id", name="uq_accounting_documents_one_per_receipt"
        ),
        CheckConstraint(one_of("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'salesreturn') = (return_id IS NOT NULL)", name="return_has_return"
        ),
        CheckConstraint("(kind = 'supply') = (receipt_id IS NOT NULL)", name="supply_has_receipt"),
        CheckConstraint(
            "(kind IN ('supply', 'purchaseorder')) = (order_id IS NULL)",
            name="order_unless_supply",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("handovers.id"))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    external_code: Mapped[str] = mapped_column(String(255))
    moysklad_id: Mapped[str | None] = mapped_column(String(64))
    positions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(String(1000))  # МойСклад's refusal, in its words
    command_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    account: Mapped[AccountingAccount] = relationship()
    order: Mapped[Order | None] = relationship()
    receipt: Mapped[Receipt | None] = relationship()


class AccountingStock(Base):
    """What the accounting system last said one of our products has on one of its stores
    (``report/stock/bystore``); the whole account's rows are replaced by each full read."""

    __tablename__ = "accounting_stock"
    __table_args__ = (UniqueConstraint("account_id", "product_id", "store_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_accounts.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    store_id: Mapped[str] = mapped_column(String(64))
    store_name: Mapped[str] = mapped_column(String(255))
    stock: Mapped[float] = mapped_column(Float)
    reserve: Mapped[float] = mapped_column(Float)
    in_transit: Mapped[float] = mapped_column(Float)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
