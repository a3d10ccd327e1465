"""Free stock to every linked card of every cabinet, debounced, never a false zero.

A change of free stock marks the accounts that sell the product: each gets one
pending ``push_stock`` outbox command (at most one, by its dedupe key), due a few
seconds later so a burst of changes becomes one push. The levels are computed
when the command is delivered, and only cards whose level changed since the last
successful push are sent. A product never counted in the account's warehouse
(no stock rows) is not pushed at all: unknown is not zero, and sellers are
blocked for zeroed stock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.alerts import low_stock
from warehouse.marketplaces import outbox
from warehouse.models import (
    Listing,
    Location,
    MarketplaceAccount,
    OutboxCommand,
    Product,
    Stock,
)
from warehouse.stock.overview import free_units

logger = logging.getLogger(__name__)

PUSH_KIND = "push_stock"


def changed(session: Session, product_ids: Iterable[int], delay_seconds: float = 5) -> None:
    """Free stock of these products changed: queue a push to every account selling them."""
    ids = set(product_ids)
    if not ids:
        return
    account_ids = session.scalars(
        select(Listing.account_id).where(Listing.product_id.in_(ids)).distinct()
    )
    for account_id in list(account_ids):
        queue_push(session, session.get_one(MarketplaceAccount, account_id), delay_seconds)
    # after the pushes: a push's savepoint rolled back (one queued at the same moment)
    # drops what was gathered for after the commit, this mark included
    low_stock.mark(session, ids)  # a level may have crossed its minimum


def queue_push(session: Session, account: MarketplaceAccount, delay_seconds: float = 5) -> None:
    key = f"{PUSH_KIND}:{account.id}"
    if session.scalar(select(OutboxCommand.id).where(OutboxCommand.dedupe_key == key)):
        return  # one is pending already; it will compute the levels when it runs
    try:
        with session.begin_nested():
            outbox.queue_command(
                session, account, PUSH_KIND, dedupe_key=key, delay_seconds=delay_seconds
            )
    except IntegrityError:  # another transaction queued it at the same moment
        logger.info("stock push already queued account=%s", account.id)


def levels(session: Session, account: MarketplaceAccount) -> dict[str, int]:
    """sku → free stock in the account's warehouse, for linked cards whose level changed."""
    return {card.sku: card.free for card in free_by_card(session, account) if card.changed}


@dataclass(frozen=True)
class CardLevel:
    sku: str
    product_id: int
    free: int  # what the marketplace may sell now
    last_pushed: int | None  # what it was last sent

    @property
    def changed(self) -> bool:
        return self.free != self.last_pushed


def free_by_card(session: Session, account: MarketplaceAccount) -> list[CardLevel]:
    """Every linked card of the account with the free stock behind it in the account's
    warehouse (the push's figures; the API's free stock per marketplace account)."""
    # a product switched off in the catalogue is not for sale anywhere (as reservations)
    free = func.sum(case((~Product.active, 0), else_=free_units()))
    rows = session.execute(
        select(Listing.sku, Listing.product_id, Listing.last_pushed, Listing.hidden, free)
        .join(Stock, Stock.product_id == Listing.product_id)
        .join(Location, Location.id == Stock.location_id)
        .join(Product, Product.id == Stock.product_id)
        .where(Listing.account_id == account.id, Location.warehouse_id == account.warehouse_id)
        .group_by(Listing.id, Listing.sku, Listing.product_id, Listing.last_pushed, Listing.hidden)
        .order_by(Listing.sku)
    )
    # a card taken off the showcase sells nothing: its stock goes out as 0
    return [
        CardLevel(sku, product_id, 0 if hidden else max(int(amount), 0), last)
        for sku, product_id, last, hidden, amount in rows
        if amount is not None
    ]


def pushed(session: Session, account: MarketplaceAccount, sent: dict[str, int]) -> None:
    """Remember what the marketplace now has, so the next push sends only changes."""
    for sku, amount in sent.items():
        session.execute(
            update(Listing)
            .where(Listing.account_id == account.id, Listing.sku == sku)
            .values(last_pushed=amount)
        )


def resync(session: Session, account: MarketplaceAccount) -> None:
    """Ops: forget what was pushed and send every linked card's level again."""
    session.execute(
        update(Listing).where(Listing.account_id == account.id).values(last_pushed=None)
    )
    queue_push(session, account, delay_seconds=0)
