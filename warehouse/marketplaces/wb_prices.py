"""Wildberries prices and discounts (the discounts-prices-api host): push, outcomes, read back.

Shapes from WB's products OpenAPI (``02-products.yaml``, eslazarev/wildberries-sdk
``specs/``, 2025-12). A price is per card (nmID): ``price`` is the price before the
discount in whole roubles, ``discount`` a percent. ``POST /api/v2/upload/task`` (≤1000
items) answers with an upload id (208 with ``alreadyExists`` for the same upload again);
WB processes it later: ``GET /api/v2/history/tasks`` says when (3 done, 4 cancelled, 5
some items in error, 6 all of them) and ``…/history/goods/task`` per item (2 updated, 3
error with ``errorText``). A 400 whose text says the prices are «already set» (alone, or
together with «item Nos. are specified incorrectly») changed nothing: the read back
(``POST /api/v2/list/goods/filter``) tells which items are already at the price.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warehouse.marketplaces import http, money
from warehouse.marketplaces.base import (
    MarketplaceError,
    MarketPrice,
    PriceItem,
    PriceOutcome,
    PriceUpload,
)
from warehouse.marketplaces.http import batches

logger = logging.getLogger(__name__)

PRICE_BATCH = 1000  # upload/task: at most 1,000 items
READ_BATCH = 1000  # list/goods/filter: nmList at most 1,000
HISTORY_PAGE = 1000  # history/goods/task: limit at most 1,000
UPLOAD_PATH = "/api/v2/upload/task"
ALREADY_SET = "already set"
TASK_DONE = frozenset({3, 5, 6})
TASK_CANCELLED = 4
ITEM_UPDATED = 2


@dataclass(frozen=True)
class WbPrice:
    """What WB is sent for one card: whole roubles before the discount, the discount in %."""

    nm_id: int
    price: int
    discount: int

    def entry(self) -> dict[str, int]:
        return {"nmID": self.nm_id, "price": self.price, "discount": self.discount}


# one card's price and the skus (sizes) it is for
Planned = tuple[WbPrice, tuple[str, ...]]


class WbCalls:
    """What a mixin of ``WildberriesClient``'s calls uses of it: its one ``_send``."""

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        base: str = "",
        answered: Collection[int] = (),
    ) -> http.Answer:
        raise NotImplementedError  # WildberriesClient's own


class PriceCalls(WbCalls):
    """The price calls of ``WildberriesClient`` (mixed in; it provides ``_send``)."""

    _prices_url: str

    def push_prices(self, items: Sequence[PriceItem]) -> PriceUpload:
        """Upload the prices, 1,000 cards a call; outcomes come later (``price_task_outcomes``)
        except for cards refused here or already at the price. Safe to repeat whole."""
        planned, outcomes = plan(items)
        task_ids: list[str] = []
        for batch in batches(planned, PRICE_BATCH):
            task_id, refused = self._upload(batch)
            outcomes += refused
            if task_id:
                task_ids.append(task_id)
        logger.info("wb prices pushed cards=%s tasks=%s", len(planned), task_ids)
        return PriceUpload(outcomes=tuple(outcomes), task_ids=tuple(task_ids))

    def price_task_outcomes(
        self, task_id: str, items: Sequence[PriceItem]
    ) -> tuple[PriceOutcome, ...] | None:
        """What WB made of an upload, per sku of ``items``; None while it is processing.

        A card WB left out of the upload's detail is ok when the read back shows it at the
        price sent, else an error.
        """
        params = {"uploadID": task_id}
        data = self._prices("GET", "/api/v2/history/tasks", params=params).get("data")
        status = data.get("status") if isinstance(data, dict) else None
        if status == TASK_CANCELLED:
            return tuple(
                PriceOutcome(item.sku, False, "cancelled by Wildberries") for item in items
            )
        if status not in TASK_DONE:
            return None
        planned, outcomes = plan(items)
        detail = self._task_goods(task_id)
        missing = [price for price, _skus in planned if price.nm_id not in detail]
        current = self._current([price.nm_id for price in missing]) if missing else {}
        for price, skus in planned:
            error = detail.get(price.nm_id)
            if error is None:
                seen = current.get(price.nm_id)
                ok = seen == (price.price, price.discount)
                error = "" if ok else f"Wildberries left nmID {price.nm_id} out of upload {task_id}"
            outcomes += [PriceOutcome(sku, not error, error) for sku in skus]
        return tuple(outcomes)

    def read_prices(self, items: Sequence[PriceItem]) -> dict[str, MarketPrice]:
        """sku → the card's price on WB now (the buyer's price, and the price before the
        discount when there is one); cards WB does not return are absent."""
        skus: dict[int, list[str]] = {}
        for item in items:
            if item.marketplace_id.strip().isdecimal():
                skus.setdefault(int(item.marketplace_id), []).append(item.sku)
        found: dict[str, MarketPrice] = {}
        for good in self._goods(list(skus)):
            nm_id, price, old_price, _before, _discount = good
            found.update({sku: MarketPrice(sku, price, old_price) for sku in skus.get(nm_id, ())})
        return found

    # --- helpers -------------------------------------------------------------------------

    def _upload(self, batch: Sequence[Planned]) -> tuple[str, list[PriceOutcome]]:
        """One upload: its id, or outcomes when WB refused it whole (400)."""
        body = {"data": [price.entry() for price, _skus in batch]}
        answer = self._send("POST", UPLOAD_PATH, json=body, base=self._prices_url, answered=(400,))
        if answer.response.status_code == 400:
            text = _error_text(answer)
            if ALREADY_SET in text.lower():
                return "", self._already_set(batch, text)
            logger.warning("wb price upload refused cards=%s: %s", len(batch), text)
            return "", [PriceOutcome(sku, False, text) for _price, skus in batch for sku in skus]
        task_id = str((answer.object().get("data") or {}).get("id") or "")
        if not task_id:
            raise MarketplaceError("Wildberries gave no upload id for the prices")
        return task_id, []

    def _already_set(self, batch: Sequence[Planned], text: str) -> list[PriceOutcome]:
        current = self._current([price.nm_id for price, _skus in batch])
        outcomes = []
        for price, skus in batch:
            ok = current.get(price.nm_id) == (price.price, price.discount)
            outcomes += [PriceOutcome(sku, ok, "" if ok else text) for sku in skus]
        return outcomes

    def _task_goods(self, task_id: str) -> dict[int, str]:
        """nmID → "" when updated, else WB's error texts, for every item of the upload."""
        found: dict[int, str] = {}
        offset = 0
        while True:
            params = {"uploadID": task_id, "limit": HISTORY_PAGE, "offset": offset}
            data = self._prices("GET", "/api/v2/history/goods/task", params=params).get("data")
            page = (data.get("historyGoods") if isinstance(data, dict) else None) or []
            for good in http.readable(page, _good_outcome, "Wildberries", "price item"):
                nm_id, error = good
                found[nm_id] = "; ".join(filter(None, (found.get(nm_id, ""), error)))
            if len(page) < HISTORY_PAGE:
                return found
            offset += len(page)

    def _current(self, nm_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """nmID → (whole roubles before the discount, discount) as WB holds them."""
        return {good[0]: (good[3], good[4]) for good in self._goods(nm_ids)}

    def _goods(self, nm_ids: Sequence[int]) -> list[tuple[int, int, int | None, int, int]]:
        """(nmID, buyer's price, old price or None, roubles before discount, discount)."""
        found = []
        for batch in batches(list(dict.fromkeys(nm_ids)), READ_BATCH):
            data = self._prices("POST", "/api/v2/list/goods/filter", json={"nmList": batch})
            goods = (data.get("data") or {}).get("listGoods") or []
            found += http.readable(goods, _good_price, "Wildberries", "price")
        return found

    def _prices(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> dict[str, Any]:
        return self._send(method, path, params=params, json=json, base=self._prices_url).object()


def plan(items: Sequence[PriceItem]) -> tuple[list[Planned], list[PriceOutcome]]:
    """One WB price per nmID (the skus are its sizes), and the outcomes of cards refused
    here: no nmID, sizes at different prices, not whole roubles, a discount out of 0–99 %."""
    groups: dict[str, list[PriceItem]] = {}
    for item in items:
        groups.setdefault(item.marketplace_id.strip(), []).append(item)
    planned: list[Planned] = []
    refused: list[PriceOutcome] = []
    for nm_id, group in groups.items():
        skus = tuple(item.sku for item in group)
        price = _wb_price(nm_id, group)
        if isinstance(price, str):
            refused += [PriceOutcome(sku, False, price) for sku in skus]
        else:
            planned.append((price, skus))
    return planned, refused


def _wb_price(nm_id: str, group: Sequence[PriceItem]) -> WbPrice | str:
    """The card's WB price, or why it cannot be sent."""
    if not nm_id.isdecimal():
        return "the card has no Wildberries nmID"
    if len({(item.price, item.old_price) for item in group}) > 1:
        return f"the sizes of nmID {nm_id} have different prices; Wildberries sets one per card"
    item = group[0]
    before = item.price if item.old_price is None else item.old_price
    if item.price <= 0 or before < item.price:
        return "the price must be above zero and not above the old price"
    roubles = money.whole_roubles(before)
    if roubles is None:
        return (
            f"{money.roubles_text(before)} ₽ is not whole roubles: Wildberries takes whole roubles"
        )
    discount = 0 if item.old_price is None else round(100 - item.price * 100 / before)
    if not 0 <= discount <= 99:
        return f"a discount of {discount} % is outside Wildberries' 0–99 %"
    return WbPrice(int(nm_id), roubles, discount)


def _good_price(good: dict[str, Any]) -> tuple[int, int, int | None, int, int]:
    """A ``listGoods`` card: its first size's prices (one price per card unless WB lets
    sizes be priced apart, ``editableSizePrice``)."""
    size = good["sizes"][0]
    price, before = money.kopecks(size["discountedPrice"]), int(size["price"])
    if price is None:
        raise ValueError(f"unreadable discountedPrice {size['discountedPrice']!r}")
    discount = int(good.get("discount") or 0)
    return int(good["nmID"]), price, (before * 100 if discount > 0 else None), before, discount


def _good_outcome(good: dict[str, Any]) -> tuple[int, str]:
    """(nmID, "" when updated, else WB's error text) of a ``historyGoods`` item."""
    if int(good["status"]) == ITEM_UPDATED:
        return int(good["nmID"]), ""
    return int(good["nmID"]), str(good.get("errorText") or "refused by Wildberries")


def _error_text(answer: http.Answer) -> str:
    try:
        body = answer.response.json()
    except ValueError:
        return answer.response.text[:200]
    text = body.get("errorText") if isinstance(body, dict) else None
    return str(text or body)[:300]
