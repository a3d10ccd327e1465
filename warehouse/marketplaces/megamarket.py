"""Megamarket merchant API (FBS) connector: shipments of one-unit lots, boxes, labels, stock.

A shipment (``shipmentId``) holds lots (``itemIndex``), each one unit with its own status.
The flow is ``order/confirm`` → ``order/packing`` (lots into boxes, marking codes) →
``sticker/print`` → ``order/shipping``. Every call is a ``POST`` of
``{"meta": {}, "data": {"token": ..., ...}}``; the token lives only in that body, never in
messages or logs. MM answers HTTP 200 with ``success: 0`` and ``error[]`` when it refuses;
``_check`` is the one place that turns answers into ``base``'s errors.

Shapes: ``order/get`` lots carry ``boxIndex`` only (no ``boxes``/``boxCode``), the name in
``goodsData.name`` and ``itemIndex`` as a string — as the two typed clients of the fact sheet
(§7) and the official wiki pages they cite (partner-wiki.megamarket.ru/merchant-api/
2-opisanie-api-fbs: order-get-standart, order-packing-standart) show; box codes are rebuilt
as ``merchantId*shipmentId*boxIndex``, so the account's merchant id is needed. The rest of
this API is known from third-party code only: the guesses are the constants below. MM also
pushes ``order/new`` / ``order/cancel`` to the seller's server: ``push_orders`` and
``push_cancellations`` read those bodies (the receiver is ``web/megamarket_push``).

Prices: ``offerService/manualPrice/save`` (partner-wiki «Обновление цен по API»: whole
roubles, about 300 a request, ``{"success": 1, "data": {}}``). It takes no crossed-out
price, and MM documents no call that reads prices back or hides an offer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from warehouse.marketplaces import http, money
from warehouse.marketplaces import megamarket_shapes as shapes
from warehouse.marketplaces.base import (
    AuthError,
    IncomingOrder,
    Label,
    PriceItem,
    PriceOutcome,
    PriceUpload,
    ProductCard,
    RejectedError,
    TransientError,
)
from warehouse.marketplaces.http import SellerApi, batches
from warehouse.marketplaces.megamarket_shapes import reject_reason, shipment_status

__all__ = ["MegamarketClient", "reject_reason", "shipment_status"]

logger = logging.getLogger(__name__)

NAME = "Megamarket"
ORDERS = "/api/market/v1/orderService"
OFFERS = "/api/merchantIntegration/v1/offerService"
SEARCH_COUNT = 100  # order/search ``count`` (MM's cap is UNCONFIRMED)
SEARCH_DAYS = 30  # how far back new_orders looks for NEW shipments
MIN_WINDOW = timedelta(seconds=2)  # a full page in a smaller window cannot be split further
GET_BATCH = 50
STOCK_BATCH = 300  # "recommended: 300 offers per request" (3p comment)
PRICE_BATCH = 300  # the wiki's recommended count of prices a request

# UNCONFIRMED error codes of ``error[].code``: which mean bad credentials, which throttling.
AUTH_CODES = frozenset(
    {"UNAUTHORIZED", "ACCESS_DENIED", "FORBIDDEN", "INVALID_TOKEN", "TOKEN_INVALID"}
)
THROTTLE_CODES = frozenset({"TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED", "THROTTLED"})


class MegamarketClient(SellerApi):
    """A synchronous client for one shop token; use it as a context manager.

    ``merchant_id`` (the cabinet's merchant number) builds box codes
    ``merchantId*shipmentId*boxIndex``; without it the shipment's ``merchantId`` is used.
    """

    service = NAME
    READS_PRICES: ClassVar[bool] = False
    HIDES_BY_CALL: ClassVar[bool] = False

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
        found = http.readable(self.shipments(ids), shapes.incoming, NAME, "shipment")
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
        return shapes.incoming(self._shipment(shipment_id))

    def order_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """shipmentId → the shipment's status (see shapes.LIFECYCLE for mixed lots)."""
        found = http.readable(self.shipments(ids), _status_of, NAME, "shipment")
        return dict(found)

    def product_cards(self) -> list[ProductCard]:
        """None by API: MM documents no call that lists a shop's offers.

        The offers come from the cabinet's export file instead
        (``catalog.megamarket_offers``); the import job then links nothing new.
        """
        return []

    # --- changing --------------------------------------------------------------------

    def confirm(self, shipment_id: str) -> None:
        """Confirm every ``NEW`` lot (lots left out would be rejected by MM)."""
        raw = self._shipment(shipment_id)
        lots = [shapes.lot_ref(lot) for lot in shapes.goods(raw) if lot.get("status") == "NEW"]
        lots = lots or [shapes.lot_ref(lot) for lot in shapes.goods(raw)]  # let MM say why
        entry = {"shipmentId": shipment_id, "orderCode": shapes.order_code(raw), "items": lots}
        self._call("order/confirm", {"shipments": [entry]})
        logger.info("mm shipment confirmed shipment=%s lots=%s", shipment_id, len(lots))

    def pack(self, shipment_id: str, boxes: Sequence[Sequence[tuple[str, str]]]) -> None:
        """Lots into boxes: each box a list of (itemIndex, digitalMark or "")."""
        raw = self._shipment(shipment_id)
        items = []
        for box_index, box in enumerate(boxes, start=1):
            box_ref = {"boxIndex": box_index, "boxCode": self._box_code(raw, box_index)}
            for item_index, mark in box:
                item = {"itemIndex": str(item_index), "quantity": 1, "boxes": [box_ref]}
                items.append({**item, "digitalMark": mark} if mark else item)
        entry = {"shipmentId": shipment_id, "orderCode": shapes.order_code(raw), "items": items}
        self._call("order/packing", {"shipments": [entry]})
        logger.info("mm shipment packed shipment=%s boxes=%s", shipment_id, len(boxes))

    def ship(self, shipment_id: str, shipped_at: datetime | None = None) -> list[str]:
        """Hand every box of the shipment over (``order/shipping``); returns the box codes.

        ``shippingPoint`` is MM's number of the pickup point: passed on when ``order/get``
        gave one, left out otherwise (never ``""``).
        """
        raw = self._shipment(shipment_id)
        boxes = self._boxes(raw)
        shipping: dict[str, Any] = {"shippingDate": shapes.mm_time(shipped_at or datetime.now(UTC))}
        point = shapes.shipping_point(raw.get("shippingPoint"))
        if point is not None:
            shipping["shippingPoint"] = point
        entry = {"shipmentId": shipment_id, "boxes": boxes, "shipping": shipping}
        self._call("order/shipping", {"shipments": [entry]})
        logger.info("mm shipment shipped shipment=%s boxes=%s", shipment_id, len(boxes))
        return [box["boxCode"] for box in boxes]

    def cancel(self, external_id: str, reason: str = "") -> None:
        """Reject every lot still alive (``order/reject``), with MM's closest reason."""
        raw = self._shipment(external_id)
        alive = [
            lot for lot in shapes.goods(raw) if lot.get("status") in ("NEW", "CONFIRMED", "PACKED")
        ]
        self._reject(external_id, alive or shapes.goods(raw), reason)

    def reject_items(self, shipment_id: str, item_indexes: Sequence[str], reason: str) -> None:
        """Reject only the chosen lots (a short pick): the others stay in the shipment."""
        wanted = {str(index) for index in item_indexes}
        lots = [
            lot
            for lot in shapes.goods(self._shipment(shipment_id))
            if shapes.item_index(lot) in wanted
        ]
        missing = wanted - {shapes.item_index(lot) for lot in lots}
        if not wanted or missing:
            raise RejectedError(
                f"Megamarket shipment {shipment_id} has no lots {sorted(missing)}",
                code="ITEM_NOT_FOUND",
            )
        self._reject(shipment_id, lots, reason)

    def label(self, external_id: str) -> Label:
        """The box labels of a packed shipment, as PDF (``printAsPdf``).

        The body names the boxes and the lots in them, as the C# client of the fact sheet
        (§4.2) sends it."""
        raw = self._shipment(external_id)
        boxes = {box["boxIndex"]: box for box in self._boxes(raw)}
        codes = [box["boxCode"] for box in boxes.values()]
        items = [
            {
                "itemIndex": shapes.item_index(lot),
                "quantity": 1,
                "boxes": [boxes[int(lot["boxIndex"])]],
            }
            for lot in shapes.goods(raw)
            if shapes.box_index(lot) in boxes
        ]
        entry = {"shipmentId": external_id, "boxCodes": codes, "items": items}
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

    def push_prices(self, items: Sequence[PriceItem]) -> PriceUpload:
        """Prices per offerId in whole roubles, 300 a call (``old_price`` is not sent: MM
        takes none). A refused call makes each of its offers an error; the others still go."""
        entries: list[tuple[dict[str, Any], str]] = []
        outcomes: list[PriceOutcome] = []
        for item in items:
            roubles = money.whole_roubles(item.price)
            if roubles is None or roubles <= 0:
                text = f"{money.roubles_text(item.price)} ₽: Megamarket takes whole roubles above 0"
                outcomes.append(PriceOutcome(item.sku, False, text))
                continue
            entries.append(({"offerId": item.sku, "price": roubles, "isDeleted": False}, item.sku))
        for batch in batches(entries, PRICE_BATCH):
            try:
                self._call("manualPrice/save", {"prices": [e for e, _ in batch]}, base=OFFERS)
            except RejectedError as exc:
                outcomes += [PriceOutcome(sku, False, str(exc)) for _entry, sku in batch]
            else:
                outcomes += [PriceOutcome(sku, True) for _entry, sku in batch]
        logger.info("mm prices pushed offers=%s", len(entries))
        return PriceUpload(outcomes=tuple(outcomes))

    # --- helpers -----------------------------------------------------------------------

    def _shipment(self, shipment_id: str) -> dict[str, Any]:
        found = self.shipments([shipment_id])
        if not found:
            raise RejectedError(f"Megamarket has no shipment {shipment_id}", code="NOT_FOUND")
        return found[0]

    def _reject(self, shipment_id: str, lots: list[dict[str, Any]], reason: str) -> None:
        body = {
            "reason": {"type": shapes.reject_reason(reason)},
            "shipments": [
                {"shipmentId": shipment_id, "items": [shapes.lot_ref(lot) for lot in lots]}
            ],
        }
        self._call("order/reject", body)
        logger.info("mm lots rejected shipment=%s lots=%s", shipment_id, len(lots))

    def _boxes(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        """``[{boxIndex, boxCode}]`` of the packed lots, rebuilt from their ``boxIndex``."""
        alive = [lot for lot in shapes.goods(raw) if lot.get("status") not in shapes.CANCELLED]
        indexes = sorted({i for i in map(shapes.box_index, alive) if i is not None})
        return [{"boxIndex": i, "boxCode": self._box_code(raw, i)} for i in indexes]

    def _box_code(self, raw: dict[str, Any], box_index: int) -> str:
        merchant = self._merchant_id or str(raw.get("merchantId") or "")
        if not merchant:
            raise RejectedError(
                "set the Megamarket merchant id of this account (box codes need it)",
                code="settings",
            )
        return f"{merchant}*{raw['shipmentId']}*{box_index}"

    def _search_page(
        self, statuses: Sequence[str], start: datetime, end: datetime, count: int
    ) -> list[str]:
        body = {
            "dateFrom": shapes.mm_time(start),
            "dateTo": shapes.mm_time(end),
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


def _status_of(raw: dict[str, Any]) -> tuple[str, str]:
    """A shipment's id and status; one whose lots say nothing is not read (an empty status
    must not overwrite the one we know)."""
    status = shapes.shipment_status(raw)
    if not status:
        raise ValueError("no status in the shipment's lots")
    return str(raw["shipmentId"]), status


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


def _label(response: httpx.Response, shipment_id: str, codes: list[str]) -> Label:
    caption = f"{shipment_id} " + " ".join(codes)
    barcode = codes[0] if codes else ""
    if response.content.startswith(b"%PDF"):
        return Label(content=response.content, format="pdf", barcode=barcode, caption=caption)
    data = http.json_object(response, NAME, "sticker/print").get("data")
    if isinstance(data, str) and data:
        return Label(content=data.encode(), format="html", barcode=barcode, caption=caption)
    raise RejectedError(f"Megamarket gave no label for shipment {shipment_id}", code="NO_LABEL")
