"""A card off the marketplace's showcase and back, per marketplace: by its stock (0 while
hidden: Wildberries and Megamarket have no other way) and, where the marketplace has a
call for it, by that call too (Ozon's archive after the stock is 0, Yandex Market's hidden
offers). Both go through the outbox, so a marketplace that is down hears it later."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.marketplaces import outbox
from warehouse.marketplaces.base import PriceItem
from warehouse.models import Listing, MarketplaceAccount, OutboxCommand
from warehouse.stock import stock_sync

logger = logging.getLogger(__name__)

HIDE_KIND, SHOW_KIND = "hide_cards", "show_cards"
# marketplaces whose showcase has its own call (the others: stock 0 only)
BY_CALL = ("ozon", "yandex")
# Ozon archives only a product whose stock is 0: the archive waits for the stock push
AFTER_STOCK_SECONDS = 10


def set_hidden(
    session: Session, account: MarketplaceAccount, listing_ids: Sequence[int], hidden: bool
) -> int:
    """Take these cards of the account off its showcase (or bring them back); returns how
    many changed. Their stock is pushed again (0 while hidden)."""
    wanted = set(listing_ids)
    found = session.scalars(
        select(Listing).where(Listing.account_id == account.id, Listing.id.in_(wanted))
    ).all()
    if len(found) != len(wanted):
        raise DomainError("showcase_card_unknown", account=account.name)
    cards = [card for card in found if card.hidden is not hidden]
    if not cards:
        return 0
    ids = [card.id for card in cards]
    session.execute(update(Listing).where(Listing.id.in_(ids)).values(hidden=hidden))
    stock_sync.changed(session, [card.product_id for card in cards if card.product_id])
    if account.kind in BY_CALL:
        outbox.queue_command(
            session,
            account,
            HIDE_KIND if hidden else SHOW_KIND,
            payload={"listing_ids": ids},
            delay_seconds=AFTER_STOCK_SECONDS if hidden else 0,
        )
    logger.info("showcase account=%s hidden=%s cards=%s", account.id, hidden, ids)
    return len(ids)


def deliver(session: Session, client: Any, command: OutboxCommand) -> None:
    """``hide_cards`` / ``show_cards``: the marketplace's own call, for the cards that are
    still as the command wants them (a card shown again since is not hidden)."""
    hidden = command.kind == HIDE_KIND
    cards = session.scalars(
        select(Listing).where(
            Listing.id.in_(command.payload.get("listing_ids", [])), Listing.hidden.is_(hidden)
        )
    ).all()
    items = [PriceItem(card.sku, card.marketplace_id, 1) for card in cards]
    if not items:
        return
    if hidden:
        client.hide_cards(items)
    else:
        client.show_cards(items)
