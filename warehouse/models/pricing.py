"""Prices on the marketplaces' cards: price lists, the prices in them, and the documents
every change of price is made by (what, old → new, who, when, why), held by the guards
until a supervisor confirms and applied now or at a planned time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Product
from warehouse.models.listings import Listing
from warehouse.models.orders import MarketplaceAccount
from warehouse.models.work import User

# draft → (held →) approved (applied now) or scheduled (applied at run_at, again every
# repeat_days) → applied; a draft or held or scheduled one may be cancelled
PRICE_DOCUMENT_STATUSES = ("draft", "held", "scheduled", "applied", "cancelled")
PRICE_DOCUMENT_SOURCES = ("manual", "rule", "xlsx", "restore")
# why a line waits for a supervisor: below cost + fee + logistics, below the card's minimum
# price, a change larger than the list's limit, or nothing to check it against (no cost
# price and no price before: a typo would go out unseen)
HOLD_REASONS = ("below_cost", "below_minimum", "big_change", "no_basis")
# a price's way to its marketplace: waiting to be sent, sent and waiting for the
# marketplace's verdict (WB processes an upload later), taken, refused there
PUSH_STATUSES = ("pending", "checking", "sent", "refused")


class PriceList(Base):
    """A set of card prices for one marketplace account with the guards' figures: the
    marketplace's commission (basis points of the price), logistics per unit and the
    largest change (percent) sent without a supervisor's confirmation."""

    __tablename__ = "price_lists"
    __table_args__ = (
        UniqueConstraint("account_id", "name"),
        UniqueConstraint("id", "account_id"),  # the prices' composite key
        CheckConstraint("commission_bp BETWEEN 0 AND 9999", name="commission"),
        CheckConstraint("logistics >= 0", name="logistics"),
        CheckConstraint("max_change_percent BETWEEN 1 AND 1000", name="max_change"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("marketplace_accounts.id"))
    name: Mapped[str] = mapped_column(String(100))
    commission_bp: Mapped[int] = mapped_column(Integer, default=0)  # 1550 = 15.5 %
    logistics: Mapped[int] = mapped_column(Integer, default=0)  # kopecks per unit sold
    max_change_percent: Mapped[int] = mapped_column(Integer, default=20)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[MarketplaceAccount] = relationship()


class Price(Base):
    """A card's price in its list (one list per card of an account), what was last sent to
    the marketplace and what it answered, and what the marketplace last showed.

    Kopecks; ``price`` is what the buyer pays, ``old_price`` the price before the discount
    (None: no discount), ``min_price`` the lowest price a promotion may take it to."""

    __tablename__ = "prices"
    __table_args__ = (
        UniqueConstraint("account_id", "listing_id"),
        ForeignKeyConstraint(
            ["price_list_id", "account_id"], ["price_lists.id", "price_lists.account_id"]
        ),
        CheckConstraint("price > 0", name="price"),
        CheckConstraint("old_price IS NULL OR old_price > price", name="old_price"),
        CheckConstraint("min_price IS NULL OR min_price > 0", name="min_price"),
        CheckConstraint(one_of("push_status", PUSH_STATUSES), name="push_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("marketplace_accounts.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    price: Mapped[int] = mapped_column(Integer)
    old_price: Mapped[int | None] = mapped_column(Integer)
    min_price: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("price_documents.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the way out: what was last sent, and the marketplace's answer to it
    push_status: Mapped[str] = mapped_column(String(16), default="pending")
    push_error: Mapped[str] = mapped_column(String(500), default="")
    sent_price: Mapped[int | None] = mapped_column(Integer)
    sent_old_price: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime | None]
    # read back from the marketplace (where its API allows)
    market_price: Mapped[int | None] = mapped_column(Integer)
    market_old_price: Mapped[int | None] = mapped_column(Integer)
    read_at: Mapped[datetime | None]

    price_list: Mapped[PriceList] = relationship(viewonly=True)
    listing: Mapped[Listing] = relationship()


class PriceDocument(Base):
    """One change of prices in one list, kept whole: its lines (old → new), who made it and
    why, who confirmed what the guards held, and when it is (or was) applied."""

    __tablename__ = "price_documents"
    __table_args__ = (
        CheckConstraint(one_of("status", PRICE_DOCUMENT_STATUSES), name="status"),
        CheckConstraint(one_of("source", PRICE_DOCUMENT_SOURCES), name="source"),
        CheckConstraint("status <> 'scheduled' OR run_at IS NOT NULL", name="scheduled_at"),
        CheckConstraint("repeat_days IS NULL OR repeat_days BETWEEN 1 AND 366", name="repeat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_at: Mapped[datetime | None] = mapped_column(index=True)  # planned (UTC)
    repeat_days: Mapped[int | None] = mapped_column(Integer)  # 7 = every week
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None]  # the last time it was applied
    times_applied: Mapped[int] = mapped_column(Integer, default=0)
    # a timed discount's return: the document whose prices this one takes back
    restore_of_id: Mapped[int | None] = mapped_column(ForeignKey("price_documents.id"), unique=True)

    price_list: Mapped[PriceList] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    applied_by: Mapped[User | None] = relationship(foreign_keys=[applied_by_id])
    lines: Mapped[list[PriceDocumentLine]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="PriceDocumentLine.id"
    )
    restore_of: Mapped[PriceDocument | None] = relationship(
        remote_side=[id], back_populates="restore", foreign_keys=[restore_of_id]
    )
    restore: Mapped[PriceDocument | None] = relationship(
        back_populates="restore_of", foreign_keys=[restore_of_id], uselist=False
    )


class PriceDocumentLine(Base):
    """One card's new price in a document, with the price it had when the line was made,
    the break-even it was checked against and, when a guard held it, who confirmed it."""

    __tablename__ = "price_document_lines"
    __table_args__ = (
        UniqueConstraint("document_id", "listing_id"),
        CheckConstraint("price > 0", name="price"),
        CheckConstraint("old_price IS NULL OR old_price > price", name="old_price"),
        CheckConstraint("min_price IS NULL OR min_price > 0", name="min_price"),
        CheckConstraint(
            f"hold_reason IS NULL OR {one_of('hold_reason', HOLD_REASONS)}", name="hold_reason"
        ),
        CheckConstraint("confirmed_by_id IS NULL OR hold_reason IS NOT NULL", name="confirmed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("price_documents.id", ondelete="CASCADE"), index=True
    )
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    was_price: Mapped[int | None] = mapped_column(Integer)  # None: the card had no price
    was_old_price: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(Integer)
    old_price: Mapped[int | None] = mapped_column(Integer)
    min_price: Mapped[int | None] = mapped_column(Integer)
    floor: Mapped[int | None] = mapped_column(Integer)  # cost + fee + logistics, when known
    hold_reason: Mapped[str | None] = mapped_column(String(16))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    # the card's price when the hold was confirmed: a big change confirmed from one price
    # is not confirmed from another
    confirmed_was: Mapped[int | None] = mapped_column(Integer)

    document: Mapped[PriceDocument] = relationship(back_populates="lines")
    listing: Mapped[Listing] = relationship()
    product: Mapped[Product | None] = relationship()
    confirmed_by: Mapped[User | None] = relationship()

    @property
    def waits(self) -> bool:
        """Held by a guard and not yet confirmed: the document cannot be applied."""
        return self.hold_reason is not None and self.confirmed_by_id is None
