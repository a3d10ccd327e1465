"""Commands owed to marketplaces, stored with the change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.orders import MarketplaceAccount

OUTBOX_STATUSES = ("pending", "done", "failed")


class OutboxCommand(Base):
    __tablename__ = "outbox"
    __table_args__ = (CheckConstraint(one_of("status", OUTBOX_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("marketplace_accounts.id"))
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

    account: Mapped[MarketplaceAccount] = relationship()
