"""WB's statistics and finance hosts, nested in the WB sandbox: the sales statistics and the
realization report, served from the sandbox's sales book (``wb_sales``).

Shaped from WB's reports OpenAPI (``12-reports.yaml`` 2025-12, ``reports.json`` 2026-08)
and finance OpenAPI (``financial-reports-and-accounting.json`` 2026-08):

- ``/statistics-api`` (statistics-api.wildberries.ru): ``GET /api/v1/supplier/orders`` and
  ``…/sales`` ``?dateFrom=<RFC3339, Moscow>&flag=0|1`` → a JSON list, oldest change first.
  ``flag=0``: rows whose ``lastChangeDate`` ≥ dateFrom, at most
  ``SANDBOX_WB_STATISTICS_PAGE_ROWS`` (WB: «about 80,000») an answer, ``[]`` when nothing
  is left; ``flag=1``: every row whose ``date`` falls on dateFrom's day. 400 bodies
  ``{"errors": [...]}`` / ``{"errors": "..."}`` as WB's examples.
- ``/finance-api`` (finance-api.wildberries.ru): ``POST /api/finance/v1/sales-reports/detailed``
  ``{dateFrom, dateTo, limit ≤ 100000, rrdId, period: weekly|daily, fields}`` → the lines of
  the operation dates dateFrom..dateTo after ``rrdId``, money as strings, 204 when none is
  left; 400 as ``application/problem+json``.
- Limits (the 2026 tables, personal token): orders 1 a minute with a burst of 10, sales and
  the report 1 a minute; past them 429 with ``X-Ratelimit-Retry``. ``SANDBOX_REPORT_LIMITS``
  (default on) switches them off, as for the remains report.

Control (no auth): ``POST /_control/sales`` makes the book (see ``wb_sales``) and answers
``{rows, difference, srids}``; ``GET /_control/realization?from=&to=`` sums the book's own
lines of those operation dates. What the references leave open: docs/REPORTS-APIS-WB.md.
"""

from __future__ import annotations

import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Row, select

from warehouse.marketplaces.sandbox import common, fbo, wb_cards, wb_sales, wb_sales_month
from warehouse.marketplaces.sandbox.wb_db import orders as sandbox_orders
from warehouse.marketplaces.sandbox.wb_sales import MSK, Item, lines, stat_rows

STATISTICS = "/statistics-api"  # the host statistics-api.wildberries.ru
FINANCE = "/finance-api"  # the host finance-api.wildberries.ru
ORDERS_PATH = "/api/v1/supplier/orders"
SALES_PATH = "/api/v1/supplier/sales"
DETAILED_PATH = "/api/finance/v1/sales-reports/detailed"
# (seconds per call, calls at once), from the 2026 limit tables of a personal token
LIMITS = {"orders": (60.0, 10), "sales": (60.0, 1), "detailed": (60.0, 1)}
PAGE_ROWS = 80_000
MAX_LIMIT = 100_000
PERIODS = ("weekly", "daily")
DECODE_ERROR = "GetReportDetailByPeriodNB decode error"
# the fields of a line (SalesReportsDetailedRes): those the reference requires, then those
# «in the answer when they have a value»
REQUIRED = tuple(
    (  # noqa: SIM905
        "reportId dateFrom dateTo createDate currency reportType rrdId giId dlvPrc "
        "fixTariffDateFrom fixTariffDateTo subjectName nmId brandName vendorCode title techSize "
        "sku docTypeName quantity retailPrice retailAmount salePercent commissionPercent "
        "officeName sellerOperName orderDt saleDt rrDate shkId retailPriceWithDisc deliveryAmount "
        "returnAmount deliveryService giBoxTypeName productDiscountForReport sellerPromo spp "
        "kvwBase kvw supRatingUp isKgvpV2 ppvzSalesCommission forPay ppvzReward acquiringFee "
        "acquiringPercent paymentProcessing acquiringBank vw vwNds ppvzOfficeName ppvzOfficeId "
        "ppvzSupplierName ppvzSupplierInn declarationNumber stickerId country srvDbs penalty "
        "additionalPayment rebillLogisticCost paidStorage deduction paidAcceptance orderId isB2b "
        "trbxId installmentCofinancingAmount wibesDiscountPercent cashbackAmount cashbackDiscount "
        "cashbackCommissionChange paymentSchedule deliveryMethod sellerPromoId "
        "sellerPromoDiscount loyaltyId loyaltyDiscount uuidPromocode "
        "salePricePromocodeDiscountPrc articleSubstitution salePriceAffiliatedDiscountPrc "
        "salePriceWholesaleDiscountPrc b2bCustomerTin paidWithSocialCertificate "
        "warehouseLogisticsCoeff orderUid srid"
    ).split()
)
FIELDS = frozenset((*REQUIRED, "bonusTypeName", "kiz", "rebillLogisticOrg", "agencyVat"))


def install(bp: Blueprint, too_many: Any) -> None:
    """The two hosts' routes and the control endpoints on the WB sandbox's blueprint;
    ``too_many(retry_after)`` is the sandbox's own 429."""

    def limited(call: str) -> Response | None:
        if not current_app.config.get("SANDBOX_REPORT_LIMITS", True):
            return None
        every, burst = LIMITS[call]
        with common.begin() as conn:
            wait = fbo.take_call(conn, "wb", call, every=every, burst=burst, now=time.time())
        return None if wait is None else too_many(wait)

    def orders() -> Response:
        return limited("orders") or _statistics("orders")

    def sales() -> Response:
        return limited("sales") or _statistics("sales")

    def detailed() -> Response:
        return limited("detailed") or _detailed()

    bp.add_url_rule(f"{STATISTICS}{ORDERS_PATH}", "wb_stat_orders", orders)
    bp.add_url_rule(f"{STATISTICS}{SALES_PATH}", "wb_stat_sales", sales)
    bp.add_url_rule(f"{FINANCE}{DETAILED_PATH}", "wb_sales_detailed", detailed, methods=["POST"])
    bp.add_url_rule("/_control/sales", "control_sales", control_sales, methods=["POST"])
    bp.add_url_rule("/_control/realization", "control_realization", control_realization)


# --- statistics ---------------------------------------------------------------------------


def _statistics(report: str) -> Response:
    given = request.args.get("dateFrom")
    if not given:
        return _errors(["dateFrom: field required"])
    moment = _moscow(given)
    if moment is None:
        return _errors("dateFrom: Value not validated")
    flag = request.args.get("flag", "0")
    if flag not in ("0", "1"):
        return _errors("flag: Value not validated")
    query = select(stat_rows.c.body).where(stat_rows.c.report == report)
    if flag == "1":
        query = query.where(stat_rows.c.day == moment.date().isoformat())
    else:
        page = int(current_app.config.get("SANDBOX_WB_STATISTICS_PAGE_ROWS") or PAGE_ROWS)
        query = query.where(stat_rows.c.changed_ts >= moment.timestamp()).limit(page)
    with common.begin() as conn:
        found = list(conn.scalars(query.order_by(stat_rows.c.changed_ts, stat_rows.c.id)))
    return jsonify(found)


def _errors(errors: list[str] | str) -> Response:
    response = jsonify({"errors": errors})
    response.status_code = 400
    return response


# --- the realization report ------------------------------------------------------------------


def _detailed() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _problem(f"{DECODE_ERROR}: invalid request body")
    for key in ("dateFrom", "dateTo"):
        if not body.get(key):
            return _problem(f"{DECODE_ERROR}: missing {key} params")
    start, end = _moscow(body["dateFrom"]), _moscow(body["dateTo"])
    if start is None or end is None or end < start:
        return _problem(f"{DECODE_ERROR}: invalid dateFrom or dateTo")
    limit, after = body.get("limit", MAX_LIMIT), body.get("rrdId", 0)
    period, fields = body.get("period", "weekly"), body.get("fields")
    if not _whole(limit, 1, MAX_LIMIT) or not _whole(after, 0, 2**63 - 1):
        return _problem(f"{DECODE_ERROR}: limit must be 1..{MAX_LIMIT}, rrdId 0 or more")
    if period not in PERIODS:
        return _problem(f"{DECODE_ERROR}: period must be weekly or daily")
    if fields is not None and (not isinstance(fields, list) or not set(map(str, fields)) <= FIELDS):
        return _problem(f"{DECODE_ERROR}: unknown fields")
    base = wb_sales.RRD_BASE[period]
    query = (
        select(lines)
        .where(lines.c.rr_date >= start.date().isoformat())
        .where(lines.c.rr_date <= end.date().isoformat())
        .where(lines.c.seq > after - base)
        .order_by(lines.c.seq)
        .limit(limit)
    )
    with common.begin() as conn:
        found = conn.execute(query).all()
    if not found:
        return Response(status=204)
    shaped = [_line(row, period) for row in found]
    if fields is not None:
        wanted = [str(key) for key in fields]
        shaped = [{key: line[key] for key in wanted if key in line} for line in shaped]
    return jsonify(shaped)


def _line(row: Row[Any], period: str) -> dict[str, Any]:
    """One line in the report's shape: every field the reference requires."""
    body = row.body
    day = date.fromisoformat(row.rr_date)
    weekly = period == "weekly"
    report_start = day - timedelta(days=day.weekday()) if weekly else day
    report_end = report_start + timedelta(days=6 if weekly else 0)
    commission = row.amount - row.for_pay
    acquiring = (row.amount * 150 + 5_000) // 10_000 if row.amount else 0
    vat = max(commission - acquiring, 0) * 20 // 120
    line = {
        "reportId": int(f"{report_start:%Y%m%d}") * (1 if weekly else 10),
        "dateFrom": report_start.isoformat(),
        "dateTo": report_end.isoformat(),
        "createDate": (report_end + timedelta(days=1)).isoformat(),
        "currency": "RUB",
        "reportType": 1,
        "rrdId": wb_sales.RRD_BASE[period] + row.seq,
        "giId": 0,
        "dlvPrc": 0,
        "fixTariffDateFrom": report_start.isoformat(),
        "fixTariffDateTo": report_end.isoformat(),
        "subjectName": "Товар" if body["nmId"] else "",
        "nmId": body["nmId"],
        "brandName": "Demo" if body["nmId"] else "",
        "vendorCode": body["vendorCode"],
        "title": body["title"],
        "techSize": "0",
        "sku": body["sku"],
        "docTypeName": body["docTypeName"],
        "quantity": body["quantity"],
        "retailPrice": _money(body["retailPrice"]),
        "retailAmount": _money(row.amount),
        "salePercent": 0,
        "commissionPercent": body["commissionPercent"],
        "officeName": body["officeName"],
        "sellerOperName": body["sellerOperName"],
        "orderDt": body["orderDt"],
        "saleDt": body["saleDt"],
        "rrDate": row.rr_date,
        "shkId": row.seq * 7919 % 10**10,
        "retailPriceWithDisc": _money(body["retailPriceWithDisc"]),
        "deliveryAmount": body["deliveryAmount"],
        "returnAmount": body["returnAmount"],
        "deliveryService": _money(row.delivery),
        "giBoxTypeName": "",
        "productDiscountForReport": 0,
        "sellerPromo": "0",
        "spp": 0,
        "kvwBase": body["commissionPercent"],
        "kvw": body["commissionPercent"],
        "supRatingUp": 0,
        "isKgvpV2": 0,
        "ppvzSalesCommission": _money(commission - acquiring),
        "forPay": _money(row.for_pay),
        "ppvzReward": "0",
        "acquiringFee": _money(acquiring),
        "acquiringPercent": 1.5 if acquiring else 0,
        "paymentProcessing": "Комиссия за организацию платежа с НДС" if acquiring else "",
        "acquiringBank": "Sandbox Bank" if acquiring else "",
        "vw": _money(commission - acquiring - vat),
        "vwNds": _money(vat),
        "ppvzOfficeName": "",
        "ppvzOfficeId": 0,
        "ppvzSupplierName": "",
        "ppvzSupplierInn": "",
        "declarationNumber": "",
        "stickerId": body["stickerId"],
        "country": "Россия",
        "srvDbs": False,
        "penalty": _money(row.penalty),
        "additionalPayment": "0",
        "rebillLogisticCost": "0",
        "paidStorage": _money(row.storage),
        "deduction": _money(row.deduction),
        "paidAcceptance": _money(row.acceptance),
        "orderId": body["orderId"],
        "isB2b": False,
        "trbxId": "",
        "installmentCofinancingAmount": "0",
        "wibesDiscountPercent": 0,
        "cashbackAmount": "0",
        "cashbackDiscount": "0",
        "cashbackCommissionChange": "0",
        "paymentSchedule": "0",
        "deliveryMethod": body["deliveryMethod"],
        "sellerPromoId": 0,
        "sellerPromoDiscount": 0,
        "loyaltyId": 0,
        "loyaltyDiscount": 0,
        "uuidPromocode": "",
        "salePricePromocodeDiscountPrc": 0,
        "articleSubstitution": "",
        "salePriceAffiliatedDiscountPrc": 0,
        "salePriceWholesaleDiscountPrc": 0,
        "b2bCustomerTin": "",
        "paidWithSocialCertificate": False,
        "warehouseLogisticsCoeff": 0,
        "orderUid": body["orderUid"],
        "srid": body["srid"],
    }
    if body["bonusTypeName"]:  # «in the answer when it has a value»
        line["bonusTypeName"] = body["bonusTypeName"]
    return line


def _money(kopecks: int) -> str:
    """The report's money: a string of roubles, as short as exact (``"367"``, ``"376.99"``)."""
    text = f"{Decimal(kopecks) / 100:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _problem(detail: str) -> Response:
    body = {
        "title": DECODE_ERROR,
        "detail": detail,
        "requestId": str(uuid.uuid4()),
        "origin": "open-api-finreports",
        "status": 400,
    }
    response = jsonify(body)
    response.status_code = 400
    response.content_type = "application/problem+json"
    return response


# --- control ----------------------------------------------------------------------------------


def control_sales() -> tuple[Response, int]:
    """Make the month's sales book (replacing the last one); see ``wb_sales``."""
    try:
        plan = wb_sales.plan_of(request.get_json(silent=True))
    except wb_sales.PlanError as exc:
        return jsonify({"error": str(exc)}), 400
    numbers = [int(o.number) for o in plan.orders if o.number.isdecimal() and len(o.number) < 19]
    with common.begin() as conn:
        known = select(sandbox_orders.c.id, sandbox_orders.c.rid).where(
            sandbox_orders.c.id.in_(numbers)
        )
        rids = {int(row.id): str(row.rid) for row in conn.execute(known)}
        book, difference, srids = wb_sales_month.make(plan, _items(conn), rids)
        count = wb_sales.store(conn, book.stats, book.lines)
    return jsonify({"rows": count, "difference": difference, "srids": srids}), 200


def control_realization() -> tuple[Response, int]:
    """The sandbox's own sums of its lines of the operation dates ``from``..``to``."""
    try:
        start = date.fromisoformat(request.args.get("from", ""))
        end = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        return jsonify({"error": "expected from=YYYY-MM-DD&to=YYYY-MM-DD"}), 400
    query = select(lines).where(
        lines.c.rr_date >= start.isoformat(), lines.c.rr_date <= end.isoformat()
    )
    with common.begin() as conn:
        return jsonify(wb_sales.totals(conn.execute(query))), 200


def _items(conn: Any) -> dict[str, Item]:
    """The sandbox's cards by chrtID and by seller article."""
    found: dict[str, Item] = {}
    for card in wb_cards.catalogue(conn).values():
        item = Item(card.nm_id, card.vendor_code, (card.skus or ("",))[0], card.title)
        found[str(card.chrt_id)] = found[card.vendor_code] = item
    return found


# --- small pieces -------------------------------------------------------------------------------


def _moscow(value: Any) -> datetime | None:
    """An RFC3339 date or date-time; without an offset it is Moscow time (as WB reads it)."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if parsed.year < 2000:
        return None
    return parsed.astimezone(MSK) if parsed.tzinfo else parsed.replace(tzinfo=MSK)


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
