"""Wildberries sales statistics and the realization report, for the sales and commissioner
reports (``sales_since``, ``realization``).

Two hosts, each call limited to about one a minute per seller (docs/REPORTS-APIS-WB.md):

- statistics-api: ``GET /api/v1/supplier/orders`` and ``…/sales`` (reports OpenAPI): the
  rows changed since ``dateFrom`` (Moscow time, no offset), oldest change first, «about
  80,000» an answer; the next page starts at the last row's ``lastChangeDate`` (that row
  comes again), ``[]`` means nothing is left. A row is one unit; ``srid`` names the order
  (= the assembly order's ``rid``, one of our order's numbers). Sales whose ``saleID``
  starts with ``R`` are returns.
- finance-api: ``POST /api/finance/v1/sales-reports/detailed`` (finance OpenAPI, 2026; it
  replaced ``GET /api/v5/supplier/reportDetailByPeriod``, switched off on 2026-07-15): the
  realization report's lines for dateFrom..dateTo, ``limit`` ≤ 100,000 a page, the next
  page after the last line's ``rrdId``, 204 when none is left; money as strings of roubles.

A line's figures follow one identity: ``payout = amount − commission − logistics − other``,
where ``amount`` is ``retailAmount`` (what WB sold the units for), ``commission`` what WB
kept of it (``retailAmount − forPay``: its fee, acquiring, less the discounts it paid for
itself; it can be negative), ``logistics`` ``deliveryService + rebillLogisticCost`` and
``other`` the fines, storage, acceptance and deductions less ``additionalPayment``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as day_time
from typing import Any

from warehouse.marketplaces import http, money
from warehouse.marketplaces.base import RealizationRow, SaleRow, TransientError
from warehouse.marketplaces.wb_prices import WbCalls

logger = logging.getLogger(__name__)

NAME = "Wildberries"
MSK = timezone(timedelta(hours=3), "MSK")  # the statistics' dates are Moscow time
ORDERS_PATH = "/api/v1/supplier/orders"
SALES_PATH = "/api/v1/supplier/sales"
DETAILED_PATH = "/api/finance/v1/sales-reports/detailed"
STATISTICS_PAGE_ROWS = 80_000  # WB's «conditional» cap of one statistics answer
REALIZATION_PAGE = 100_000  # the report's largest ``limit``
# one call a minute: the next page waits out one 429 of up to this many seconds
LONGEST_STATISTICS_WAIT = 65.0
SELLER_WAREHOUSE = "Склад продавца"  # warehouseType of FBS rows
SALE_KINDS = {"S": "sale", "R": "return"}
LINE_KINDS = {"продажа": "sale", "возврат": "return"}
FBO_METHODS = ("FBW", "FBO")
CHARGES = ("penalty", "paidStorage", "deduction", "paidAcceptance")
# the report's fields the lines are read from (``fields`` keeps the answer small)
FIELDS = (
    "rrdId",
    "currency",
    "docTypeName",
    "sellerOperName",
    "bonusTypeName",
    "quantity",
    "retailAmount",
    "forPay",
    "deliveryService",
    "rebillLogisticCost",
    "penalty",
    "paidStorage",
    "deduction",
    "paidAcceptance",
    "additionalPayment",
    "saleDt",
    "rrDate",
    "orderId",
    "srid",
    "nmId",
    "vendorCode",
    "sku",
    "deliveryMethod",
)


class ReportCalls(WbCalls):
    """The statistics and finance calls of ``WildberriesClient`` (mixed in)."""

    _statistics_url: str
    _finance_url: str

    def sales_since(self, since: datetime) -> list[SaleRow]:
        """Orders, cancellations, sales and returns (FBS and FBO) changed since ``since``.

        A cancelled order gives two rows, its order and its cancellation, so an order is
        counted whether it was read before it was cancelled or after.
        """
        found: dict[str, SaleRow] = {}
        for path, read in ((ORDERS_PATH, _order_rows), (SALES_PATH, _sale_rows)):
            items = self._changed_since(path, since)
            for rows in http.readable(items, read, NAME, "statistics row"):
                found.update((row.row_id, row) for row in rows)
        logger.info("wb sales read since=%s rows=%s", since.isoformat(), len(found))
        return list(found.values())

    def realization(
        self, start: date, end: date, *, period: str = "weekly"
    ) -> list[RealizationRow]:
        """The realization report's lines of the operation dates ``start``..``end``
        (Moscow), page by page; ``period`` is WB's report, ``weekly`` (the commissioner's
        report, made on the Monday after its week) or ``daily``."""
        found: dict[str, RealizationRow] = {}
        after = 0
        while True:
            body = {
                "dateFrom": start.isoformat(),
                "dateTo": end.isoformat(),
                "limit": REALIZATION_PAGE,
                "rrdId": after,
                "period": period,
                "fields": list(FIELDS),
            }
            answer = self._patient("POST", DETAILED_PATH, self._finance_url, json=body)
            if answer.response.status_code == 204 or not answer.content.strip():
                break
            page = answer.json()
            if not isinstance(page, list):
                raise TransientError("unexpected answer from Wildberries (realization report)")
            for row in http.readable(page, _line, NAME, "realization line"):
                if row is not None:
                    found[row.row_id] = row
            last = _whole(page[-1].get("rrdId")) if page and isinstance(page[-1], dict) else 0
            if len(page) < REALIZATION_PAGE or last <= after:
                break
            after = last
        logger.info("wb realization read %s..%s lines=%s", start, end, len(found))
        return list(found.values())

    # --- helpers -------------------------------------------------------------------------

    def _changed_since(self, path: str, since: datetime) -> list[Any]:
        """Every statistics row changed since ``since``, following ``lastChangeDate``.

        A page under half the cap is the last one (asking again would cost a minute to
        hear ``[]``); a full page whose last change is no later than where it started
        cannot be followed and is logged.
        """
        items: list[Any] = []
        cursor = _moscow_text(since)
        while True:
            page = self._patient("GET", path, self._statistics_url, params={"dateFrom": cursor})
            rows = page.json()
            if rows is None:
                rows = []
            if not isinstance(rows, list):
                raise TransientError(f"unexpected answer from Wildberries ({path})")
            items += rows
            if len(rows) < STATISTICS_PAGE_ROWS // 2:
                return items
            last = rows[-1].get("lastChangeDate") if isinstance(rows[-1], dict) else None
            moved, started = _moscow_time(last), _moscow_time(cursor)
            if moved is None or started is None or moved <= started:
                logger.warning("wb statistics cannot page on from %s (%s)", cursor, path)
                return items
            cursor = str(last)

    def _patient(
        self,
        method: str,
        path: str,
        base: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> http.Answer:
        """One call; a 429 is waited out once when WB asks for at most a minute or so."""
        try:
            return self._send(method, path, params=params, json=json, base=base)
        except TransientError as exc:
            if exc.retry_after is None or exc.retry_after > LONGEST_STATISTICS_WAIT:
                raise
            time.sleep(exc.retry_after)
            return self._send(method, path, params=params, json=json, base=base)


# --- statistics rows -------------------------------------------------------------------------


def _order_rows(item: dict[str, Any]) -> list[SaleRow]:
    """An order row: the order, and its cancellation when ``isCancel``."""
    srid = str(item["srid"])
    ordered = _moscow_time(item["date"])
    if ordered is None:
        raise ValueError(f"unreadable date {item['date']!r}")
    rows = [SaleRow(f"{srid}:order", "order", ordered, srid, **_keys(item))]
    if item.get("isCancel"):
        cancelled = _moscow_time(item.get("cancelDate")) or _moscow_time(item.get("lastChangeDate"))
        rows.append(SaleRow(f"{srid}:cancel", "cancel", cancelled or ordered, srid, **_keys(item)))
    return rows


def _sale_rows(item: dict[str, Any]) -> list[SaleRow]:
    """A sale (``saleID`` ``S…``) or a return (``R…``); other ids are not documented."""
    sale_id = str(item.get("saleID") or "")
    kind = SALE_KINDS.get(sale_id[:1])
    if kind is None:
        logger.info("wb sales row skipped, saleID %r is neither a sale nor a return", sale_id)
        return []
    srid = str(item.get("srid") or "")
    sold = _moscow_time(item["date"])
    if sold is None:
        raise ValueError(f"unreadable date {item['date']!r}")
    return [SaleRow(f"{srid}:{kind}" if srid else sale_id, kind, sold, srid, **_keys(item))]


def _keys(item: dict[str, Any]) -> dict[str, Any]:
    """What a statistics row says of the card, the scheme and the buyer's price."""
    price = money.kopecks(item.get("finishedPrice")) or money.kopecks(item.get("priceWithDisc"))
    return {
        "scheme": "fbs" if item.get("warehouseType") == SELLER_WAREHOUSE else "fbo",
        "article": str(item.get("supplierArticle") or ""),
        "barcode": str(item.get("barcode") or ""),
        "marketplace_id": str(item.get("nmId") or ""),
        "quantity": 1,
        "amount": abs(price or 0),
    }


# --- realization lines ---------------------------------------------------------------------------


def _line(item: dict[str, Any]) -> RealizationRow | None:
    """One report line with the seller's signs; None for a line in another currency."""
    currency = str(item.get("currency") or "RUB").upper()
    if currency not in ("RUB", "РУБ"):
        logger.warning("wb realization line %s in %s skipped", item.get("rrdId"), currency)
        return None
    retail, for_pay = _roubles(item, "retailAmount"), _roubles(item, "forPay")
    quantity = _whole(item.get("quantity"))
    kind = LINE_KINDS.get(str(item.get("docTypeName") or "").strip().lower(), "charge")
    if kind != "charge" and not quantity and not retail:
        kind = "charge"  # a sale or return document with no units: a charge or a payment
    logistics = _roubles(item, "deliveryService") + _roubles(item, "rebillLogisticCost")
    charges = sum(_roubles(item, key) for key in CHARGES) - _roubles(item, "additionalPayment")
    if kind == "charge":  # what WB pays on such a line lessens the charges
        amount, commission, other = 0, 0, charges - for_pay
    else:
        sign = -1 if kind == "return" else 1
        amount, commission, other = sign * retail, sign * (retail - for_pay), charges
    return RealizationRow(
        row_id=str(_whole(item["rrdId"])),
        kind=kind,
        at=_line_time(item, kind),
        order_number=_order_number(item),
        scheme=_scheme(item),
        article=str(item.get("vendorCode") or ""),
        barcode=str(item.get("sku") or ""),
        marketplace_id=str(item.get("nmId") or ""),
        quantity=abs(quantity),
        amount=amount,
        commission=commission,
        logistics=logistics,
        other=other,
        payout=amount - commission - logistics - other,
        note=_note(item),
    )


def _line_time(item: dict[str, Any], kind: str) -> datetime:
    """A sale or return happened at ``saleDt``; a charge on its operation date (Moscow)."""
    if kind != "charge":
        sold = _iso(item.get("saleDt"))
        if sold is not None:
            return sold
    day = date.fromisoformat(str(item["rrDate"])[:10])
    return datetime.combine(day, day_time(), MSK).astimezone(UTC)


def _order_number(item: dict[str, Any]) -> str:
    """The assembly order id (our FBS order's ``external_id``), else the ``srid``."""
    assembly_id = _whole(item.get("orderId"))
    return str(assembly_id) if assembly_id > 0 else str(item.get("srid") or "")


def _scheme(item: dict[str, Any]) -> str:
    method = str(item.get("deliveryMethod") or "").upper()
    if any(name in method for name in FBO_METHODS):
        return "fbo"
    if method or _whole(item.get("orderId")) > 0:
        return "fbs"
    return "fbo"  # storage, acceptance: WB's warehouses


def _note(item: dict[str, Any]) -> str:
    oper = str(item.get("sellerOperName") or item.get("docTypeName") or "")
    bonus = str(item.get("bonusTypeName") or "")
    return f"{oper} ({bonus})" if bonus and bonus != oper else oper


# --- small pieces ------------------------------------------------------------------------------


def _roubles(item: dict[str, Any], key: str) -> int:
    value = item.get(key)
    if value in (None, ""):
        return 0
    found = money.kopecks(value)
    if found is None:
        raise ValueError(f"unreadable {key} {value!r}")
    return found


def _whole(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _moscow_text(moment: datetime) -> str:
    """``dateFrom``: Moscow time to the second, rounded down (nothing is missed)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(MSK).strftime("%Y-%m-%dT%H:%M:%S")


def _moscow_time(value: Any) -> datetime | None:
    """A statistics date (Moscow time when it has no offset) in UTC; None when unreadable
    or WB's «no date» (``0001-01-01T00:00:00``)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if parsed.year < 2000:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=MSK)).astimezone(UTC)


def _iso(value: Any) -> datetime | None:
    """The report's date-time (``…Z``) in UTC; None when unreadable or WB's «no date»."""
    parsed = http.iso_time(value) if value else None
    if parsed is None or parsed.year < 2000:
        return None
    return parsed.astimezone(UTC)
