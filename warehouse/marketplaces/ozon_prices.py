"""Ozon prices and the showcase: push, read back, archive and unarchive.

Shapes from Ozon's Seller API swagger (salacoste/ozon-daytona-seller-api,
``ozon-swagger-docs/swagger.json``, 2025-09). ``POST /v1/product/import/prices`` (≤1000)
takes roubles as strings (``old_price`` "0" = no discount) and answers per product
(``result[{offer_id, updated, errors[{code, message}]}]``); a product's price may change
at most 10 times an hour. ``POST /v5/product/info/prices`` reads prices back as numbers,
paged by ``cursor``. Ozon has no call that hides a card: ``/v1/product/archive`` and
``/unarchive`` (≤100 product_ids) take it off the showcase and back (the stock should be 0
before archiving; an unarchived card sells again once its stock is set).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from warehouse.marketplaces import http, money
from warehouse.marketplaces.base import (
    MarketPrice,
    PriceItem,
    PriceOutcome,
    PriceUpload,
    RejectedError,
)
from warehouse.marketplaces.http import batches

logger = logging.getLogger(__name__)

PRICE_BATCH = 1000
READ_PAGE = 1000  # info/prices: limit 1..1000, filter.offer_id up to 1000
ARCHIVE_BATCH = 100


class PriceCalls:
    """The price and showcase calls of ``OzonClient`` (mixed in; it provides ``_json``)."""

    def _json(self, path: str, body: Any) -> dict[str, Any]:
        raise NotImplementedError  # OzonClient's own

    def push_prices(self, items: Sequence[PriceItem]) -> PriceUpload:
        """Prices by offer_id, 1,000 a call; Ozon's outcome per product comes at once."""
        outcomes: list[PriceOutcome] = []
        for batch in batches(items, PRICE_BATCH):
            result = self._json("/v1/product/import/prices", {"prices": [_entry(i) for i in batch]})
            answered = _outcomes(result.get("result"))
            for item in batch:
                outcome = answered.get(item.sku)
                outcomes.append(outcome or PriceOutcome(item.sku, False, "Ozon gave no result"))
        failed = sum(not outcome.ok for outcome in outcomes)
        logger.info("ozon prices pushed items=%s failed=%s", len(items), failed)
        return PriceUpload(outcomes=tuple(outcomes))

    def read_prices(self, items: Sequence[PriceItem]) -> dict[str, MarketPrice]:
        """offer_id (sku) → the card's price on Ozon now; offers Ozon does not return are absent."""
        found: dict[str, MarketPrice] = {}
        for batch in batches(list(dict.fromkeys(item.sku for item in items)), READ_PAGE):
            cursor = ""
            while True:
                body = {
                    "filter": {"offer_id": list(batch), "visibility": "ALL"},
                    "limit": READ_PAGE,
                    "cursor": cursor,
                }
                answer = self._json("/v5/product/info/prices", body)
                page = answer.get("items") or []
                found.update(dict(http.readable(page, _market_price, "Ozon", "price")))
                cursor = str(answer.get("cursor") or "")
                if len(page) < READ_PAGE or not cursor:
                    break
        return found

    def hide_cards(self, items: Sequence[PriceItem]) -> None:
        """Take the cards off the showcase: archive them by product_id, 100 a call."""
        self._archive("/v1/product/archive", items)

    def show_cards(self, items: Sequence[PriceItem]) -> None:
        """Bring archived cards back (they sell again once their stock is set)."""
        self._archive("/v1/product/unarchive", items)

    def _archive(self, path: str, items: Sequence[PriceItem]) -> None:
        missing = [item.sku for item in items if not item.marketplace_id.strip().isdecimal()]
        if missing:
            raise RejectedError(f"no Ozon product_id for {missing}", code="product_id")
        ids = list(dict.fromkeys(int(item.marketplace_id) for item in items))
        for batch in batches(ids, ARCHIVE_BATCH):
            self._json(path, {"product_id": list(batch)})
        logger.info("ozon %s products=%s", path.rsplit("/", 1)[-1], len(ids))


def _entry(item: PriceItem) -> dict[str, str]:
    entry = {
        "offer_id": item.sku,
        "price": money.roubles_text(item.price),
        "old_price": "0" if item.old_price is None else money.roubles_text(item.old_price),
        "currency_code": "RUB",
    }
    if item.min_price is not None:
        entry["min_price"] = money.roubles_text(item.min_price)
    return entry


def _outcomes(result: Any) -> dict[str, PriceOutcome]:
    """offer_id → outcome, from ``result[{offer_id, updated, errors[{code, message}]}]``."""
    found: dict[str, PriceOutcome] = {}
    for entry in result or ():
        if not isinstance(entry, dict):
            continue
        offer = str(entry.get("offer_id") or "")
        errors = [e for e in entry.get("errors") or () if isinstance(e, dict)]
        text = "; ".join(f"{e.get('code', '')}: {e.get('message', '')}" for e in errors)
        ok = bool(entry.get("updated")) and not errors
        found[offer] = PriceOutcome(offer, ok, "" if ok else text or "not updated")
    return found


def _market_price(item: dict[str, Any]) -> tuple[str, MarketPrice]:
    offer = str(item["offer_id"])
    price = money.kopecks(item["price"]["price"])
    if price is None:
        raise ValueError(f"unreadable price {item['price']['price']!r}")
    old = money.kopecks(item["price"].get("old_price") or 0) or 0
    return offer, MarketPrice(offer, price, old if old > price else None)
