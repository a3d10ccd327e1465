"""Megamarket merchant API (FBS) connector: shipments of one-unit lots, boxes, labels, stock.

A shipment (``shipmentId``) holds lots (``itemIndex``), each one unit with its own status.
The flow is ``order/confirm`` → ``order/packing`` (lots into boxes, marking codes) →
``sticker/print`` → ``order/shipping``. Every call is a ``POST`` of
``{"meta": {}, "data": {"token": ..., ...}}``; the token lives only in that body, never in
messages or logs. MM answers HTTP 200 with ``success: 0`` and ``error[]`` when it refuses;
``_check`` is the one place that turns answers into ``base``'s errors.

Most of this API is known from third-party code only (see the fact sheet, section 4): the
guesses are the constants below. MM also pushes ``order/new`` to the seller's own server;
this client only polls.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from warehouse.marketplaces import http
from warehouse.marketplaces.base import (
    AuthError,
    IncomingLine,
    IncomingOrder,
    Label,
    ProductCard,
    RejectedError,
    TransientError,
)
from warehouse.marketplaces.http import SellerApi, batches

logger = logging.getLogger(__name__)

NAME = "Megamarket"
ORDERS = "/api/market/v1/orderService"
OFFERS = "/api/merchantIntegration/v1/offerService"
CARDS_METHOD = "offer/list"  # UNCONFIRMED: no source names MM's offer-list method (OFFERS/…)
SEARCH_COUNT = 100  # order/search ``count`` (MM's cap is UNCONFIRMED)
SEARCH_DAYS = 30  # how far back new_orders looks for NEW shipments
MIN_WINDOW = timedelta(seconds=2)  # a full page in a smaller window cannot be split further
GET_BATCH = 50
STOCK_BATCH = 300  # "recommended: 300 offers per request" (3p comment)
CARDS_PAGE = 100
MSK = timezone(timedelta(hours=3), "MSK")

# UNCONFIRMED error codes of ``error[].code``: which mean bad credentials, which throttling.
AUTH_CODES = frozenset(
    {"UNAUTHORIZED", "ACCESS_DENIED", "FORBIDDEN", "INVALID_TOKEN", "TOKEN_INVALID"}
)
THROTTLE_CODES = frozenset({"TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED", "THROTTLED"})

# order/reject ``reason.type``; MM has no "other", so free text falls back to OUT_OF_STOCK.
REJECT_DEFAULT = "OUT_OF_STOCK"
REJECT_KEYWORDS = {
    "price": "INCORRECT_PRICE",
    "цен": "INCORRECT_PRICE",
    "duplicate": "TWICE_ORDER",
    "дубл": "TWICE_ORDER",
    "fraud": "FRAUD_ORDER",
}

# Lot statuses. A shipment's status is its lots' common status; when they differ, the least
# advanced of the lots still alive (cancelled lots ignored), so the next step is still due.
LIFECYCLE = ("NEW", "CONFIRMED", "PACKED", "SHIPPED", "DELIVERED")
CANCELLED = frozenset({"MERCHANT_CANCELED", "CUSTOMER_CANCELED", "CANCELED"})
SHIP_BY_FIELDS = ("shippingTimeLimit", "shipmentDateTo", "packingTimeLimit")


class MegamarketClient(SellerApi):
    """A synchronous client for one shop token; use it as a context manager.

    ``merchant_id`` (the cabinet's merchant number) builds box codes
    ``merchantId*shipmentId*boxIndex``; without it the shipment's ``merchantId`` is used.
    """

    service = NAME

    def __init__(
        self, base_url: str, token: str, *, timeout: float = 10.0, merchant_id: str = ""
    ) -> None:
        self._token = token
        self._merchant_id = merchant_id
        self.search_count = SEARCH_COUNT
        super().__init__(base_url, timeout=timeout)

    # --- reading ---------------------------------------------------------------------

    def ping(self) -> None:
        """One tiny search: proves the token without changing anything."""
        now = datetime.now(UTC)
        self._search_page(["NEW"], now - timedelta(minutes=1), now, 1)

    def new_orders(self) -> list[IncomingOrder]:
        """Every shipment waiting for confirmation (``NEW``), from the last SEARCH_DAYS."""
        now = datetime.now(UTC)
        ids = self.search(["NEW"], now - timedelta(days=SEARCH_DAYS), now + timedelta(minutes=1))
        found = [_incoming(raw) for raw in self.shipments(ids)]
        return [order for order in found if order.status == "NEW"]

    def search(self, statuses: Sequence[str], date_from: datetime, date_to: datetime) -> list[str]:
        """Shipment ids in the window; a full page is split in halves until none is full."""
        found: dict[str, None] = {}
        windows = [(date_from, date_to)]
        while windows:
            start, end = windows.pop()
            page = self._search_page(statuses, start, end, self.search_count)
            found.update(dict.fromkeys(page))
            if len(page) < self.search_count:
                continue
            if end - start <= MIN_WINDOW:
                logger.warning(
                    "mm search page full in a %s window; some may be missed", end - start
                )
                continue
            middle = start + timedelta(seconds=(end - start).total_seconds() // 2)
            windows += [(middle, end), (start, middle)]
        return list(found)

    def shipments(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Raw ``order/get`` shipments; ids MM does not know are absent."""
        found: list[dict[str, Any]] = []
        for batch in batches([str(value) for value in ids], GET_BATCH):
            data = self._call("order/get", {"shipments": list(batch)})
            found += [raw for raw in data.get("shipments") or [] if isinstance(raw, dict)]
        return found

    def get_order(self, shipment_id: str) -> IncomingOrder:
        return _incoming(self._shipment(shipment_id))

    def order_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """shipmentId → the shipment's status (see LIFECYCLE for mixed lots)."""
        return {str(raw["shipmentId"]): shipment_status(raw) for raw in self.shipments(ids)}

    def product_cards(self) -> list[ProductCard]:
        """The shop's offers (offerId is the stock key), all pages. UNCONFIRMED method."""
        cards: list[ProductCard] = []
        while True:
            body = {"offset": len(cards), "limit": CARDS_PAGE}
            page = self._call(CARDS_METHOD, body, base=OFFERS).get("offers") or []
            cards += [_card(raw) for raw in page if raw.get("offerId")]
            if len(page) < CARDS_PAGE:
                return cards

    # --- changing --------------------------------------------------------------------

    def confirm(self, shipment_id: str) -> None:
        """Confirm every ``NEW`` lot (lots left out would be rejected by MM)."""
        raw = self._shipment(shipment_id)
        lots = [_lot_ref(lot) for lot in raw.get("items") or [] if lot.get("status") == "NEW"]
        lots = lots or [_lot_ref(lot) for lot in raw.get("items") or []]  # let MM say why
        entry = {"shipmentId": shipment_id, "orderCode": _order_code(raw), "items": lots}
        self._call("order/confirm", {"shipments": [entry]})
        logger.info("mm shipment confirmed shipment=%s lots=%s", shipment_id, len(lots))

    def pack(self, shipment_id: str, boxes: Sequence[Sequence[tuple[str, str]]]) -> None:
        """Lots into boxes: each box a list of (itemIndex, digitalMark or "")."""
        raw = self._shipment(shipment_id)
        items = []
        for box_index, box in enumerate(boxes, start=1):
            box_ref = {"boxIndex": box_index, "boxCode": self._box_code(raw, box_index)}
            for item_index, mark in box:
                item = {"itemIndex": _index(item_index), "quantity": 1, "boxes": [box_ref]}
                items.append({**item, "digitalMark": mark} if mark else item)
        entry = {"shipmentId": shipment_id, "orderCode": _order_code(raw), "items": items}
        self._call("order/packing", {"shipments": [entry]})
        logger.info("mm shipment packed shipment=%s boxes=%s", shipment_id, len(boxes))

    def ship(self, shipment_id: str) -> None:
        """Hand the packed boxes over (``order/shipping``)."""
        raw = self._shipment(shipment_id)
        boxes = {box["boxIndex"]: box for lot in raw.get("items") or [] for box in _boxes(lot)}
        shipping = {"shippingDate": _mm_time(datetime.now(UTC)), "shippingPoint": ""}
        entry = {"shipmentId": shipment_id, "boxes": list(boxes.values()), "shipping": shipping}
        self._call("order/shipping", {"shipments": [entry]})
        logger.info("mm shipment shipped shipment=%s", shipment_id)

    def cancel(self, external_id: str, reason: str = "") -> None:
        """Reject every lot still alive (``order/reject``), with MM's closest reason."""
        raw = self._shipment(external_id)
        lots = [
            _lot_ref(lot)
            for lot in raw.get("items") or []
            if lot.get("status") in ("NEW", "CONFIRMED", "PACKED")
        ] or [_lot_ref(lot) for lot in raw.get("items") or []]
        body = {
            "reason": {"type": reject_reason(reason)},
            "shipments": [{"shipmentId": external_id, "items": lots}],
        }
        self._call("order/reject", body)
        logger.info("mm shipment rejected shipment=%s", external_id)

    def label(self, external_id: str) -> Label:
        """The box labels of a packed shipment, as PDF (``printAsPdf``)."""
        raw = self._shipment(external_id)
        codes = list(
            dict.fromkeys(box["boxCode"] for lot in raw.get("items") or [] for box in _boxes(lot))
        )
        entry = {"shipmentId": external_id, "boxCodes": codes}
        response = self._send(f"{ORDERS}/sticker/print", {"printAsPdf": True, "shipments": [entry]})
        return _label(response, external_id, codes)

    def push_stocks(self, warehouse_id: str, levels: Mapping[str, int]) -> None:
        """Free stock per offerId (MM has no warehouse id: the token is per shop)."""
        del warehouse_id
        entries = [
            {"offerId": str(sku), "quantity": max(0, int(qty))} for sku, qty in levels.items()
        ]
        for batch in batches(entries, STOCK_BATCH):
            self._call("stock/update", {"stocks": list(batch)}, base=OFFERS)
        logger.info("mm stock pushed items=%s", len(entries))

    # --- helpers -----------------------------------------------------------------------

    def _shipment(self, shipment_id: str) -> dict[str, Any]:
        found = self.shipments([shipment_id])
        if not found:
            raise RejectedError(f"Megamarket has no shipment {shipment_id}", code="NOT_FOUND")
        return found[0]

    def _box_code(self, raw: dict[str, Any], box_index: int) -> str:
        merchant = self._merchant_id or str(raw.get("merchantId") or "")
        if not merchant:
            raise RejectedError("the Megamarket merchant id is unknown", code="NO_MERCHANT_ID")
        return f"{merchant}*{raw['shipmentId']}*{box_index}"

    def _search_page(
        self, statuses: Sequence[str], start: datetime, end: datetime, count: int
    ) -> list[str]:
        body = {
            "dateFrom": _mm_time(start),
            "dateTo": _mm_time(end),
            "statuses": list(statuses),
            "count": count,
        }
        return [str(value) for value in self._call("order/search", body).get("shipments") or []]

    # --- the one place that reads answers ---------------------------------------------

    def _call(self, path: str, data: Mapping[str, Any], *, base: str = ORDERS) -> dict[str, Any]:
        found = http.json_object(self._send(f"{base}/{path}", data), NAME, path).get("data")
        return found if isinstance(found, dict) else {}

    def _send(self, path: str, data: Mapping[str, Any]) -> httpx.Response:
        body = {"meta": {}, "data": {**data, "token": self._token}}
        where = "/".join(path.rsplit("/", 2)[-2:])
        response = self._request("POST", path, where=where, json=body)
        _check(response, where)
        return response


def _check(response: httpx.Response, where: str) -> None:
    """HTTP status first, then MM's ``success``/``error[]`` envelope."""
    http.raise_for_transient(response, NAME, where)
    status = response.status_code
    if status in http.AUTH_STATUSES:
        raise AuthError(f"token rejected by Megamarket ({status})")
    if status >= 300:
        code, message = http.read_error(response, _first_error)
    elif response.headers.get("content-type", "").startswith("application/pdf"):
        return
    else:
        body = http.json_object(response, NAME, where)
        if body.get("success") == 1:
            return
        code, message = http.error_of(body, _first_error)
    if code in AUTH_CODES:
        raise AuthError(f"token rejected by Megamarket ({code})")
    if code in THROTTLE_CODES:
        retry_after = http.retry_after(response.headers)
        raise TransientError(f"Megamarket rate limit ({code}) on {where}", retry_after=retry_after)
    raise RejectedError(f"Megamarket refused {where} ({code or status}): {message}", code=code)


def _first_error(body: dict[str, Any]) -> tuple[Any, Any] | None:
    errors = body.get("error")
    first = errors[0] if isinstance(errors, list) and errors else errors
    if not isinstance(first, dict):
        return None
    return first.get("code"), first.get("message") or first.get("description") or ""


# --- shapes --------------------------------------------------------------------------------


def shipment_status(raw: Mapping[str, Any]) -> str:
    """The lots' common status; if they differ, the least advanced live one."""
    statuses = [str(lot.get("status") or "") for lot in raw.get("items") or []]
    if not statuses:
        return str(raw.get("status") or "")
    if len(set(statuses)) == 1:
        return statuses[0]
    alive = [status for status in statuses if status not in CANCELLED]
    if not alive:
        return statuses[0]
    return min(alive, key=lambda s: LIFECYCLE.index(s) if s in LIFECYCLE else -1)


def reject_reason(text: str) -> str:
    lowered = text.lower()
    return next((code for word, code in REJECT_KEYWORDS.items() if word in lowered), REJECT_DEFAULT)


def _incoming(raw: dict[str, Any]) -> IncomingOrder:
    lots = [lot for lot in raw.get("items") or [] if isinstance(lot, dict)]
    alive = [lot for lot in lots if lot.get("status") not in CANCELLED] or lots
    by_offer: dict[str, list[dict[str, Any]]] = {}
    for lot in alive:
        by_offer.setdefault(str(lot.get("offerId", "")), []).append(lot)
    lines = tuple(_line(offer, group) for offer, group in by_offer.items())
    indexes = {
        offer: [str(lot.get("itemIndex")) for lot in group] for offer, group in by_offer.items()
    }
    extra = {
        "itemIndexes": [i for group in indexes.values() for i in group],
        "itemIndexesByOffer": indexes,
    }
    return IncomingOrder(
        external_id=str(raw["shipmentId"]),
        status=shipment_status(raw),
        created_at=_parse_time(raw.get("creationDate")) or datetime.now(UTC),
        lines=lines,
        ship_by=next(
            (t for t in map(_parse_time, (raw.get(k) for k in SHIP_BY_FIELDS)) if t), None
        ),
        raw={**raw, **extra},
    )


def _line(offer_id: str, lots: list[dict[str, Any]]) -> IncomingLine:
    """Lots of one offer folded into a line; the price is per unit."""
    first = lots[0]
    price = first.get("finalPrice") or first.get("price") or 0
    return IncomingLine(
        barcodes=(),
        article=offer_id,
        quantity=len(lots),
        external_sku=offer_id,
        price_kopecks=round(float(price) * 100),
    )


def _card(raw: dict[str, Any]) -> ProductCard:
    return ProductCard(
        sku=str(raw["offerId"]),
        article=str(raw["offerId"]),
        name=str(raw.get("name", "")),
        barcodes=tuple(str(code) for code in raw.get("barcodes") or ()),
        marketplace_id=str(raw.get("goodsId", "")),
    )


def _label(response: httpx.Response, shipment_id: str, codes: list[str]) -> Label:
    caption = f"{shipment_id} " + " ".join(codes)
    barcode = codes[0] if codes else ""
    if response.content.startswith(b"%PDF"):
        return Label(content=response.content, format="pdf", barcode=barcode, caption=caption)
    data = http.json_object(response, NAME, "sticker/print").get("data")
    if isinstance(data, str) and data:
        return Label(content=data.encode(), format="html", barcode=barcode, caption=caption)
    raise RejectedError(f"Megamarket gave no label for shipment {shipment_id}", code="NO_LABEL")


def _lot_ref(lot: dict[str, Any]) -> dict[str, Any]:
    return {"itemIndex": lot.get("itemIndex"), "offerId": lot.get("offerId")}


def _boxes(lot: dict[str, Any]) -> list[dict[str, Any]]:
    return [box for box in lot.get("boxes") or [] if isinstance(box, dict) and box.get("boxCode")]


def _order_code(raw: dict[str, Any]) -> str:
    """Our order code is the shipment id (MM allows Latin letters, digits, ``_``, ``-``)."""
    return str(raw.get("orderCode") or raw["shipmentId"])


def _index(value: str) -> int | str:
    return int(value) if str(value).isdigit() else value


def _mm_time(moment: datetime) -> str:
    return moment.astimezone(MSK).isoformat(timespec="seconds")


def _parse_time(value: Any) -> datetime | None:
    parsed = http.iso_time(value, MSK) if value else None
    if value and parsed is None:
        logger.warning("mm shipment with an unreadable date: %r", value)
    return parsed
