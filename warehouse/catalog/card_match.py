"""Which of our products a marketplace's report row is about (FBO stock, sales
statistics, realization reports): each names the card in its own way."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import Listing, MarketplaceAccount, Product, ProductBarcode


class CardKeys(Protocol):
    """The keys a row may carry (``marketplaces.base.FboRow``, ``SaleRow``,
    ``RealizationRow``): the card key stock is pushed by, the marketplace's id, the
    seller's article, a barcode."""

    @property
    def sku(self) -> str: ...
    @property
    def marketplace_id(self) -> str: ...
    @property
    def article(self) -> str: ...
    @property
    def barcode(self) -> str: ...


class ProductMatcher:
    """Which of our products a report row is: the account's card (by stock key, then
    marketplace id), else a product barcode, else a product article."""

    def __init__(self, session: Session, account: MarketplaceAccount) -> None:
        cards = session.execute(
            select(Listing.sku, Listing.marketplace_id, Listing.article, Listing.product_id).where(
                Listing.account_id == account.id, Listing.product_id.is_not(None)
            )
        ).all()
        self.by_sku = {sku: product for sku, _mid, _article, product in cards}
        self.by_mid = {mid: product for _sku, mid, _article, product in cards if mid}
        self.by_card_article = {art: product for _sku, _mid, art, product in cards if art}
        self.session = session
        self.by_barcode: dict[str, int | None] = {}
        self.by_article: dict[str, int | None] = {}

    def __call__(self, row: CardKeys) -> int | None:
        for key, known in (
            (row.sku, self.by_sku),
            (row.marketplace_id, self.by_mid),
            (row.article, self.by_card_article),
        ):
            if key and key in known:
                return known[key]
        if row.barcode:
            found = self._barcode(row.barcode)
            if found is not None:
                return found
        return self._article(row.article or row.sku)

    def _barcode(self, barcode: str) -> int | None:
        if barcode not in self.by_barcode:
            self.by_barcode[barcode] = self.session.scalar(
                select(ProductBarcode.product_id).where(ProductBarcode.barcode == barcode)
            )
        return self.by_barcode[barcode]

    def _article(self, article: str) -> int | None:
        if not article:
            return None
        if article not in self.by_article:
            self.by_article[article] = self.session.scalar(
                select(Product.id).where(Product.article == article)
            )
        return self.by_article[article]
