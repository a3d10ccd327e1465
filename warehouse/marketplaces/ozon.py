"""Ozon Seller API (FBS postings) connector: postings, ship, marking codes, labels, stock.

A posting (``posting_number``) holds N products; ``ship`` reports its packages (each
package becomes a posting) and moves it ``awaiting_packaging → awaiting_deliver``; the
label is a PDF, ready about 45 s after ``ship``. Prices and the showcase (archive) are
mixed in from ``ozon_prices``, the sales statistics and the finance report from
``ozon_reports``. Every HTTP answer is turned into our shapes or into one of
``base``'s errors in ``_send`` (with ``http.raise_for_status``). The ``Client-Id`` /
``Api-Key`` go only into headers, never into messages or logs.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from warehouse.marketplaces import http
from warehouse.marketplaces import ozon_shapes as shapes
from warehouse.marketplaces.base import (
    FboRow,
    IncomingOrder,
    Label,
    ProductCard,
    RejectedError,
    TransientError,
)
from warehouse.marketplaces.http import SellerApi
from warehouse.marketplaces.ozon_acts import ACT_LATER, ActCalls
from warehouse.marketplaces.ozon_prices import PriceCalls
from warehouse.marketplaces.ozon_reports import ReportCalls

logger = logging.getLogger(__name__)

NAME = "Ozon"
PAGE = 1000  # limit ≤ 1000 on the posting and product lists
STOCK_BATCH = 100
STOCK_PAIR_SECONDS = 30.0  # one update per (offer, warehouse) per 30 s
NEW_STATUS = "awaiting_packaging"
CUTOFF_BACK = timedelta(days=30)  # unfulfilled/list needs a cut-off window
CUTOFF_AHEAD = timedelta(days=60)
# Seller's cancel reasons (/v1/posting/fbs/cancel-reason, Ozon Seller API swagger 2025-09):
# 352 "товар закончился на складе продавца" fits our only seller cancel, a short pick;
# 402 "другое (вина продавца)" needs cancel_reason_message.
CANCEL_REASON_OUT_OF_STOCK = 352
CANCEL_REASON_OTHER = 402
CANCEL_MESSAGE = "Товар закончился на складе продавца"
EXEMPLAR_POLLS = (0.0, 0.3, 0.7, 1.5)  # seconds to wait before each exemplar/status check
EXEMPLAR_RETRY_SECONDS = 10.0
# 4xx answers that mean "later", not "never" (matched in rpcStatus.message).
TRANSIENT_MESSAGES = ("aren't ready", "circle is open", "rate limit", *ACT_LATER)


class OzonClient(ActCalls, PriceCalls, ReportCalls, SellerApi):
    """A synchronous client for one Client-Id / Api-Key; use it as a context manager."""

    service = NAME
    READS_PRICES: ClassVar[bool] = True
    HIDES_BY_CALL: ClassVar[bool] = True  # archive / unarchive

    def __init__(
        self,
        base_url: str,
        client_id: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        page_size: int = PAGE,
    ) -> None:
        self._page = max(1, min(page_size, PAGE))
        headers = {"Client-Id": client_id, "Api-Key": api_key}
        super().__init__(base_url, timeout=timeout, headers=headers)

    # --- reading ---------------------------------------------------------------------

    def ping(self) -> None:
        self.warehouses()

    def warehouses(self) -> list[dict[str, Any]]:
        return list(self._json("/v1/warehouse/list", {}).get("result") or [])

    def new_orders(self) -> list[IncomingOrder]:
        """Every posting in ``awaiting_packaging``, all pages of ``unfulfilled/list``."""
        now = datetime.now(UTC)
        body: dict[str, Any] = {
            "dir": "ASC",
            "filter": {
                "cutoff_from": shapes.iso(now - CUTOFF_BACK),
                "cutoff_to": shapes.iso(now + CUTOFF_AHEAD),
                "status": NEW_STATUS,
            },
            "limit": self._page,
            "with": {"barcodes": True},
        }
        found: list[IncomingOrder] = []
        offset = 0
        while True:
            result = self._json("/v3/posting/fbs/unfulfilled/list", {**body, "offset": offset})
            page = (result.get("result") or {}).get("postings") or []
            found += http.readable(page, shapes.incoming, NAME, "posting")
            offset += len(page)
            total = int((result.get("result") or {}).get("count") or 0)
            if len(page) < self._page or offset >= total:
                return found  # a short page is the last one, whatever ``count`` says

    def get_posting(self, posting_number: str) -> IncomingOrder:
        raw = self._posting(posting_number)
        if raw is None:
            raise RejectedError(f"Ozon has no posting {posting_number}", code="POSTING_NOT_FOUND")
        return shapes.incoming(raw)

    def order_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """posting_number → Ozon ``status``; postings Ozon does not know are left out."""
        result: dict[str, str] = {}
        for posting_number in dict.fromkeys(str(value) for value in ids):
            raw = self._posting(posting_number)
            if raw is not None:
                result[posting_number] = str(raw.get("status", ""))
        return result

    def exemplar_status(self, posting_number: str) -> str:
        """``ship_available`` | ``ship_not_available`` | ``validation_in_process``."""
        return str(self._exemplar_check(posting_number).get("status", ""))

    def product_cards(self) -> list[ProductCard]:
        """Every product (offer_id is the stock key), via ``/v3/product/list`` + ``info/list``.

        UNCONFIRMED: the fact sheet does not cover the product API; the paths and shapes
        are Ozon's public v3 methods as documented on docs.ozon.ru.
        """
        cards: list[ProductCard] = []
        last_id = ""
        while True:
            body = {"filter": {"visibility": "ALL"}, "last_id": last_id, "limit": self._page}
            result = self._json("/v3/product/list", body).get("result") or {}
            items = result.get("items") or []
            ids = [item["product_id"] for item in items if item.get("product_id")]
            if ids:
                info = self._json("/v3/product/info/list", {"product_id": ids})
                cards += [shapes.card(raw) for raw in info.get("items") or []]
            last_id = str(result.get("last_id") or "")
            if len(items) < self._page or not last_id:
                return cards

    def fbo_stock(self) -> list[FboRow]:
        """Our goods in Ozon's warehouses: ``/v2/analytics/stock_on_warehouses`` (all warehouse
        types), page by page (``offset``) until a short page. Ozon marks the method to be
        replaced by ``/v1/analytics/stocks``, which needs every SKU asked for (100 a call)."""
        rows: list[FboRow] = []
        offset = 0
        while True:
            body = {"limit": self._page, "offset": offset, "warehouse_type": "ALL"}
            result = self._json("/v2/analytics/stock_on_warehouses", body).get("result") or {}
            page = [row for row in result.get("rows") or () if isinstance(row, dict)]
            rows += [shapes.fbo_row(row) for row in page]
            if len(page) < self._page:
                return rows
            offset += len(page)

    # --- changing --------------------------------------------------------------------

    def ship(self, posting_number: str, packages: Sequence[Sequence[tuple[str, int]]]) -> list[str]:
        """Assemble: each package is [(offer_id or Ozon SKU, quantity)]; returns the postings.

        Ozon wants ``product_id`` = the Ozon SKU; offer ids are looked up in the posting.
        """
        skus = shapes.sku_keys(self._products(posting_number))
        body = {
            "posting_number": posting_number,
            "packages": [
                {
                    "products": [
                        {"product_id": shapes.sku(skus, key), "quantity": int(qty)}
                        for key, qty in package
                    ]
                }
                for package in packages
            ],
            "with": {"additional_data": False},
        }
        numbers = [str(n) for n in self._json("/v4/posting/fbs/ship", body).get("result") or []]
        logger.info("ozon posting shipped posting=%s into=%s", posting_number, numbers)
        return numbers

    def set_exemplars(self, posting_number: str, codes: Mapping[str, Sequence[str]]) -> None:
        """Attach marking codes per product (offer_id or SKU → codes) and wait for the check.

        Ozon checks asynchronously: raises TransientError while it is still checking,
        RejectedError(code="ship_not_available") when a code failed.
        """
        by_sku = shapes.codes_by_sku(self._products(posting_number), codes)
        known = self._json(
            "/v6/fbs/posting/product/exemplar/create-or-get", {"posting_number": posting_number}
        )
        products = [
            shapes.with_codes(product, by_sku.get(int(product["product_id"]), ()))
            for product in known.get("products") or []
        ]
        body = {"posting_number": posting_number, "multi_box_qty": 1, "products": products}
        self._json("/v6/fbs/posting/product/exemplar/set", body)
        logger.info("ozon exemplars sent posting=%s products=%s", posting_number, len(products))
        self._await_check(posting_number)

    def label(self, external_id: str) -> Label:
        """The package label PDF; TransientError while Ozon says it is not ready yet.

        Its barcode carries the posting number: the loader scans it onto the hand-over."""
        response = self._send("/v2/posting/fbs/package-label", {"posting_number": [external_id]})
        assert response is not None
        return Label(content=_pdf(response), format="pdf", barcode=external_id, caption=external_id)

    def cancel(self, external_id: str, reason: str = "") -> None:
        """Seller's cancel of a posting, for lack of goods (our only seller cancel).

        The reason is one Ozon allows for this posting (``/v1/posting/fbs/cancel-reason``):
        "out of stock" when offered, else "other" with ``reason`` as its message.
        """
        reason_id = self._cancel_reason(external_id)
        body = {
            "posting_number": external_id,
            "cancel_reason_id": reason_id,
            "cancel_reason_message": _cancel_message(reason),
        }
        self._json("/v2/posting/fbs/cancel", body)
        logger.info("ozon posting cancelled posting=%s reason=%s", external_id, reason_id)

    def cancel_products(
        self, posting_number: str, items: Mapping[str, int], reason: str = ""
    ) -> str:
        """Cancel some units of a posting (offer_id or Ozon SKU → quantity), out of stock.

        ``POST /v2/posting/fbs/product/cancel``; the rest of the posting still ships.
        Returns the posting number Ozon answers with.
        """
        skus = shapes.sku_keys(self._products(posting_number))
        body = {
            "posting_number": posting_number,
            "cancel_reason_id": self._cancel_reason(posting_number),
            "cancel_reason_message": _cancel_message(reason),
            "items": [
                {"sku": shapes.sku(skus, key), "quantity": int(qty)} for key, qty in items.items()
            ],
        }
        answer = self._json("/v2/posting/fbs/product/cancel", body)
        logger.info("ozon products cancelled posting=%s items=%s", posting_number, len(items))
        return str(answer.get("result") or posting_number)

    def cancel_reasons(self, posting_number: str) -> list[dict[str, Any]]:
        """The reasons Ozon allows for cancelling this posting: ``[{id, title, type_id}]``."""
        body = {"related_posting_numbers": [posting_number]}
        result = self._json("/v1/posting/fbs/cancel-reason", body).get("result") or []
        for entry in result:
            if str(entry.get("posting_number")) == posting_number:
                return list(entry.get("reasons") or [])
        return []

    def _cancel_reason(self, posting_number: str) -> int:
        """Out of stock if Ozon offers it for the posting, else "other"; refused if neither."""
        offered = {
            int(reason["id"])
            for reason in self.cancel_reasons(posting_number)
            if reason.get("type_id") == "seller" and shapes.is_int(reason.get("id"))
        }
        for wanted in (CANCEL_REASON_OUT_OF_STOCK, CANCEL_REASON_OTHER):
            if wanted in offered:
                return wanted
        raise RejectedError(
            f"Ozon offers no seller's cancel reason for {posting_number}",
            code="HAS_INCORRECT_CANCEL_REASON",
        )

    def push_stocks(self, warehouse_id: str, levels: Mapping[str, int]) -> dict[str, str]:
        """Free stock per offer_id; returns the offers Ozon refused (offer → error code).

        Ozon answers per (offer, warehouse): a refused product (``offer_id_not_found``, …)
        does not stop the others. TransientError if Ozon throttled some pair (retry all
        after 30 s); RejectedError if it refused the warehouse itself.
        """
        warehouse = shapes.warehouse_id(warehouse_id)
        entries = [
            {"offer_id": str(offer), "stock": max(0, int(stock)), "warehouse_id": warehouse}
            for offer, stock in levels.items()
        ]
        outcome = shapes.StockOutcome()
        for start in range(0, len(entries), STOCK_BATCH):
            body = {"stocks": entries[start : start + STOCK_BATCH]}
            outcome.read(self._json("/v2/products/stocks", body).get("result"))
        logger.info(
            "ozon stock pushed warehouse=%s items=%s failed=%s",
            warehouse,
            len(entries),
            sorted(outcome.failed),
        )
        if outcome.throttled:
            raise TransientError(
                f"Ozon throttled stock of {len(outcome.throttled)} offers (TOO_MANY_REQUESTS)",
                retry_after=STOCK_PAIR_SECONDS,
            )
        return outcome.failed

    # --- helpers over HTTP -----------------------------------------------------------

    def _posting(self, posting_number: str) -> dict[str, Any] | None:
        body = {"posting_number": posting_number, "with": {"barcodes": True}}
        response = self._send("/v3/posting/fbs/get", body, missing_ok=True)
        return None if response is None else dict(_read_json(response).get("result") or {})

    def _products(self, posting_number: str) -> list[dict[str, Any]]:
        """The posting's ``products[{sku, offer_id, quantity, ...}]``."""
        raw = self._posting(posting_number)
        if raw is None:
            raise RejectedError(f"Ozon has no posting {posting_number}", code="POSTING_NOT_FOUND")
        return list(raw.get("products") or [])

    def _exemplar_check(self, posting_number: str) -> dict[str, Any]:
        path = "/v5/fbs/posting/product/exemplar/status"
        return self._json(path, {"posting_number": posting_number})

    def _await_check(self, posting_number: str) -> None:
        for pause in EXEMPLAR_POLLS:
            time.sleep(pause)
            check = self._exemplar_check(posting_number)
            status = str(check.get("status", ""))
            if status == "ship_available":
                return
            if status == "ship_not_available":
                raise RejectedError(
                    f"Ozon refused marking codes of {posting_number}: {shapes.mark_errors(check)}",
                    code="ship_not_available",
                )
        raise TransientError(
            f"Ozon is still checking marking codes of {posting_number}",
            retry_after=EXEMPLAR_RETRY_SECONDS,
        )

    def _json(self, path: str, body: Any) -> dict[str, Any]:
        response = self._send(path, body)
        assert response is not None
        return _read_json(response)

    # --- the one place that sends ------------------------------------------------------

    def _send(self, path: str, body: Any, *, missing_ok: bool = False) -> httpx.Response | None:
        response = self._request("POST", path, json=body)
        if missing_ok and response.status_code == 404:
            return None
        # UNCONFIRMED whether Ozon sends ``Retry-After`` on a 429; it is read when it does.
        http.raise_for_status(
            response,
            NAME,
            f"POST {path}",
            auth_message=_auth_message,
            fields=_rpc_status,
            later=TRANSIENT_MESSAGES,
        )
        return response


def _cancel_message(reason: str) -> str:
    return (reason or "").strip()[:500] or CANCEL_MESSAGE


def _auth_message(status: int, code: str | None, message: str) -> str:
    return f"Client-Id / Api-Key rejected by Ozon ({status}): {message}"


def _rpc_status(body: dict[str, Any]) -> tuple[Any, str]:
    """(our code, message) of ``rpcStatus {code, message, details}``.

    Ozon puts business codes like ``POSTING_ALREADY_SHIPPED`` or (act/create)
    ``no_postings`` into ``message``; when it does, that token is the code, else the
    numeric gRPC code is.
    """
    message = str(body.get("message") or body.get("error") or "")[:300]
    token = message.split(":", 1)[0].strip()
    one_word = token == message and re.fullmatch(r"[a-z]+", token)  # act/create "outdated"
    if one_word or re.fullmatch(r"[A-Z][A-Z0-9_]+|[A-Za-z][a-z0-9]*(?:_[A-Za-z0-9]+)+", token):
        return token, message
    return body.get("code"), message


def _read_json(response: httpx.Response) -> dict[str, Any]:
    data = http.json_body(response, NAME, response.request.url.path)
    return data if isinstance(data, dict) else {"result": data}


def _pdf(response: httpx.Response) -> bytes:
    if not response.content.startswith(b"%PDF"):
        raise TransientError("Ozon sent a label that is not a PDF")
    return response.content
