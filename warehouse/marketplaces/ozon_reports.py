"""Ozon's sales statistics and finance report: ``sales_since`` and ``realization``.

Mixed into ``OzonClient`` (it provides ``_json`` and the page size). The API facts, the
field mapping and what was assumed are in docs/REPORTS-APIS-OZON.md.

- Orders and cancellations come from the posting lists: ``/v3/posting/fbs/list`` (FBS and
  rFBS; only postings whose status changed since the moment asked, via
  ``last_changed_status_date``) and ``/v2/posting/fbo/list`` (which has no such filter:
  every posting created in the last ``FBO_LOOKBACK``, a week a window because its
  ``offset`` stops at 20,000). An order row is dated ``in_process_at``; a cancelled
  posting adds a cancel row dated the same, for the lists carry no time of cancellation.
- Sales and returns come from the finance transaction list (``/v3/finance/transaction/list``):
  a posting list says "delivered" with no time, while the operation is dated when Ozon
  accounted the sale, and returns after delivery appear in no posting list at all.
- ``realization`` is that transaction list for the Moscow dates asked, at most a month a
  request (Ozon's maximum period), every page. The transaction list names only the Ozon
  SKU of a product: its ``offer_id`` comes from ``/v3/product/info/list``. An operation
  about several products carries one sum; it is shared between them by the posting's own
  prices (``/v3/posting/fbs/get`` or ``/v2/posting/fbo/get``), by units when unknown.
"""

from __future__ import annotations

import logging
import time
from calendar import monthrange
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from warehouse.marketplaces import http
from warehouse.marketplaces.base import RealizationRow, RejectedError, SaleRow, TransientError
from warehouse.marketplaces.ozon_report_shapes import (
    FBO_SCHEMAS,
    MOSCOW,
    RETURN_OPERATIONS,
    SALE_OPERATIONS,
    Card,
    flat,
    item_skus,
    objects,
    operation_kind,
    posting_number,
    posting_rows,
    product_amounts,
    realization_rows,
    sale_rows,
)
from warehouse.marketplaces.ozon_shapes import iso

logger = logging.getLogger(__name__)

NAME = "Ozon"
FBS_LOOKBACK = timedelta(days=90)  # cheap: the status-change filter narrows it on Ozon's side
FBS_WINDOW = timedelta(days=360)  # a posting list's period is at most one year
FBO_LOOKBACK = timedelta(days=30)  # an FBO posting is delivered or cancelled within this
FBO_WINDOW = timedelta(days=7)
FBO_MAX_OFFSET = 20_000  # /v2/posting/fbo/list: "Максимальное значение — 20000"
SMALLEST_WINDOW = timedelta(minutes=10)
FINANCE_PAGE = 1000  # UNCONFIRMED upper bound of page_size; the reference's example value
FINANCE_MARGIN = timedelta(days=2)  # operations may be posted late with an earlier date
INFO_BATCH = 1000  # /v3/product/info/list: at most 1,000 ids a call
LONGEST_WAIT = 5.0  # a 429 asking for at most this many seconds is waited out once


class ReportCalls:
    """The report calls of ``OzonClient`` (mixed in; it provides ``_json`` and ``_page``)."""

    _page: int

    def _json(self, path: str, body: Any) -> dict[str, Any]:
        raise NotImplementedError  # OzonClient's own

    def sales_since(self, since: datetime) -> list[SaleRow]:
        """Orders and cancellations of postings changed since ``since``, sales and returns
        Ozon accounted since then (FBS and FBO); rows may repeat earlier ones (same row_id)."""
        now = datetime.now(UTC)
        fbs = self._fbs_postings(since, now)
        fbo = self._fbo_postings(since - FBO_LOOKBACK, now)
        rows = flat(http.readable(fbs, lambda raw: posting_rows(raw, "fbs"), NAME, "posting"))
        rows += flat(http.readable(fbo, lambda raw: posting_rows(raw, "fbo"), NAME, "posting"))
        weights = {str(raw.get("posting_number")): product_amounts(raw) for raw in fbs + fbo}
        kinds = sorted(SALE_OPERATIONS | RETURN_OPERATIONS)
        operations = self._operations(since - FINANCE_MARGIN, now, kinds)
        cards = self._cards(operations)
        rows += flat(
            http.readable(
                operations,
                lambda op: sale_rows(op, cards, weights.get(posting_number(op))),
                NAME,
                "operation",
            )
        )
        logger.info(
            "ozon sales read since=%s fbs=%s fbo=%s operations=%s rows=%s",
            iso(since),
            len(fbs),
            len(fbo),
            len(operations),
            len(rows),
        )
        return rows

    def realization(self, start: date, end: date) -> list[RealizationRow]:
        """Every finance operation of the Moscow dates ``start``..``end``, as report lines."""
        if end < start:
            return []
        first = datetime.combine(start, datetime.min.time(), MOSCOW)
        last = datetime.combine(end + timedelta(days=1), datetime.min.time(), MOSCOW)
        operations = self._operations(first, last - timedelta(milliseconds=1), ())
        cards = self._cards(operations)
        weights = self._posting_weights(operations)
        rows = flat(
            http.readable(
                operations,
                lambda op: realization_rows(op, cards, weights.get(posting_number(op))),
                NAME,
                "operation",
            )
        )
        logger.info("ozon realization read %s..%s lines=%s", start, end, len(rows))
        return rows

    # --- the posting lists ------------------------------------------------------------

    def _fbs_postings(self, since: datetime, now: datetime) -> list[dict[str, Any]]:
        """FBS postings created up to FBS_LOOKBACK before ``since`` whose status changed since."""
        changed = {"from": iso(since), "to": iso(now)}
        found: dict[str, dict[str, Any]] = {}
        for first, last in _windows(since - FBS_LOOKBACK, now, FBS_WINDOW):
            offset = 0
            while True:
                body = {
                    "dir": "ASC",
                    "filter": {
                        "since": iso(first),
                        "to": iso(last),
                        "last_changed_status_date": changed,
                    },
                    "limit": self._page,
                    "offset": offset,
                    "with": {"analytics_data": False, "financial_data": False},
                }
                result = self._report_json("/v3/posting/fbs/list", body).get("result") or {}
                page = objects(result.get("postings"))
                found.update((str(raw.get("posting_number")), raw) for raw in page)
                offset += len(page)
                if not page or not result.get("has_next"):
                    break
        return list(found.values())

    def _fbo_postings(self, first: datetime, last: datetime) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start, end in _windows(first, last, FBO_WINDOW):
            for raw in self._fbo_window(start, end):
                found[str(raw.get("posting_number"))] = raw
        return list(found.values())

    def _fbo_window(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """FBO postings created in one window; halved when its offset would pass 20,000."""
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            if offset > FBO_MAX_OFFSET:
                if end - start <= SMALLEST_WINDOW:
                    raise TransientError(f"Ozon lists over {FBO_MAX_OFFSET} FBO postings at once")
                middle = start + (end - start) / 2
                return self._fbo_window(start, middle) + self._fbo_window(middle, end)
            body = {
                "dir": "ASC",
                "filter": {"since": iso(start), "to": iso(end), "status": ""},
                "limit": self._page,
                "offset": offset,
                "with": {"analytics_data": False, "financial_data": False},
            }
            page = objects(self._report_json("/v2/posting/fbo/list", body).get("result"))
            found += page
            if len(page) < self._page:
                return found
            offset += len(page)

    # --- the finance transaction list --------------------------------------------------

    def _operations(
        self, first: datetime, last: datetime, kinds: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Operations dated ``first``..``last``, at most a month a request, every page."""
        size = min(self._page, FINANCE_PAGE)
        found: dict[str, dict[str, Any]] = {}
        for start, end in _periods(first, last):
            page = 1
            while True:
                body = {
                    "filter": {
                        "date": {"from": _finance_time(start), "to": _finance_time(end)},
                        "operation_type": list(kinds),
                        "posting_number": "",
                        "transaction_type": "all",
                    },
                    "page": page,
                    "page_size": size,
                }
                path = "/v3/finance/transaction/list"
                result = self._report_json(path, body).get("result") or {}
                operations = objects(result.get("operations"))
                found.update((str(op.get("operation_id")), op) for op in operations)
                if not operations or page >= int(result.get("page_count") or 0):
                    break
                page += 1
        return list(found.values())

    def _cards(self, operations: Iterable[dict[str, Any]]) -> dict[str, Card]:
        """Ozon SKU → the card (offer_id, first barcode), for the SKUs the operations name."""
        skus = sorted({sku for op in operations for sku in item_skus(op) if sku.isdecimal()})
        cards: dict[str, Card] = {}
        for batch in http.batches(skus, INFO_BATCH):
            body = {"sku": [int(sku) for sku in batch]}
            for item in objects(self._report_json("/v3/product/info/list", body).get("items")):
                barcodes = [str(code) for code in item.get("barcodes") or ()]
                card = Card(str(item.get("offer_id") or ""), barcodes[0] if barcodes else "")
                sources = objects(item.get("sources"))
                for sku in (item.get("sku"), *(source.get("sku") for source in sources)):
                    if sku:
                        cards[str(sku)] = card
        return cards

    def _posting_weights(self, operations: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
        """posting → {SKU: price × quantity} for sales and returns about several products."""
        weights: dict[str, dict[str, int]] = {}
        for op in operations:
            number = posting_number(op)
            several = len(set(item_skus(op))) > 1
            if not several or not number or number in weights or operation_kind(op) == "charge":
                continue
            fbo = str((op.get("posting") or {}).get("delivery_schema") or "") in FBO_SCHEMAS
            path = "/v2/posting/fbo/get" if fbo else "/v3/posting/fbs/get"
            try:
                raw = self._report_json(path, {"posting_number": number, "with": {}})
            except RejectedError:
                logger.info("ozon posting not found for weights posting=%s", number)
                weights[number] = {}
                continue
            weights[number] = product_amounts(raw.get("result") or {})
        return weights

    def _report_json(self, path: str, body: Any) -> dict[str, Any]:
        """``_json``; a 429 that asks for a short wait is waited out once."""
        try:
            return self._json(path, body)
        except TransientError as exc:
            if exc.retry_after is None or exc.retry_after > LONGEST_WAIT:
                raise
            time.sleep(exc.retry_after)
            return self._json(path, body)


def _finance_time(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:mm:ss.sssZ``, as the reference writes the filter's dates."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _windows(first: datetime, last: datetime, step: timedelta) -> list[tuple[datetime, datetime]]:
    found, start = [], first
    while start < last:
        found.append((start, min(start + step, last)))
        start += step
    return found or [(first, last)]


def _periods(first: datetime, last: datetime) -> list[tuple[datetime, datetime]]:
    """``first``..``last`` in pieces of at most a month: each ends no later than the same
    moment a calendar month after it starts (UTC, the zone the filter is written in)."""
    found, start = [], first.astimezone(UTC)
    while start <= last:
        end = min(last.astimezone(UTC), _month_after(start))
        found.append((start, end))
        start = end + timedelta(milliseconds=1)
    return found


def _month_after(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))
