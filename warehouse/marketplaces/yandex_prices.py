"""Yandex Market prices and the showcase: push, read back, hide and show.

Shapes from yandex-market/yandex-market-partner-api ``openapi/`` (2026-07):
``POST /v2/businesses/{businessId}/offer-prices/updates`` (``updateBusinessPrices``: 1..500
unique offers, ``price {value > 0, currencyId, discountBase}``; the crossed-out
``discountBase`` is a whole number, sent every time a discount is kept) answers
``{"status": "OK"}`` with no per-offer result, or refuses the whole call (400); at most
10,000 offers a minute (420). ``POST /v2/businesses/{businessId}/offer-prices``
(``getDefaultPrices``: ``offerIds`` ≤200, ``limit`` ≤500, ``pageToken``) reads them back.
``POST /v2/campaigns/{campaignId}/hidden-offers`` hides offers of the shop (≤500),
``…/hidden-offers/delete`` shows them again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from warehouse.marketplaces import http, money
from warehouse.marketplaces.base import MarketPrice, PriceItem, PriceOutcome, PriceUpload

logger = logging.getLogger(__name__)

PRICE_BATCH = 500  # UpdateBusinessPricesRequest.offers maxItems
READ_BATCH = 200  # GetDefaultPricesRequest.offerIds maxItems
READ_PAGE = 500  # PageLimit500Truncate
HIDE_BATCH = 500  # AddHiddenOffersRequest / DeleteHiddenOffersRequest maxItems
CURRENCY = "RUR"
ERRORS = http.listed_errors("errors")

# an offer's body for updates, and the sku it is for
Planned = tuple[dict[str, Any], str]


class PriceCalls:
    """The price and showcase calls of ``YandexClient`` (mixed in)."""

    business_id: int
    campaign_id: int

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        answered: Collection[int] = (),
    ) -> http.Answer:
        raise NotImplementedError  # YandexClient's own

    def _pages(
        self, path: str, body: Any, limit: int, *, inside: str = ""
    ) -> Iterator[dict[str, Any]]:
        raise NotImplementedError  # YandexClient's own

    def push_prices(self, items: Sequence[PriceItem]) -> PriceUpload:
        """The business's prices (every shop), 500 offers a call.

        YM answers per call: an accepted call makes each of its offers ok, a refused one
        (400) each of them an error with YM's message; the other calls still go.
        """
        planned, outcomes = plan(items)
        path = f"/v2/businesses/{self.business_id}/offer-prices/updates"
        for batch in http.batches(planned, PRICE_BATCH):
            body = {"offers": [offer for offer, _sku in batch]}
            answer = self._send("POST", path, json=body, answered=(400,))
            text = ""
            if answer.response.status_code == 400:
                text = http.read_error(answer.response, ERRORS)[1] or "refused by Yandex Market"
                logger.warning("ym price call refused offers=%s: %s", len(batch), text)
            outcomes += [PriceOutcome(sku, not text, text) for _offer, sku in batch]
        logger.info("ym prices pushed offers=%s", len(planned))
        return PriceUpload(outcomes=tuple(outcomes))

    def read_prices(self, items: Sequence[PriceItem]) -> dict[str, MarketPrice]:
        """offerId (sku) → the business's price now; offers YM does not return are absent."""
        path = f"/v2/businesses/{self.business_id}/offer-prices"
        found: dict[str, MarketPrice] = {}
        for batch in http.batches(list(dict.fromkeys(item.sku for item in items)), READ_BATCH):
            for page in self._pages(path, {"offerIds": list(batch)}, READ_PAGE, inside="result"):
                found.update(dict(http.readable(page.get("offers"), _market_price, "YM", "price")))
        return found

    def hide_cards(self, items: Sequence[PriceItem]) -> None:
        """Hide the shop's offers on the Market (it takes effect within minutes)."""
        self._hidden(f"/v2/campaigns/{self.campaign_id}/hidden-offers", items)

    def show_cards(self, items: Sequence[PriceItem]) -> None:
        """Show offers hidden by us again."""
        self._hidden(f"/v2/campaigns/{self.campaign_id}/hidden-offers/delete", items)

    def _hidden(self, path: str, items: Sequence[PriceItem]) -> None:
        skus = list(dict.fromkeys(item.sku for item in items))
        for batch in http.batches(skus, HIDE_BATCH):
            self._send("POST", path, json={"hiddenOffers": [{"offerId": sku} for sku in batch]})
        logger.info("ym %s offers=%s", path.rsplit("/", 1)[-1], len(skus))


def plan(items: Sequence[PriceItem]) -> tuple[list[Planned], list[PriceOutcome]]:
    """One offer per sku, and the outcomes of those refused here: two prices for one offer,
    a price not above zero, a crossed-out price that is not whole roubles."""
    prices: dict[str, set[tuple[int, int | None]]] = {}
    for item in items:
        prices.setdefault(item.sku, set()).add((item.price, item.old_price))
    planned: list[Planned] = []
    refused: list[PriceOutcome] = []
    for sku, sent in prices.items():
        offer = _offer(sku, sent)
        if isinstance(offer, str):
            refused.append(PriceOutcome(sku, False, offer))
        else:
            planned.append((offer, sku))
    return planned, refused


def _offer(sku: str, sent: set[tuple[int, int | None]]) -> dict[str, Any] | str:
    if len(sent) > 1:
        return "two different prices for one offer"
    [(price, old_price)] = sent
    if price <= 0:
        return "the price must be above zero"
    value: dict[str, Any] = {"value": money.roubles_number(price), "currencyId": CURRENCY}
    if old_price is not None:
        base = money.whole_roubles(old_price)
        if base is None:
            text = money.roubles_text(old_price)
            return f"{text} ₽ is not whole roubles: Yandex Market's crossed-out price is whole"
        value["discountBase"] = base
    return {"offerId": sku, "price": value}


def _market_price(offer: dict[str, Any]) -> tuple[str, MarketPrice]:
    sku, price = str(offer["offerId"]), offer["price"]
    value = money.kopecks(price["value"])
    if value is None:
        raise ValueError(f"unreadable price {price['value']!r}")
    base = money.kopecks(price.get("discountBase") or 0) or 0
    return sku, MarketPrice(sku, value, base if base > value else None)
