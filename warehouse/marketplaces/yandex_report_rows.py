"""Yandex Market's statistics and report rows read into ``SaleRow`` / ``RealizationRow``.

Field names from the partner API's reference: ``OrdersStatsOrderDTO`` for the statistics,
the «JSON column names» of the realization and services reports' pages for the report
files. How each field maps, and what was assumed, is in docs/REPORTS-APIS-YANDEX.md.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeGuard

from warehouse.marketplaces import http, money
from warehouse.marketplaces.base import RealizationRow, SaleRow, TransientError

NAME = "Yandex Market"
MARKET_TZ = timezone(timedelta(hours=3), "MSK")
SOLD = frozenset({"DELIVERED", "PARTIALLY_DELIVERED"})
RETURNED = frozenset({"RETURNED", "PARTIALLY_RETURNED"})
CANCELLED = frozenset(
    {"CANCELLED_BEFORE_PROCESSING", "CANCELLED_IN_PROCESSING", "CANCELLED_IN_DELIVERY"}
)

# Sheets (files) of the services report by what they charge; the rest are ``other``.
COMMISSION_SHEETS = frozenset(
    {
        "placement",
        "sale_commission",
        "item_booking",
        "expropriation",
        "payment_accepting",
        "payment_transfer",
        "money_withdraw",
        "installment_plan",
    }
)
LOGISTICS_SHEETS = frozenset(
    {
        "delivery",
        "crossregional_delivery",
        "express_delivery",
        "delivery_from_abroad",
        "intake_logistics",
        "order_processing",
        "order_processing_on_warehouse",
        "warehouse_processing",
        "delivery_via_transit_warehouse",
        "export_from_warehouse",
    }
)
# What a sheet calls the cost, the moment and the count of a service, first found wins.
COST_KEYS = ("totalAmount", "servicePrice", "paidStorage", "fullPrice")
MOMENT_KEYS = ("serviceDateTime", "serviceDate", "dateTime")
COUNT_KEYS = ("count", "returnCount", "goodsCount")


# --- statistics rows -------------------------------------------------------------------------


def sale_rows(order: Mapping[str, Any], scheme: str) -> list[SaleRow]:
    """``OrdersStatsOrderDTO`` → its rows: an order per item; a sale, return or cancel per
    item by the order's status now, at ``statusUpdateDate``."""
    number = str(int(order["id"]))
    status = str(order.get("status") or "")
    created = day_start(_day(order["creationDate"]))
    changed = _moment(order.get("statusUpdateDate")) or created
    initial = {
        str(item.get("shopSku") or ""): item for item in order.get("initialItems") or () if item
    }
    items = {str(item.get("shopSku") or ""): item for item in order.get("items") or () if item}
    rows: list[SaleRow] = []
    for sku in dict.fromkeys([*items, *initial]):
        if not sku:
            continue  # the delivery line (offerName «Доставка») names no SKU
        item, first = items.get(sku) or initial[sku], initial.get(sku) or {}
        now_count = int(items[sku].get("count") or 0) if sku in items else 0
        ordered = int(
            item.get("initialCount") or first.get("initialCount") or first.get("count") or now_count
        )
        unit = _buyer_price(item) or _buyer_price(first)
        row = _SaleRowMaker(number, scheme, sku, str(item.get("marketSku") or ""), unit)
        rows.append(row.make("order", created, ordered))
        if status in SOLD and now_count:
            rows.append(row.make("sale", changed, now_count))
        elif status in RETURNED:
            rows.append(row.make("return", changed, _returned(items.get(sku), status)))
        elif status in CANCELLED:
            rows.append(row.make("cancel", changed, ordered))
    return rows


class _SaleRowMaker:
    def __init__(self, number: str, scheme: str, sku: str, market_sku: str, unit: int) -> None:
        self.number, self.scheme, self.sku = number, scheme, sku
        self.market_sku, self.unit = market_sku, unit

    def make(self, kind: str, at: datetime, quantity: int) -> SaleRow:
        return SaleRow(
            row_id=f"ym:{self.number}:{self.sku}:{kind}",
            kind=kind,
            at=at.astimezone(UTC),
            order_number=self.number,
            scheme=self.scheme,
            sku=self.sku,
            article=self.sku,
            marketplace_id=self.market_sku,
            quantity=quantity,
            amount=max(self.unit * quantity, 0),
        )


def _buyer_price(item: Mapping[str, Any]) -> int:
    """The unit price the buyer pays (``prices[type=BUYER].costPerItem``), in kopecks."""
    for price in item.get("prices") or ():
        if isinstance(price, dict) and price.get("type") == "BUYER":
            return money.kopecks(price.get("costPerItem") or 0) or 0
    return 0


def _returned(item: Mapping[str, Any] | None, status: str) -> int:
    """Units returned: the item's ``details`` with ``itemStatus: RETURNED``; a fully
    returned order without details returns every unit."""
    if item is None:
        return 0
    counted = sum(
        int(detail.get("itemCount") or 0)
        for detail in item.get("details") or ()
        if isinstance(detail, dict) and detail.get("itemStatus") == "RETURNED"
    )
    return counted or (int(item.get("count") or 0) if status == "RETURNED" else 0)


# --- report rows ---------------------------------------------------------------------------


def read_sheets(content: bytes, report_id: str = "") -> dict[str, list[dict[str, Any]]]:
    """A ``format=JSON`` report: a ZIP with ``<sheet>.json`` per sheet. Each file is read as
    a list of row objects or an object holding them under ``rows`` (the shape is not in the
    reference; third-party code reads ``rows``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise TransientError(f"{NAME} report {report_id} is not a ZIP") from exc
    sheets: dict[str, list[dict[str, Any]]] = {}
    with archive:
        for name in archive.namelist():
            if not name.lower().endswith(".json"):
                continue
            try:
                data = json.loads(archive.read(name))
            except ValueError as exc:
                raise TransientError(f"{NAME} report {report_id}: {name} is not JSON") from exc
            rows = data.get("rows") if isinstance(data, dict) else data
            sheet = name.rsplit("/", 1)[-1][: -len(".json")]
            sheets[sheet] = [row for row in rows or () if isinstance(row, dict)]
    return sheets


def goods_rows(
    sheets: Mapping[str, list[dict[str, Any]]], scheme: str, start: date, end: date
) -> list[RealizationRow]:
    """The realization report's delivered and returned units, and the compensations for
    units lost, dated ``start``..``end``. Units handed over or not bought out move no money."""
    rows: list[RealizationRow] = []
    for raw in sheets.get("delivered") or ():
        day = _day(raw.get("deliveryDate"))
        if _within(day, start, end):
            count = int(raw.get("deliveredCount") or 0)
            amount = _sum(raw, "deliveredPriceSumWithVatAndDiscounts", count)
            rows.append(_goods_row(raw, "sale", "delivered", day, scheme, count, amount))
    for raw in sheets.get("returned") or ():
        day = _day(raw.get("returnWarehouseOrScAcceptDate")) or _day(raw.get("deliveryDate"))
        if _within(day, start, end):
            count = int(raw.get("returnedCount") or 0)
            amount = -_sum(raw, "returnPriceSumWithVatAndDiscounts", count)
            rows.append(_goods_row(raw, "return", "returned", day, scheme, count, amount))
    for raw in sheets.get("lost_items") or ():
        rows += _compensations(raw, scheme, start, end)
    return rows


def _goods_row(
    raw: Mapping[str, Any], kind: str, sheet: str, day: date, scheme: str, count: int, amount: int
) -> RealizationRow:
    sku = str(raw.get("yourSku") or raw.get("shopSku") or "")
    number = _order_number(raw.get("orderId"))
    return RealizationRow(
        row_id=f"ym:{sheet}:{number}:{sku}:{day.isoformat()}",
        kind=kind,
        at=day_start(day),
        order_number=number,
        scheme=scheme,
        sku=sku,
        article=sku,
        quantity=count,
        amount=amount,
        payout=amount,
        note=str(raw.get("offerName") or ""),
    )


def _compensations(
    raw: Mapping[str, Any], scheme: str, start: date, end: date
) -> list[RealizationRow]:
    """A unit lost in delivery: the Market pays for it (a charge it gives, ``other`` < 0) and
    may take the money back later (decompensation)."""
    rows = []
    sku = str(raw.get("yourSku") or raw.get("shopSku") or "")
    number = _order_number(raw.get("orderId"))
    for key, sign, note in (
        ("compensation", -1, "компенсация"),
        ("decompensation", 1, "декомпенсация"),
    ):
        day = _day(raw.get(f"{key}Date"))
        value = _kopecks(raw.get(f"{key}Amount"))
        if value and day is not None and start <= day <= end:
            rows.append(
                RealizationRow(
                    row_id=f"ym:lost_items:{key}:{number}:{sku}:{day.isoformat()}",
                    kind="charge",
                    at=day_start(day),
                    order_number=number,
                    scheme=scheme,
                    sku=sku,
                    article=sku,
                    other=sign * value,
                    payout=-sign * value,
                    note=note,
                )
            )
    return rows


def service_rows(
    sheets: Mapping[str, list[dict[str, Any]]], start: date, end: date
) -> list[RealizationRow]:
    """Every line of the services report dated ``start``..``end`` as a ``charge``: the
    cost goes to commission, logistics or other by its sheet; a negative cost (a fee given
    back) stays negative."""
    rows = []
    for sheet, lines in sorted(sheets.items()):
        for raw in lines:
            at = next((_moment(raw.get(key)) for key in MOMENT_KEYS if raw.get(key)), None)
            if at is None or not _within(at.astimezone(MARKET_TZ).date(), start, end):
                continue
            cost = next((_kopecks(raw[key]) for key in COST_KEYS if raw.get(key) is not None), 0)
            rows.append(_service_row(raw, sheet, at, cost))
    return rows


def _service_row(raw: Mapping[str, Any], sheet: str, at: datetime, cost: int) -> RealizationRow:
    number = _order_number(raw.get("orderId") or raw.get("orderNumber"))
    sku = str(raw.get("shopSku") or raw.get("sku") or "")
    service = str(raw.get("serviceName") or raw.get("service") or sheet)
    commission = cost if sheet in COMMISSION_SHEETS else 0
    logistics = cost if sheet in LOGISTICS_SHEETS else 0
    count = next((raw[key] for key in COUNT_KEYS if raw.get(key) is not None), 0)
    model = str(raw.get("placementModel") or "").upper()
    return RealizationRow(
        row_id=f"ym:{sheet}:{number}:{sku}:{at.isoformat()}:{service}",
        kind="charge",
        at=at.astimezone(UTC),
        order_number=number,
        scheme="fbo" if "FBY" in model else "fbs",
        sku=sku,
        article=sku,
        quantity=int(count or 0),
        commission=commission,
        logistics=logistics,
        other=cost - commission - logistics,
        payout=-cost,
        note=service,
    )


def numbered(rows: Sequence[RealizationRow]) -> list[RealizationRow]:
    """Rows with unique ids: a repeat of an id (two alike lines) gets ``#2``, ``#3``…"""
    seen: Counter[str] = Counter()
    found = []
    for row in rows:
        seen[row.row_id] += 1
        if seen[row.row_id] > 1:
            row = replace(row, row_id=f"{row.row_id}#{seen[row.row_id]}")
        found.append(row)
    return found


# --- reading values ----------------------------------------------------------------------------


def _sum(raw: Mapping[str, Any], total_key: str, count: int) -> int:
    """A line's money in kopecks: its total, else the unit price with all discounts × count."""
    if raw.get(total_key) not in (None, ""):
        return _kopecks(raw[total_key])
    return _kopecks(raw.get("priceWithVatAndAllDiscounts")) * count


def _kopecks(value: Any) -> int:
    if value is None or value == "":
        return 0
    found = money.kopecks(str(value).replace(",", ".").replace(" ", "").replace("\xa0", ""))
    if found is None:
        raise ValueError(f"unreadable amount {value!r}")
    return found


def _order_number(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)


def _day(value: Any) -> date | None:
    """A report's date: ``2025-01-31``, ``2025-01-31T…`` or ``31.01.2025`` (Moscow)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return datetime.strptime(text[:10], "%d.%m.%Y").date()
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    """A date and time; one without a zone is Moscow time, a bare date its start."""
    text = str(value or "").strip()
    if not text:
        return None
    found = http.iso_time(text.replace(" ", "T", 1), MARKET_TZ)
    if found is None:
        for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"):
            try:
                found = datetime.strptime(text, pattern).replace(tzinfo=MARKET_TZ)
                break
            except ValueError:
                continue
    if found is None:
        day = _day(text)
        return day_start(day) if day else None
    return found


def day_start(day: date | None) -> datetime:
    """The start of a Moscow day, in UTC."""
    if day is None:
        raise ValueError("no date")
    return datetime.combine(day, datetime.min.time(), MARKET_TZ).astimezone(UTC)


def _within(day: date | None, start: date, end: date) -> TypeGuard[date]:
    return day is not None and start <= day <= end
