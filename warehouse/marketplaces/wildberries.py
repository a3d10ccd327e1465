"""Wildberries Marketplace API (FBS) connector: assembly orders, supplies, stickers, stock.

One unit per assembly order; orders are confirmed by adding them to a supply and handed
over by delivering the supply. Every HTTP answer is turned into our shapes or into one of
``base``'s errors in ``_send``; nothing else looks at status codes. The token goes only
into the ``Authorization`` header (bare, no ``Bearer``), never into messages or logs.
Prices (``wb_prices``), card creation (``wb_cards``) and the sales statistics and
realization report (``wb_reports``) are mixed in; they live on WB's prices-and-discounts,
Content API, statistics and finance hosts.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from warehouse.marketplaces import http
from warehouse.marketplaces.base import (
    FboRow,
    IncomingLine,
    IncomingOrder,
    Label,
    MarketplaceError,
    ProductCard,
    RejectedError,
    TransientError,
)
from warehouse.marketplaces.http import SellerApi, batches
from warehouse.marketplaces.wb_cards import CardCalls
from warehouse.marketplaces.wb_prices import PriceCalls
from warehouse.marketplaces.wb_reports import ReportCalls

logger = logging.getLogger(__name__)

NAME = "Wildberries"
STATUS_BATCH = 1000
SUPPLY_BATCH = 100
STOCK_BATCH = 1000
META_BATCH = 100
CARDS_PAGE = 100
CARDS_PATH = "/content/v2/get/cards/list"
# FBO stock: the «warehouse remains» report (reports OpenAPI, seller-analytics-api host) is
# made on request, polled and downloaded; /api/v1/supplier/stocks is gone from WB's copy.
ANALYTICS_URL = "https://seller-analytics-api.wildberries.ru"
REMAINS_PATH = "/api/v1/warehouse_remains"
# Rows of a product's ``warehouses`` list that are not warehouses (with ``locale=ru``):
REMAINS_TO_BUYERS = "В пути до получателей"
REMAINS_RETURNS = "В пути возвраты на склад WB"
REMAINS_TOTAL = "Всего находится на складах"
LONGEST_REPORT_WAIT = 10.0  # seconds one 429 is waited out in the job; longer: the next read
# Product cards live on the Content API's own host, never on marketplace-api (WB's
# work-with-products OpenAPI, servers of /content/v2/get/cards/list).
CONTENT_URL = "https://content-api.wildberries.ru"
# Prices and discounts have their own host too (servers of /api/v2/upload/task).
PRICES_URL = "https://discounts-prices-api.wildberries.ru"
# Sales statistics (orders, sales) and the realization report: their own hosts too.
STATISTICS_URL = "https://statistics-api.wildberries.ru"
FINANCE_URL = "https://finance-api.wildberries.ru"
SUPPLY_QR_KINDS = frozenset({"svg", "zplv", "zplh", "png"})
# 409 of PATCH /api/v3/supplies/{supplyId}/deliver for a supply without orders.
ZERO_ORDERS = "SupplyHasZeroOrders"
# sgtin validation decisions of POST /api/marketplace/v3/orders/meta (orders-fbs OpenAPI,
# 2026): with these the supply may be delivered; "pending" means wait; "required" means
# the code is missing; every other decision is a failed validation.
SGTIN_PASSED = frozenset(
    {"filled", "deadlineExceeded", "optional", "sgtinIntroduced", "sgtinSoldB2B"}
)


@dataclass(frozen=True)
class SgtinMeta:
    """The Честный знак codes WB holds for one assembly order, and how it judged them."""

    codes: tuple[str, ...] = ()
    pending: bool = False  # WB is still validating: the supply cannot be delivered yet
    failed: tuple[str, ...] = ()  # decisions that failed validation (e.g. "sgtinNotFound")


class WildberriesClient(PriceCalls, CardCalls, ReportCalls, SellerApi):
    """A synchronous client for one seller token; use it as a context manager.

    A card leaves WB's showcase only by stock 0: there is no call that hides it.
    """

    service = NAME
    READS_PRICES: ClassVar[bool] = True
    HIDES_BY_CALL: ClassVar[bool] = False

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        content_url: str = CONTENT_URL,
        analytics_url: str = ANALYTICS_URL,
        prices_url: str = PRICES_URL,
        statistics_url: str = STATISTICS_URL,
        finance_url: str = FINANCE_URL,
        report_poll_seconds: float = 5.0,
    ) -> None:
        # Cards are asked on the Content API's host only: falling back to ``base_url``
        # once hid that production asked marketplace-api for them (WB answers 404 there).
        self._content_url = content_url.rstrip("/")
        self._prices_url = prices_url.rstrip("/")
        self._analytics_url = analytics_url.rstrip("/")
        self._statistics_url = statistics_url.rstrip("/")
        self._finance_url = finance_url.rstrip("/")
        self._report_poll = report_poll_seconds
        super().__init__(base_url, timeout=timeout, headers={"Authorization": token})

    # --- reading ---------------------------------------------------------------------

    def ping(self) -> None:
        """Check that the token is accepted (WB allows 3 calls per 30 s)."""
        self._send("GET", "/ping")

    def warehouses(self) -> list[dict[str, Any]]:
        return list(self._send("GET", "/api/v3/warehouses").json())

    def new_orders(self) -> list[IncomingOrder]:
        """Every assembly order waiting in ``new`` (WB does not paginate this list)."""
        data = self._send("GET", "/api/v3/orders/new").object()
        return http.readable(data.get("orders"), _incoming, NAME, "order")

    def orders(
        self, date_from: datetime, date_to: datetime, *, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Raw ``Order`` dicts created in the window (at most 30 days), following ``next``."""
        found: list[dict[str, Any]] = []
        cursor = 0
        while True:
            params = {
                "limit": limit,
                "next": cursor,
                "dateFrom": int(date_from.timestamp()),
                "dateTo": int(date_to.timestamp()),
            }
            page = self._send("GET", "/api/v3/orders", params=params).json()
            batch = page.get("orders", [])
            found += batch
            if len(batch) < limit or page.get("next") in (None, cursor):
                return found
            cursor = page["next"]

    def order_statuses(self, ids: Iterable[str | int]) -> dict[str, str]:
        """external id → "supplierStatus/wbStatus" (the uniform, one-string form)."""
        return {key: "/".join(pair) for key, pair in self.status_pairs(ids).items()}

    def status_pairs(self, ids: Iterable[str | int]) -> dict[str, tuple[str, str]]:
        """external id → (supplierStatus, wbStatus); ids WB does not know are absent."""
        result: dict[str, tuple[str, str]] = {}
        for batch in batches([_order_id(value) for value in ids], STATUS_BATCH):
            data = self._send("POST", "/api/v3/orders/status", json={"orders": batch}).json()
            for item in data.get("orders", []):
                result[str(item["id"])] = (item["supplierStatus"], item["wbStatus"])
        return result

    def supply(self, supply_id: str) -> dict[str, Any]:
        """Raw supply: ``{id, name, done, createdAt, closedAt, ...}``."""
        return dict(self._send("GET", f"/api/v3/supplies/{supply_id}").json())

    def supply_order_ids(self, supply_id: str) -> list[str]:
        path = f"/api/marketplace/v3/supplies/{supply_id}/order-ids"
        return [str(value) for value in self._send("GET", path).json().get("orderIds", [])]

    def sgtin_meta(self, order_ids: Iterable[str | int]) -> dict[str, SgtinMeta]:
        """order id → the sgtin codes WB holds (``POST /api/marketplace/v3/orders/meta``).

        Read back before a supply is delivered: a code lost on the way is sent again
        rather than found missing by WB's 409. Reads the 2026 ``metaDetails`` list and
        the older ``meta.sgtin.value`` form; orders WB returns no sgtin for are absent.
        """
        found: dict[str, SgtinMeta] = {}
        for batch in batches([_order_id(value) for value in order_ids], META_BATCH):
            body = {"orders": batch}
            data = self._send("POST", "/api/marketplace/v3/orders/meta", json=body).object()
            for item in data.get("orders") or ():
                meta = _sgtin_meta(item)
                if meta is not None:
                    found[str(item.get("id"))] = meta
        return found

    def stocks(self, warehouse_id: int, chrt_ids: Iterable[int | str]) -> dict[int, int]:
        """chrtId → amount as WB holds it."""
        result: dict[int, int] = {}
        for batch in batches([int(value) for value in chrt_ids], STOCK_BATCH):
            path = f"/api/v3/stocks/{warehouse_id}"
            data = self._send("POST", path, json={"chrtIds": batch}).json()
            result.update({item["chrtId"]: item["amount"] for item in data.get("stocks", [])})
        return result

    def fbo_stock(self, *, polls: int = 24) -> list[FboRow]:
        """Our goods in WB's warehouses: the «warehouse remains» report, by barcode.

        WB makes the report on request: the task is created (1 a minute), its status
        polled every ``report_poll_seconds`` (WB allows one call per 5 s) up to ``polls`` times,
        then the report downloaded (1 a minute). A task WB purged or cancelled, or one not
        done in time, is a ``TransientError``: the next read starts afresh.
        """
        params = {
            "locale": "ru",
            "groupByBarcode": "true",
            "groupBySa": "true",
            "groupByNm": "true",
            "groupBySize": "true",
        }
        task = self._report_call(REMAINS_PATH, params).object()
        task_id = str((task.get("data") or {}).get("taskId") or "")
        if not task_id:
            raise MarketplaceError("Wildberries gave no task id for the warehouse remains report")
        for _ in range(polls):
            time.sleep(self._report_poll)
            status = self._report_call(f"{REMAINS_PATH}/tasks/{task_id}/status").object()
            state = str((status.get("data") or {}).get("status") or "")
            if state == "done":
                break
            if state in ("purged", "canceled"):
                raise TransientError(f"Wildberries {state} the warehouse remains report")
        else:
            raise TransientError("the Wildberries warehouse remains report is not ready yet")
        answer = self._report_call(f"{REMAINS_PATH}/tasks/{task_id}/download")
        if answer.response.status_code == 204 or not answer.content.strip():
            return []
        items = answer.json()
        if not isinstance(items, list):
            raise TransientError("unexpected answer from Wildberries (warehouse remains)")
        return [row for item in items if isinstance(item, dict) for row in _remains(item)]

    def _report_call(self, path: str, params: Mapping[str, Any] | None = None) -> http.Answer:
        """A GET on the analytics host; a 429 is waited out once if WB says how long."""
        try:
            return self._send("GET", path, params=params, base=self._analytics_url)
        except TransientError as exc:
            if exc.retry_after is None or exc.retry_after > LONGEST_REPORT_WAIT:
                raise
            time.sleep(exc.retry_after)
            return self._send("GET", path, params=params, base=self._analytics_url)

    # --- changing --------------------------------------------------------------------

    def create_supply(self, name: str) -> str:
        """A new open supply; returns its id (``WB-GI-…``)."""
        supply_id = str(self._send("POST", "/api/v3/supplies", json={"name": name}).json()["id"])
        logger.info("wb supply created supply=%s", supply_id)
        return supply_id

    def add_to_supply(self, supply_id: str, order_ids: Sequence[str | int]) -> None:
        """Confirm orders (``new → confirm``) by adding them to the open supply."""
        path = f"/api/marketplace/v3/supplies/{supply_id}/orders"
        for batch in batches([_order_id(value) for value in order_ids], SUPPLY_BATCH):
            self._send("PATCH", path, json={"orders": batch})
        logger.info("wb orders added supply=%s count=%s", supply_id, len(order_ids))

    def deliver_supply(self, supply_id: str) -> bool:
        """Close the supply for hand-over: its orders go ``confirm → complete``.

        False when WB answers 409 ``SupplyHasZeroOrders``: an empty supply has nothing to
        deliver. Other refusals (``MetaValidationFail``, ``UinIsNotFilled``…) raise.
        """
        try:
            self._send("PATCH", f"/api/v3/supplies/{supply_id}/deliver")
        except RejectedError as exc:
            if exc.code != ZERO_ORDERS:
                raise
            logger.info("wb supply has no orders to deliver supply=%s", supply_id)
            return False
        logger.info("wb supply delivered supply=%s", supply_id)
        return True

    def supply_qr(self, supply_id: str, *, kind: str = "zplv") -> Label:
        """The supply's QR sticker (``GET /api/v3/supplies/{supplyId}/barcode``).

        WB draws it only once the supply is delivered (409 ``SupplyNotClosed`` before);
        ``barcode`` is what the QR holds, the supply id.
        """
        if kind not in SUPPLY_QR_KINDS:
            raise RejectedError(
                f"a supply QR is one of {sorted(SUPPLY_QR_KINDS)}", "IncorrectParameter"
            )
        path = f"/api/v3/supplies/{supply_id}/barcode"
        data = self._send("GET", path, params={"type": kind}).object()
        return _label(data, kind)

    def cancel_order(self, order_id: str | int) -> None:
        self._send("PATCH", f"/api/v3/orders/{_order_id(order_id)}/cancel")
        logger.info("wb order cancelled order=%s", order_id)

    def sticker(
        self, order_id: str | int, *, kind: str = "zplv", width: int = 58, height: int = 40
    ) -> Label:
        """WB's own sticker; only confirmed (or complete) orders have one."""
        params = {"type": kind, "width": width, "height": height}
        body = {"orders": [_order_id(order_id)]}
        data = self._send("POST", "/api/v3/orders/stickers", params=params, json=body).json()
        for item in data.get("stickers", []):
            if str(item.get("orderId")) == str(body["orders"][0]):
                return _label(item, kind)
        raise RejectedError(
            f"Wildberries gave no sticker for order {order_id} (not confirmed yet?)",
            code="NoSticker",
        )

    def label(self, external_id: str) -> Label:
        return self.sticker(external_id)

    def cancel(self, external_id: str, reason: str = "") -> None:
        """WB takes no reason for a seller's cancel."""
        self.cancel_order(external_id)

    def product_cards(self) -> list[ProductCard]:
        """One card per size (chrtID is the stock key), all pages of the Content API.

        UNCONFIRMED: the fact sheet does not cover the Content API; path and shapes are
        ``POST /content/v2/get/cards/list`` with a cursor, as WB documents it publicly.
        """
        cards: list[ProductCard] = []
        cursor: dict[str, Any] = {"limit": CARDS_PAGE}
        while True:
            body = {"settings": {"cursor": cursor, "filter": {"withPhoto": -1}}}
            data = self._send("POST", CARDS_PATH, json=body, base=self._content_url).json()
            page = data.get("cards") or []
            cards += [card for raw in page for card in _cards(raw)]
            if len(page) < CARDS_PAGE:
                return cards
            last = data.get("cursor") or {}
            cursor = {
                "limit": CARDS_PAGE,
                "updatedAt": last.get("updatedAt"),
                "nmID": last.get("nmID"),
            }

    def push_stocks(self, warehouse_id: int | str, amounts: Mapping[int | str, int]) -> None:
        """Set free stock per chrtId (WB ignores chrtIds it does not know)."""
        entries = [{"chrtId": int(chrt), "amount": int(amount)} for chrt, amount in amounts.items()]
        for batch in batches(entries, STOCK_BATCH):
            self._send("PUT", f"/api/v3/stocks/{warehouse_id}", json={"stocks": batch})
        logger.info("wb stock pushed warehouse=%s items=%s", warehouse_id, len(entries))

    def set_sgtins(self, order_id: str | int, codes: Sequence[str]) -> None:
        """Attach Честный знак codes; WB accepts them only while the order is ``confirm``."""
        path = f"/api/v3/orders/{_order_id(order_id)}/meta/sgtin"
        self._send("PUT", path, json={"sgtins": list(codes)})

    # --- the one place that reads status codes ----------------------------------------

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
        """One call; a status in ``answered`` comes back as an answer for the caller to read."""
        url = f"{base}{path}" if base else path
        where = f"{method} {path}"
        response = self._request(method, url, where=where, params=params, json=json)
        if response.status_code not in answered:
            http.raise_for_status(
                response,
                NAME,
                where,
                auth_message=_auth_message,
                fields=_business_error,
                wait=_wait,
            )
        return http.Answer(response, NAME, where)


def _auth_message(status: int, code: str | None, message: str) -> str:
    return f"token rejected by Wildberries ({status})"


def _business_error(body: dict[str, Any]) -> tuple[Any, Any]:
    """``{code, message, data}``, the prices and Content hosts' ``{error, errorText}``, the
    gateway's ``{title, detail}`` of a 4xx or the statistics host's ``{errors}`` (a list
    or one text)."""
    message = body.get("message") or body.get("errorText") or body.get("detail")
    errors = body.get("errors")
    if not message and errors:
        message = "; ".join(map(str, errors)) if isinstance(errors, list) else str(errors)
    return body.get("code"), message or body.get("title") or ""


def _wait(headers: httpx.Headers) -> float | None:
    return http.retry_after(headers, "X-Ratelimit-Retry", "Retry-After")


def _incoming(raw: dict[str, Any]) -> IncomingOrder:
    price = raw.get("convertedPrice") or raw.get("price") or 0
    line = IncomingLine(
        barcodes=tuple(str(sku) for sku in raw.get("skus") or ()),
        article=str(raw.get("article", "")),
        quantity=1,
        external_sku=str(raw.get("chrtId", "")),
        price_kopecks=int(price),
    )
    return IncomingOrder(
        external_id=str(raw["id"]),
        status="new",
        created_at=_parse_time(raw.get("createdAt")),
        lines=(line,),
        group_id=str(raw.get("orderUid", "")),
        raw=raw,
    )


def _remains(item: dict[str, Any]) -> list[FboRow]:
    """One product of the remains report: a row per WB warehouse holding it, and one for
    the units on the way (to buyers: held; returns to WB: coming in). The total row is
    WB's own sum and is skipped."""
    article = str(item.get("vendorCode") or "")
    barcode = str(item.get("barcode") or "")
    nm_id = str(item.get("nmId") or "")
    rows: list[FboRow] = []
    to_buyers = returns = 0
    for place in item.get("warehouses") or ():
        if not isinstance(place, dict):
            continue
        name = str(place.get("warehouseName") or "")
        quantity = max(_count(place.get("quantity")), 0)
        if name == REMAINS_TO_BUYERS:
            to_buyers += quantity
        elif name == REMAINS_RETURNS:
            returns += quantity
        elif name and name != REMAINS_TOTAL:
            rows.append(FboRow(name, "", article, barcode, nm_id, available=quantity))
    if to_buyers or returns:
        rows.append(FboRow("", "", article, barcode, nm_id, reserved=to_buyers, incoming=returns))
    return rows


def _count(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _cards(raw: dict[str, Any]) -> list[ProductCard]:
    return [
        ProductCard(
            sku=str(size.get("chrtID", "")),
            article=str(raw.get("vendorCode", "")),
            name=str(raw.get("title", "")),
            barcodes=tuple(str(sku) for sku in size.get("skus") or ()),
            marketplace_id=str(raw.get("nmID", "")),
        )
        for size in raw.get("sizes") or ()
        if size.get("chrtID")
    ]


def _sgtin_meta(item: dict[str, Any]) -> SgtinMeta | None:
    """One order of an ``orders/meta`` answer; None when it can carry no sgtin."""
    details = item.get("metaDetails")
    if isinstance(details, list):
        sgtins = [d for d in details if isinstance(d, dict) and d.get("key") == "sgtin"]
        if not sgtins:
            return None
        decisions = [str(d.get("decision") or "") for d in sgtins]
        return SgtinMeta(
            codes=tuple(str(d["value"]) for d in sgtins if d.get("value")),
            pending="pending" in decisions,
            failed=tuple(d for d in decisions if d not in SGTIN_PASSED | {"pending", "required"}),
        )
    sgtin = (item.get("meta") or {}).get("sgtin")  # the 2025 form: {value: [codes] | null}
    if not isinstance(sgtin, dict):
        return None
    return SgtinMeta(codes=tuple(str(code) for code in sgtin.get("value") or ()))


def _label(item: dict[str, Any], kind: str) -> Label:
    try:
        content = base64.b64decode(item.get("file", ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TransientError("Wildberries sent a sticker that is not base64") from exc
    caption = f"{item.get('partA', '')} {item.get('partB', '')}".strip()
    label_format = "zpl" if kind.startswith("zpl") else kind
    return Label(
        content=content, format=label_format, barcode=str(item.get("barcode", "")), caption=caption
    )


def _parse_time(value: Any) -> datetime:
    parsed = http.iso_time(value)
    if parsed is None:
        logger.warning("wb order without a readable createdAt: %r", value)
    return parsed or datetime.now(UTC)


def _order_id(value: str | int) -> int:
    return http.whole_number(value, "a Wildberries order id", "IncorrectParameter")
