"""Product cards of every cabinet, linked to our products by barcode or article."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import NotFound
from warehouse.marketplaces.base import ProductCard
from warehouse.models import Listing, MarketplaceAccount, Product, ProductBarcode

logger = logging.getLogger(__name__)


@dataclass
class CardsResult:
    created: int = 0
    updated: int = 0
    linked: int = 0
    unlinked: int = 0


def import_cards(
    session: Session, account: MarketplaceAccount, cards: list[ProductCard]
) -> CardsResult:
    """Upsert the account's cards by sku and link new or unlinked ones to our products."""
    result = CardsResult()
    existing = {
        listing.sku: listing
        for listing in session.scalars(select(Listing).where(Listing.account_id == account.id))
    }
    for card in cards:
        listing = existing.get(card.sku)
        if listing is None:
            listing = Listing(account_id=account.id, sku=card.sku)
            session.add(listing)
            result.created += 1
        else:
            result.updated += 1
        listing.article, listing.name = card.article, card.name
        listing.barcodes, listing.marketplace_id = list(card.barcodes), card.marketplace_id
        if listing.product_id is None:
            listing.product = match_product(session, card.barcodes, card.article)
        if listing.product is None and listing.product_id is None:
            result.unlinked += 1
        else:
            result.linked += 1
    session.flush()
    logger.info("cards imported account=%s %s", account.id, result)
    return result


def match_product(session: Session, barcodes: tuple[str, ...], article: str) -> Product | None:
    """Our product for a marketplace's card or line: any of its barcodes, else the article."""
    if barcodes:
        found = session.scalar(
            select(Product)
            .join(ProductBarcode)
            .where(ProductBarcode.barcode.in_(barcodes))
            .limit(1)
        )
        if found is not None:
            return found
    if article:
        return session.scalar(select(Product).where(Product.article == article))
    return None


def product_for_sku(session: Session, account_id: int, sku: str) -> Product | None:
    if not sku:
        return None
    listing = session.scalar(
        select(Listing).where(Listing.account_id == account_id, Listing.sku == sku)
    )
    return listing.product if listing is not None else None


def unlinked(session: Session, limit: int = 200) -> list[Listing]:
    return list(
        session.scalars(
            select(Listing).where(Listing.product_id.is_(None)).order_by(Listing.id).limit(limit)
        )
    )


def link(session: Session, listing_id: int, product_id: int) -> Listing:
    """A supervisor links a card to one of our products by hand."""
    listing = session.get(Listing, listing_id)
    product = session.get(Product, product_id)
    if listing is None or product is None:
        raise NotFound("listing_not_found")
    listing.product = product
    listing.last_pushed = None  # its stock has never been pushed for this product
    session.flush()
    return listing
