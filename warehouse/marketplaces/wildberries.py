"""Wildberries Marketplace API (FBS) connector: assembly orders, supplies, stickers, stock.

One unit per assembly order; orders are confirmed by adding them to a supply and handed
over by delivering the supply. Every HTTP answer is turned into our shapes or into one of
``base``'s errors in ``_send``; nothing else looks at status codes. The token goes only
into the ``Authorization`` header (bare, no ``Bearer``), never into messages or logs.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import ssl
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import certifi
import httpx

from warehouse.marketplaces.base import (
    AuthError,
    IncomingLine,
    IncomingOrder,
    Label,
    MarketplaceError,
    ProductCard,
    RejectedError,
    TransientError,
)

logger = logging.getLogger(__name__)

STATUS_BATCH = 1000
SUPPLY_BATCH = 100
STOCK_BATCH = 1000
CARDS_PAGE = 100
CARDS_PATH = "/content/v2/get/cards/list"


class WildberriesClient:
    """A synchronous client for one seller token; use it as a context manager."""

    def __init__(
        self, base_url: str, token: str, *, timeout: float = 10.0, content_url: str = ""
    ) -> None:
        # Cards live on another host (content-api.wildberries.ru); the sandbox serves both.
        self._content_url = (content_url or base_url).rstrip("/")
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": token, "Accept": "application/json"},
            timeout=timeout,
            verify=_tls_context(),
        )

    def __repr__(self) -> str:
        return f"WildberriesClient({str(self._http.base_url)!r})"

    def __enter__(self) -> WildberriesClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- reading ---------------------------------------------------------------------

    def ping(self) -> None:
        """Check that the token is accepted (WB allows 3 calls per 30 s)."""
        self._send("GET", "/ping")

    def warehouses(self) -> list[dict[str, Any]]:
        return list(self._send("GET", "/api/v3/warehouses").json())

    def new_orders(self) -> list[IncomingOrder]:
        """Every assembly order waiting in ``new`` (WB does not paginate this list)."""
        data = self._send("GET", "/api/v3/orders/new").json()
        return [_incoming(raw) for raw in data.get("orders", [])]

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
        for batch in _batches([_order_id(value) for value in ids], STATUS_BATCH):
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

    def stocks(self, warehouse_id: int, chrt_ids: Iterable[int | str]) -> dict[int, int]:
        """chrtId → amount as WB holds it."""
        result: dict[int, int] = {}
        for batch in _batches([int(value) for value in chrt_ids], STOCK_BATCH):
            path = f"/api/v3/stocks/{warehouse_id}"
            data = self._send("POST", path, json={"chrtIds": batch}).json()
            result.update({item["chrtId"]: item["amount"] for item in data.get("stocks", [])})
        return result

    # --- changing --------------------------------------------------------------------

    def create_supply(self, name: str) -> str:
        """A new open supply; returns its id (``WB-GI-…``)."""
        supply_id = str(self._send("POST", "/api/v3/supplies", json={"name": name}).json()["id"])
        logger.info("wb supply created supply=%s", supply_id)
        return supply_id

    def add_to_supply(self, supply_id: str, order_ids: Sequence[str | int]) -> None:
        """Confirm orders (``new → confirm``) by adding them to the open supply."""
        path = f"/api/marketplace/v3/supplies/{supply_id}/orders"
        for batch in _batches([_order_id(value) for value in order_ids], SUPPLY_BATCH):
            self._send("PATCH", path, json={"orders": batch})
        logger.info("wb orders added supply=%s count=%s", supply_id, len(order_ids))

    def deliver_supply(self, supply_id: str) -> None:
        """Close the supply for hand-over: its orders go ``confirm → complete``."""
        self._send("PATCH", f"/api/v3/supplies/{supply_id}/deliver")
        logger.info("wb supply delivered supply=%s", supply_id)

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
        for batch in _batches(entries, STOCK_BATCH):
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
    ) -> _Answer:
        url = f"{base}{path}" if base else path
        try:
            response = self._http.request(method, url, params=params, json=json)
        except httpx.TimeoutException as exc:
            raise TransientError(f"Wildberries did not answer in time ({method} {path})") from exc
        except httpx.UnsupportedProtocol as exc:
            raise MarketplaceError("the Wildberries address is not an http(s) URL") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise TransientError(
                f"connection to Wildberries failed ({method} {path}): {type(exc).__name__}"
            ) from exc
        _raise_for_status(response, method, path)
        return _Answer(response, method, path)


class _Answer:
    """A successful response whose JSON is read (and checked) only when asked for."""

    def __init__(self, response: httpx.Response, method: str, path: str) -> None:
        self._response = response
        self._where = f"{method} {path}"

    def json(self) -> Any:
        try:
            return self._response.json()
        except ValueError as exc:
            raise TransientError(f"unreadable answer from Wildberries ({self._where})") from exc


def _raise_for_status(response: httpx.Response, method: str, path: str) -> None:
    status = response.status_code
    if status < 300:
        return
    where = f"{method} {path}"
    if status == 429:
        retry_after = _retry_after(response.headers)
        logger.warning("wb rate limited %s retry_after=%s", where, retry_after)
        raise TransientError(f"Wildberries rate limit (429) on {where}", retry_after=retry_after)
    if status >= 500 or status == 408:
        raise TransientError(f"Wildberries server error ({status}) on {where}")
    if status in (401, 403):
        raise AuthError(f"token rejected by Wildberries ({status})")
    if 400 <= status < 500:
        code, message = _business_error(response)
        raise RejectedError(f"Wildberries refused {where} ({status} {code}): {message}", code=code)
    raise MarketplaceError(f"unexpected answer from Wildberries ({status}) on {where}")


def _business_error(response: httpx.Response) -> tuple[str | None, str]:
    """``{code, message, data}`` (or the gateway's ``{title, detail}``) of a 4xx."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    if not isinstance(body, dict):
        return None, str(body)[:200]
    code = body.get("code")
    message = body.get("message") or body.get("detail") or body.get("title") or ""
    return (str(code) if code is not None else None), str(message)[:300]


def _retry_after(headers: httpx.Headers) -> float | None:
    for name in ("X-Ratelimit-Retry", "Retry-After"):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            return max(0.0, (parsedate_to_datetime(raw) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            continue
    return None


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
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        logger.warning("wb order without a readable createdAt: %r", value)
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verified TLS context per process; loading the CA bundle per client is slow."""
    return ssl.create_default_context(cafile=certifi.where())


def _order_id(value: str | int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RejectedError(
            f"{value!r} is not a Wildberries order id", code="IncorrectParameter"
        ) from None


def _batches(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
