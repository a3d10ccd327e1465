"""The hand-over («Отгрузка»): one pickup of parcels by one marketplace account on one date.

A Wildberries supply, an Ozon act (delivery method + departure date), a Yandex Market
first-mile shipment or a Megamarket shipping date: each is a ``HandOver``. Orders join
one when they are packed (WB orders when confirmed: WB issues their sticker only inside
a supply); the loader scans their parcels onto it; closing it sends the marketplace what
it needs and keeps the papers it answers with.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow

if TYPE_CHECKING:
    from warehouse.models.orders import MarketplaceAccount

# open: orders join and parcels are loaded; closing: the marketplace is being told
# (an outbox command); closed: the marketplace has it and the papers are kept;
# failed: the marketplace refused — a person looks, then retries.
HANDOVER_STATUSES = ("open", "closing", "closed", "failed")
OPEN = "status = 'open'"
KNOWN = "external_id != ''"


class HandOver(Base):
    __tablename__ = "handovers"
    __table_args__ = (
        CheckConstraint(one_of("status", HANDOVER_STATUSES), name="status"),
        # one open pickup per cabinet and day: packed orders have one place to join
        Index(
            "uq_handovers_open_per_day",
            "account_id",
            "ship_date",
            unique=True,
            sqlite_where=text(OPEN),
            postgresql_where=text(OPEN),
        ),
        # the marketplace's own number of a supply / act / shipment is one hand-over
        Index(
            "uq_handovers_external_id",
            "account_id",
            "external_id",
            unique=True,
            sqlite_where=text(KNOWN),
            postgresql_where=text(KNOWN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("marketplace_accounts.id"))
    ship_date: Mapped[date] = mapped_column(Date)
    external_id: Mapped[str] = mapped_column(String(100), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    marketplace_state: Mapped[str] = mapped_column(String(200), default="", server_default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closing_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    account: Mapped[MarketplaceAccount] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class HandOverDocument(Base):
    """A paper the marketplace gave for a hand-over: supply QR, act, waybill, act barcode."""

    __tablename__ = "handover_documents"
    __table_args__ = (UniqueConstraint("handover_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandOverEvent(Base):
    """One line of a hand-over's history: a scan, a decision, a marketplace call and answer.

    A loader's scan keeps its scan id: the ТСД resends a scan whose answer it lost, and the
    same scan id must get the same answer rather than «already loaded»."""

    __tablename__ = "handover_events"
    __table_args__ = (UniqueConstraint("handover_id", "scan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(
        ForeignKey("handovers.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(1000))
    scan_id: Mapped[str | None] = mapped_column(String(64))
    # the order a line is about (a parcel loaded or refused), for the order's timeline
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
