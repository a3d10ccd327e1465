"""Commands owed to outside systems (marketplaces, the accounting system), stored with
the change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.orders import MarketplaceAccount

if TYPE_CHECKING:
    from warehouse.models.accounting import AccountingAccount

OUTBOX_STATUSES = ("pending", "done", "failed", "cancelled")


class OutboxCommand(Base):
    """One command for one marketplace cabinet (``account``) or one accounting account
    (``accounting_account``): exactly one of the two."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(one_of("status", OUTBOX_STATUSES), name="status"),
        CheckConstraint(
            "(account_id IS NULL) <> (accounting_account_id IS NULL)", name="one_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("marketplace_accounts.id"))
    accounting_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounting_accounts.id"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    # set while pending on commands that must exist once (e.g. one stock push per account)
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    # who cancelled it on the desk (status ``cancelled``): the marketplace was never told
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    account: Mapped[MarketplaceAccount | None] = relationship()
    accounting_account: Mapped[AccountingAccount | None] = relationship()

    @property
    def cabinet(self) -> MarketplaceAccount:
        """The marketplace cabinet of a marketplace command (an accounting one has none)."""
        if self.account is None:
            raise ValueError(f"outbox command {self.id} is not a marketplace's")
        return self.account

    @property
    def target(self) -> MarketplaceAccount | AccountingAccount:
        """Whom the command is for: both kinds of account may be called or not, and keep
        their last problem the same way."""
        found = self.account or self.accounting_account
        if found is None:
            raise ValueError(f"outbox command {self.id} has no account")
        return found
