"""Yandex Market Partner API (FBS) connector: orders, boxes, marking, labels, stock, cards.

One order holds several items; the seller lays them out in boxes (``PUT …/boxes``, with
Честный знак codes) and then sets ``PROCESSING/READY_TO_SHIP``. Every HTTP answer is turned
into our shapes or into one of ``base``'s errors in ``_send``; nothing else looks at status
codes. The key goes only into the ``Api-Key`` header, never into messages or logs.
Throttling is HTTP 420 with ``X-RateLimit-Resource-Until`` (a date, not seconds). Prices and
hidden offers are mixed in from ``yandex_prices``; sales statistics and the realization
report from ``yandex_reports``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, ClassVar

import httpx

from warehouse.marketplaces import http
from warehouse.marketplaces.base import (
    AuthError,
    FboRow,
    IncomingLine,
    IncomingOrder,
    Label,
    ProductCard,
    RejectedError,
    TransientError,
)
from warehouse.marketplaces.http import SellerApi, batches
from warehouse.marketplaces.yandex_first_mile import FirstMile
from warehouse.marketplaces.yandex_prices import PriceCalls
from warehouse.marketplaces.yandex_reports import ReportCalls

logger = logging.getLogger(__name__)

NAME = "Yandex Market"
ORDERS_PAGE = 50  # the search answers at most 50 orders per page
CARDS_PAGE = 200
STOCKS_PAGE = 200  # POST …/offers/stocks: limit at most 200 (PageLimit200)
# FBY stock types (WarehouseStockType): AVAILABLE is free to sell, FREEZE held for orders;
# FIT is their sum, and defects, quarantine, expired and utilisation are not for sale.
STOCK_BATCH = 2000  # UNCONFIRMED: the fact sheet gives 100 000 SKU/min, not a per-call cap
LABEL_FORMAT = "A7"  # 75×120 mm; also A9, A9_HORIZONTALLY, A4
# The search takes ``page_token`` (snake case, like the other v2 methods); the fact sheet
# writes ``pageToken``. UNCONFIRMED which spelling the live v1 search prefers.
PAGE_TOKEN_PARAM = "page_token"
NEW_STATUS, NEW_SUBSTATUS = "PROCESSING", "STARTED"
READY_STATUS, READY_SUBSTATUS = "PROCESSING", "READY_TO_SHIP"
# YM knows no free-text reason for a seller's cancel: every one is SHOP_FAILED.
SELLER_CANCEL = ("CANCELLED", "SHOP_FAILED")
# Shipment dates are days in Moscow time; a missing ``shipmentTime`` means the day's end.
MARKET_TZ = timezone(timedelta(hours=3), "MSK")
DAY_END = time(23, 59, 59)
THROTTLED = frozenset({420, 429})
# ``{status: "ERROR", errors: [{code, message}]}``: the first code, every message.
ERRORS = http.listed_errors("errors")
# 423 Locked: the cabinet is being migrated, "wait until it is done".
TRANSIENT = frozenset({408, 423})
# What YM answers when the order is already past the asked status (a repeated call).
REPEAT_CODES = frozenset({"STATUS_NOT_ALLOWED", "ORDER_IN_TERMINAL_STATE"})
TERMINAL_STATUSES = frozenset({"DELIVERY", "PICKUP", "DELIVERED", "CANCELLED"})
# The order search looks at one creation-date window of at most 30 days (last 30 days when
# none is given: ``OrderDatesFilterDTO``); orders are looked up window by window, this far.
SEARCH_WINDOW = timedelta(days=30)
HISTORY = timedelta(days=180)

Box = Sequence[tuple[str, int, Sequence[str]]]  # (offerId, count, Честный знак codes)


class YandexClient(FirstMile, PriceCalls, ReportCalls, SellerApi):
    """A synchronous client for one campaign (shop) of one business; a context manager."""

    service = NAME
    READS_PRICES: ClassVar[bool] = True
    HIDES_BY_CALL: ClassVar[bool] = True  # hidden-offers

    def __init__(
        self,
        base_url: str,
        api_key: str,
        business_id: int,
        campaign_id: int,
        *,
        timeout: float = 10.0,
        fby_campaign_id: int | None = None,
        report_poll_seconds: float = 5.0,
    ) -> None:
        self.business_id = int(business_id)
        self.campaign_id = int(campaign_id)
        self.fby_campaign_id = fby_campaign_id
        self._report_poll = report_poll_seconds  # between looks at a report being made
        super().__init__(base_url, timeout=timeout, headers={"Api-Key": api_key})

    def __repr__(self) -> str:
        return f"YandexClient({str(self._http.base_url)!r}, campaign={self.campaign_id})"

    # --- reading ---------------------------------------------------------------------

    def ping(self) -> None:
        """Check the key and that the campaign belongs to the business."""
        campaign = self._send("GET", self._campaign_path()).object().get("campaign") or {}
        business = (campaign.get("business") or {}).get("id")
        if business is not None and int(business) != self.business_id:
            raise AuthError(
                f"campaign {self.campaign_id} belongs to another Yandex Market business"
            )

    def new_orders(self) -> list[IncomingOrder]:
        """Every FBS order of the campaign in ``PROCESSING/STARTED``, all pages."""
        filters = {"statuses": [NEW_STATUS], "substatuses": [NEW_SUBSTATUS]}
        return http.readable(list(self._search(filters)), _incoming, NAME, "order")

    def get_order(self, order_id: str) -> IncomingOrder:
        found = list(self._find([_order_id(order_id)]))
        if not found:
            raise RejectedError(f"Yandex Market order {order_id} not found", code="NOT_FOUND")
        return _incoming(found[0])

    def order_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """external id → "STATUS/SUBSTATUS"; ids the campaign does not know are absent.

        Looks back up to ``HISTORY`` by creation date, so a late DELIVERED or RETURNED of
        an old order is still seen (the search alone sees only the last 30 days).
        """
        numbers = [_order_id(value) for value in dict.fromkeys(ids)]
        return {str(raw["orderId"]): _status(raw) for raw in self._find(numbers)}

    def label(self, external_id: str) -> Label:
        """The Market's PDF label (every box of the order); only after boxes are set."""
        path = f"{self._order_path(external_id)}/delivery/labels"
        content = self._send("GET", path, params={"format": LABEL_FORMAT}).content
        if not content.startswith(b"%PDF"):
            raise TransientError(f"Yandex Market sent a label that is not a PDF ({path})")
        return Label(content=content, format="pdf", barcode=str(external_id), caption="")

    def product_cards(self) -> list[ProductCard]:
        """The business catalogue (``offer-mappings``), all pages; sku = offerId."""
        path = f"/v2/businesses/{self.business_id}/offer-mappings"
        pages = self._pages(path, {}, CARDS_PAGE, inside="result")
        return [_card(raw) for page in pages for raw in page.get("offerMappings") or ()]

    # --- changing --------------------------------------------------------------------

    def set_boxes(self, order_id: str, boxes: Sequence[Box]) -> None:
        """Lay the order out in boxes (replacing any earlier layout), with marking codes."""
        raw = self.get_order(order_id).raw
        item_ids = {str(item["offerId"]): item["id"] for item in raw.get("items") or ()}
        body = {"boxes": [{"items": _box_items(order_id, box, item_ids)} for box in boxes]}
        self._send("PUT", f"{self._order_path(order_id)}/boxes", json=body)
        logger.info("ym boxes set order=%s boxes=%s", order_id, len(boxes))

    def remove_items(self, order_id: str, removed: Mapping[str, int]) -> None:
        """Take ``removed`` units (offerId → count) out of the order for good.

        YM's way for FBS (``setOrderBoxLayout``): the layout without those units, sent with
        ``allowRemove: true`` — every other layout call leaves it out, so a short layout is
        refused instead of silently shrinking the order. Nothing left to ship is refused
        here: the whole order must be cancelled instead.
        """
        raw = self.get_order(order_id).raw
        left = _items_left(order_id, raw.get("items") or (), removed)
        if not left:
            raise RejectedError(
                f"removing every item empties Yandex Market order {order_id}; cancel it instead",
                code="CANNOT_REMOVE_LAST_ITEM",
            )
        body = {"boxes": [{"items": left}], "allowRemove": True}
        self._send("PUT", f"{self._order_path(order_id)}/boxes", json=body)
        logger.info("ym items removed order=%s removed=%s", order_id, dict(removed))

    def ready_to_ship(self, order_id: str) -> None:
        """``PROCESSING/READY_TO_SHIP``; a repeat after a lost answer counts as done."""
        self._set_status(order_id, READY_STATUS, READY_SUBSTATUS, already=_is_past_ready)
        logger.info("ym order ready to ship order=%s", order_id)

    def cancel(self, external_id: str, reason: str = "") -> None:
        """Seller cancels (``CANCELLED/SHOP_FAILED``); YM takes no free-text reason."""
        status, substatus = SELLER_CANCEL
        self._set_status(external_id, status, substatus, already=_is_cancelled)
        logger.info("ym order cancelled order=%s reason=%r", external_id, reason[:100])

    def push_stocks(self, warehouse_id: str, levels: Mapping[str, int]) -> None:
        """Free stock per offerId for the campaign (its one warehouse).

        ``warehouse_id`` is only logged: a YM campaign is bound to one warehouse.
        """
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        entries = [
            {"sku": str(sku), "items": [{"count": max(0, int(count)), "updatedAt": stamp}]}
            for sku, count in levels.items()
        ]
        path = f"{self._campaign_path()}/offers/stocks"
        for batch in batches(entries, STOCK_BATCH):
            self._send("PUT", path, json={"skus": list(batch)})
        logger.info("ym stock pushed warehouse=%s items=%s", warehouse_id, len(entries))

    def fbo_stock(self) -> list[FboRow] | None:
        """Our goods in Market's warehouses (FBY), from the FBY shop's ``getStocks``, all
        pages; None when the account names no FBY shop (``fby_campaign_id``)."""
        if self.fby_campaign_id is None:
            return None
        path = f"/v2/campaigns/{self.fby_campaign_id}/offers/stocks"
        rows: list[FboRow] = []
        for page in self._pages(path, {}, STOCKS_PAGE, inside="result"):
            for warehouse in page.get("warehouses") or ():
                name = f"{NAME} {warehouse.get('warehouseId', '')}".strip()
                rows += [_fby_row(name, offer) for offer in warehouse.get("offers") or ()]
        return rows

    # --- helpers ---------------------------------------------------------------------

    def _campaign_path(self) -> str:
        return f"/v2/campaigns/{self.campaign_id}"

    def _order_path(self, order_id: str | int) -> str:
        return f"{self._campaign_path()}/orders/{_order_id(order_id)}"

    def _find(self, numbers: Sequence[int]) -> Iterator[dict[str, Any]]:
        """Orders by id, one 30-day creation window at a time back from today, until found."""
        missing = set(numbers)
        end = datetime.now(MARKET_TZ).date() + timedelta(days=1)  # creationDateTo: excluded
        oldest = end - HISTORY
        while missing and end > oldest:
            start = end - SEARCH_WINDOW
            dates = {"creationDateFrom": start.isoformat(), "creationDateTo": end.isoformat()}
            for batch in batches(sorted(missing), ORDERS_PAGE):
                for raw in self._search({"orderIds": list(batch), "dates": dates}):
                    missing.discard(int(raw["orderId"]))
                    yield raw
            end = start

    def _search(self, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The business order search for this campaign's FBS orders, following pages."""
        body = {"programTypes": ["FBS"], "campaignIds": [self.campaign_id], **filters}
        path = f"/v1/businesses/{self.business_id}/orders"
        for page in self._pages(path, body, ORDERS_PAGE):
            yield from page.get("orders") or ()

    def _pages(
        self, path: str, body: Any, limit: int, *, inside: str = ""
    ) -> Iterator[dict[str, Any]]:
        """Every page of a POST paged by ``paging.nextPageToken`` (in ``inside``, if named)."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {"limit": limit}
            if token:
                params[PAGE_TOKEN_PARAM] = token
            page = self._send("POST", path, params=params, json=body).object()
            page = (page.get(inside) or {}) if inside else page
            yield page
            token = (page.get("paging") or {}).get("nextPageToken")
            if not token:
                return

    def _set_status(
        self, order_id: str, status: str, substatus: str, *, already: Callable[[str], bool]
    ) -> None:
        body = {"order": {"status": status, "substatus": substatus}}
        try:
            self._send("PUT", f"{self._order_path(order_id)}/status", json=body)
        except RejectedError as exc:
            if exc.code not in REPEAT_CODES:
                raise
            current = self.order_statuses([order_id]).get(str(order_id), "")
            if not already(current):
                raise
            logger.info("ym order %s already %s", order_id, current)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        answered: Collection[int] = (),
    ) -> http.Answer:
        """One call; a status in ``answered`` comes back as an answer for the caller to read."""
        response = self._request(method, path, params=params, json=json)
        where = f"{method} {path}"
        if response.status_code not in answered:
            http.raise_for_status(
                response,
                NAME,
                where,
                auth_message=_auth_message,
                fields=ERRORS,
                throttled=THROTTLED,
                transient=TRANSIENT,
                wait=_wait,
            )
        return http.Answer(response, NAME, where)


def _fby_row(warehouse: str, offer: Mapping[str, Any]) -> FboRow:
    counts = {str(stock.get("type")): stock.get("count") for stock in offer.get("stocks") or ()}
    return FboRow(
        warehouse=warehouse,
        sku=str(offer.get("offerId") or ""),
        available=max(_whole(counts.get("AVAILABLE")), 0),
        reserved=max(_whole(counts.get("FREEZE")), 0),
    )


def _whole(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _auth_message(status: int, code: str | None, message: str) -> str:
    return f"Yandex Market refused the credentials ({status} {code}): {message}"


def _wait(headers: httpx.Headers) -> float | None:
    """Seconds until ``X-RateLimit-Resource-Until`` (an HTTP date); ``Retry-After`` too."""
    return http.retry_after(headers, "X-RateLimit-Resource-Until", "Retry-After")


# --- shapes --------------------------------------------------------------------------


def _status(raw: Mapping[str, Any]) -> str:
    """ "STATUS/SUBSTATUS", or "STATUS" alone when the order has no substatus (RETURNED)."""
    status, substatus = raw.get("status") or "", raw.get("substatus") or ""
    return f"{status}/{substatus}" if substatus else str(status)


def _is_past_ready(status: str) -> bool:
    return status == f"{READY_STATUS}/{READY_SUBSTATUS}" or (
        status.split("/")[0] in TERMINAL_STATUSES - {"CANCELLED"}
    )


def _is_cancelled(status: str) -> bool:
    return status.startswith("CANCELLED/")


def _incoming(raw: dict[str, Any]) -> IncomingOrder:
    return IncomingOrder(
        external_id=str(raw["orderId"]),
        status=_status(raw),
        created_at=_parse_time(raw.get("creationDate")),
        lines=tuple(_line(item) for item in raw.get("items") or ()),
        ship_by=_ship_by((raw.get("delivery") or {}).get("shipment") or {}),
        raw=raw,
    )


def _line(item: Mapping[str, Any]) -> IncomingLine:
    count = int(item.get("count") or 0)
    total = ((item.get("prices") or {}).get("payment") or {}).get("value") or 0
    return IncomingLine(
        barcodes=(),  # the order gives no barcodes; the product card does
        article=str(item.get("offerId", "")),
        quantity=count,
        external_sku=str(item.get("offerId", "")),
        price_kopecks=round(float(total) * 100 / count) if count else 0,  # per unit
    )


def _ship_by(shipment: Mapping[str, Any]) -> datetime | None:
    try:
        day = date.fromisoformat(str(shipment["shipmentDate"]))
    except (KeyError, ValueError):
        return None
    try:
        at = time.fromisoformat(str(shipment["shipmentTime"]))
    except (KeyError, ValueError):
        at = DAY_END
    return datetime.combine(day, at, tzinfo=MARKET_TZ)


def _card(raw: Mapping[str, Any]) -> ProductCard:
    offer, mapping = raw.get("offer") or {}, raw.get("mapping") or {}
    return ProductCard(
        sku=str(offer.get("offerId", "")),
        article=str(offer.get("offerId", "")),
        name=str(offer.get("name", "")),
        barcodes=tuple(str(code) for code in offer.get("barcodes") or ()),
        marketplace_id=str(mapping.get("marketSku") or ""),
    )


def _box_items(order_id: str, box: Box, item_ids: Mapping[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for offer_id, count, codes in box:
        if str(offer_id) not in item_ids:
            raise RejectedError(
                f"offer {offer_id!r} is not in Yandex Market order {order_id}", "ITEM_NOT_FOUND"
            )
        item: dict[str, Any] = {"id": item_ids[str(offer_id)], "fullCount": int(count)}
        if codes:
            item["instances"] = [{"cis": str(code)} for code in codes]
        items.append(item)
    return items


def _items_left(
    order_id: str, items: Sequence[Mapping[str, Any]], removed: Mapping[str, int]
) -> list[dict[str, Any]]:
    """The order's items as one box's whole units, less ``removed`` (offerId → count)."""
    counts = {str(item["offerId"]): int(item.get("count") or 0) for item in items}
    for offer_id, count in removed.items():
        if str(offer_id) not in counts:
            raise RejectedError(
                f"offer {offer_id!r} is not in Yandex Market order {order_id}", "ITEM_NOT_FOUND"
            )
        if not 0 < int(count) <= counts[str(offer_id)]:
            raise RejectedError(
                f"cannot remove {count} of {counts[str(offer_id)]} units of {offer_id!r} "
                f"from Yandex Market order {order_id}",
                "INVALID_ITEM",
            )
    left = []
    for item in items:
        units = int(item.get("count") or 0) - int(removed.get(str(item["offerId"]), 0))
        if units > 0:
            left.append({"id": item["id"], "fullCount": units})
    return left


def _parse_time(value: Any) -> datetime:
    parsed = http.iso_time(value, MARKET_TZ)
    if parsed is None:
        logger.warning("ym order without a readable creationDate: %r", value)
    return parsed or datetime.now(UTC)


def _order_id(value: str | int) -> int:
    return http.whole_number(value, "a Yandex Market order id", "BAD_REQUEST")
