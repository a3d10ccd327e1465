"""Yandex Market sales statistics and the realization report, mixed into ``YandexClient``.

``sales_since``: ``POST /v2/campaigns/{campaignId}/stats/orders`` (``getOrdersStats``: the
body's ``updateFrom``/``updateTo`` are Moscow dates, ``limit`` ≤ 200, ``page_token``), for
the FBS shop and the FBY shop (``fby_campaign_id``) if the account names one.

``realization``: two reports, each made on request (``…/generate`` → ``reportId``), polled
with ``GET /v2/reports/info/{reportId}`` until ``DONE`` and downloaded from its ``file``
link — a ZIP of one JSON file per sheet (``format=JSON``). The realization report
(``goods-realization``, per shop and month) holds the units delivered and returned with
their prices but no fees; the Market's fees — placement, delivery, payment transfer,
storage… — are lines of the services report (``united-marketplace-services``, per
business, by the date the service was given, at most 3 months a call). Each service line
becomes a ``charge`` row carrying the order number it names. Both generators allow one
call in 2 minutes: a 420 that short is waited out once.

Sources and the assumptions are in docs/REPORTS-APIS-YANDEX.md.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from warehouse.marketplaces import http
from warehouse.marketplaces.base import (
    MarketplaceError,
    RealizationRow,
    SaleRow,
    TransientError,
)
from warehouse.marketplaces.yandex_report_rows import (
    MARKET_TZ,
    NAME,
    goods_rows,
    numbered,
    read_sheets,
    sale_rows,
    service_rows,
)

logger = logging.getLogger(__name__)

STATS_PAGE = 200  # PageLimit200
REALIZATION_PATH = "/v2/reports/goods-realization/generate"
SERVICES_PATH = "/v2/reports/united-marketplace-services/generate"
INFO_PATH = "/v2/reports/info/{}"
SERVICES_WINDOW = 89  # days: «at most 3 months», and the shortest 3 months (Feb–Apr) are 89 days
# The generators allow 1 call in 2 minutes (a Medium subscription: 1 a minute): a wait that
# long is waited out once in the job; anything longer is the next read's.
LONGEST_REPORT_WAIT = 130.0
REPORT_POLLS = 60
PAGE_TOKEN_PARAM = "page_token"


class ReportCalls:
    """The statistics and report calls of ``YandexClient`` (mixed in)."""

    business_id: int
    campaign_id: int
    fby_campaign_id: int | None
    _report_poll: float
    _http: httpx.Client

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

    # --- sales statistics ------------------------------------------------------------

    def sales_since(self, since: datetime) -> list[SaleRow]:
        """Orders, sales, returns and cancels of the orders changed since ``since`` (its
        Moscow date: the statistics filter by day), FBS and FBY; every page."""
        body = {
            "updateFrom": since.astimezone(MARKET_TZ).date().isoformat(),
            "updateTo": datetime.now(MARKET_TZ).date().isoformat(),
        }
        rows: list[SaleRow] = []
        for campaign, scheme in self._shops():
            read = functools.partial(sale_rows, scheme=scheme)
            for page in self._stats_pages(f"/v2/campaigns/{campaign}/stats/orders", body):
                for found in http.readable(page.get("orders"), read, NAME, "order"):
                    rows += found
        logger.info("ym sales read since=%s rows=%s", body["updateFrom"], len(rows))
        return rows

    def _stats_pages(self, path: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        token = ""
        while True:
            params: dict[str, Any] = {"limit": STATS_PAGE}
            if token:
                params[PAGE_TOKEN_PARAM] = token
            page = self._patient("POST", path, params=params, json=body).object()
            result = page.get("result") or {}
            yield result
            token = (result.get("paging") or {}).get("nextPageToken") or ""
            if not token:
                return

    # --- the realization report ------------------------------------------------------

    def realization(self, start: date, end: date) -> list[RealizationRow]:
        """The sales, returns and the Market's charges dated ``start``..``end`` (Moscow)."""
        if end < start:
            return []
        rows: list[RealizationRow] = []
        shops = self._shops()
        for campaign, scheme in shops:
            for year, month in _months(start, end):
                asked = {"campaignId": campaign, "year": year, "month": month}
                sheets = self._report(REALIZATION_PATH, asked, {"format": "JSON"})
                rows += _readable(goods_rows, sheets, scheme, start, end)
        for first, last in _windows(start, end, SERVICES_WINDOW):
            body: dict[str, Any] = {
                "businessId": self.business_id,
                "dateFrom": first.isoformat(),
                "dateTo": last.isoformat(),
                "campaignIds": [campaign for campaign, _scheme in shops],
            }
            sheets = self._report(SERVICES_PATH, body, {"format": "JSON", "language": "RU"})
            rows += _readable(service_rows, sheets, start, end)
        logger.info("ym realization read %s..%s rows=%s", start, end, len(rows))
        return numbered(rows)

    def _report(
        self, path: str, body: dict[str, Any], params: dict[str, str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Make a report, wait until it is done, download it: sheet → its rows."""
        made = self._patient("POST", path, params=params, json=body).object()
        report_id = str((made.get("result") or {}).get("reportId") or "")
        if not report_id:
            raise TransientError(f"{NAME} gave no report id ({path})")
        for _ in range(REPORT_POLLS):
            time.sleep(self._report_poll)
            info = self._patient("GET", INFO_PATH.format(report_id)).object().get("result") or {}
            status, sub = str(info.get("status") or ""), str(info.get("subStatus") or "")
            if sub == "NO_DATA":
                return {}
            if status == "DONE":
                break
            if status == "FAILED":
                raise TransientError(f"{NAME} failed to make report {report_id} ({sub or path})")
        else:
            raise TransientError(f"the {NAME} report {report_id} is not ready yet")
        link = str(info.get("file") or "")
        if not link:
            raise TransientError(f"{NAME} report {report_id} is done but has no file")
        return read_sheets(self._download(link), report_id)

    def _download(self, link: str) -> bytes:
        """The report file: a link of its own (valid 60 minutes), asked without our key."""
        if urlsplit(link).scheme not in ("http", "https"):
            raise TransientError(f"{NAME} gave a report link that is not http(s)")
        try:
            with httpx.Client(timeout=self._http.timeout, verify=http.tls_context()) as plain:
                response = plain.get(link)
        except httpx.TimeoutException as exc:
            raise TransientError(f"{NAME} report file did not come in time") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise TransientError(f"{NAME} report file: {type(exc).__name__}") from exc
        if response.status_code != 200:  # an expired link too: the next read asks anew
            raise TransientError(f"{NAME} report file answered {response.status_code}")
        return response.content

    def _patient(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> http.Answer:
        """One call; a 420 whose wait is at most ``LONGEST_REPORT_WAIT`` is waited out once."""
        try:
            return self._send(method, path, params=params, json=json)
        except TransientError as exc:
            if exc.retry_after is None or exc.retry_after > LONGEST_REPORT_WAIT:
                raise
            logger.info("ym %s waits %.0f s (rate limit)", path, exc.retry_after)
            time.sleep(exc.retry_after)
            return self._send(method, path, params=params, json=json)

    def _shops(self) -> list[tuple[int, str]]:
        shops = [(self.campaign_id, "fbs")]
        if self.fby_campaign_id is not None:
            shops.append((self.fby_campaign_id, "fbo"))
        return shops


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _windows(start: date, end: date, days: int) -> list[tuple[date, date]]:
    windows = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=days - 1))
        windows.append((first, last))
        first = last + timedelta(days=1)
    return windows


def _readable(read: Callable[..., list[RealizationRow]], *args: Any) -> list[RealizationRow]:
    """A report's rows; a line that cannot be read stops the read (money is never skipped)."""
    try:
        return read(*args)
    except (KeyError, TypeError, ValueError) as exc:
        raise MarketplaceError(f"unreadable line in a {NAME} report: {exc}") from exc
