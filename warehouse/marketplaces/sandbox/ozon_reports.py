"""Ozon's sales lists and finance report in the Ozon sandbox, added to its blueprint.

Shaped from Ozon's Seller API swagger (salacoste/ozon-daytona-seller-api
``ozon-swagger-docs/swagger.json``, 2025-09); what it leaves open is written down in
docs/REPORTS-APIS-OZON.md. The data are ``ozon_report_data``'s month (``_control/sales``),
drawn in Ozon's shapes by ``ozon_report_json``.

- ``POST /v3/posting/fbs/list`` (its view is the sandbox's own, in ``ozon``): the month's
  FBS postings join the sandbox's live ones (the month's wins for a number in both),
  filtered by ``since``/``to`` (when ordered), ``status`` and ``last_changed_status_date``;
  ``financial_data`` / ``analytics_data`` only when asked for in ``with``.
- ``POST /v2/posting/fbo/list``: ``limit`` 1..1000 (required), ``offset`` at most 20,000,
  ``filter.since``/``to`` required, a period over a year is 400 ``PERIOD_IS_TOO_LONG``;
  ``result`` is the list itself (no ``has_next``: a short page is the last).
- ``POST /v3/finance/transaction/list``: ``page`` ≥ 1 and ``page_size`` (1..1000,
  UNCONFIRMED bound) required; ``filter.date`` from/to at most a month apart (or a
  ``posting_number``); ``operation_type`` and ``transaction_type`` filter; answers
  ``{result: {operations, page_count, row_count}}``. Ozon asks for requests one after
  another: a request while another is running gets 429 (UNCONFIRMED how Ozon refuses).
- Past 50 requests a second per call (Ozon's limit per Client-Id), 429. Config
  ``SANDBOX_REPORT_LIMITS`` (default on) switches both limits off for the demo.

Control: ``POST /_control/sales`` (the month, see ``control_sales``) and ``GET
/_control/realization?from=&to=`` (the sandbox's own totals of its operations).
"""

from __future__ import annotations

import calendar
import math
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import common, fbo
from warehouse.marketplaces.sandbox import ozon_report_data as data
from warehouse.marketplaces.sandbox import ozon_report_json as shapes
from warehouse.marketplaces.sandbox import ozon_requests as req
from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_db import postings
from warehouse.marketplaces.sandbox.ozon_state import OzonError

YEAR_SECONDS = 366 * 24 * 3600
MAX_LIMIT, MAX_FBO_OFFSET, MAX_PAGE_SIZE = 1000, 20_000, 1000
PER_SECOND = 50  # requests a second per Client-Id
BUSY_SECONDS = 30.0  # a crashed request frees the finance list after this long
TRANSACTION_TYPES = frozenset(
    {"all", "orders", "returns", "services", "compensation", "transferDelivery", "other"}
)
FBO_STATUSES = frozenset(
    {"", "awaiting_packaging", "awaiting_deliver", "delivering", "delivered", "cancelled"}
)

extra_cards = shapes.extra_cards  # /v3/product/info/list adds the month's own cards

TooMany = Callable[[str, float], Response]  # the sandbox's fault answer: ("429", wait)


def register(bp: Blueprint, too_many: TooMany) -> None:
    """The FBO list, the transaction list and the two control endpoints on ``bp``."""

    def limited(call: str, view: Callable[[], Response]) -> Callable[[], Response]:
        def run() -> Response:
            refused = _throttled(call, too_many)
            if refused is not None:
                return refused
            if call != "finance" or not _limits_on():
                return view()
            return _one_at_a_time(call, view, too_many)

        return run

    bp.add_url_rule(
        "/v2/posting/fbo/list", "fbo_posting_list", limited("fbo", fbo_list), methods=["POST"]
    )
    bp.add_url_rule(
        "/v3/finance/transaction/list",
        "finance_transaction_list",
        limited("finance", transaction_list),
        methods=["POST"],
    )
    bp.add_url_rule("/_control/sales", "control_sales", control_sales, methods=["POST"])
    bp.add_url_rule(
        "/_control/realization", "control_realization", control_realization, methods=["GET"]
    )


# --- FBS: the sandbox's live postings and the month's ----------------------------------------


def fbs_postings(
    conn: Connection,
    status: str | None,
    window: tuple[float, float],
    changed: tuple[float, float] | None,
    asked: dict[str, Any],
    now: float,
) -> list[dict[str, Any]]:
    """``/v3/posting/fbs/list``'s postings in order (when ordered, then number)."""
    found: dict[str, tuple[float, float, dict[str, Any]]] = {}
    live = select(postings).where(
        postings.c.created_ts >= window[0], postings.c.created_ts <= window[1]
    )
    for row in conn.execute(live):
        found[row.posting_number] = (row.created_ts, row.changed_ts, st.posting_json(row))
    month = select(data.report_postings).where(
        data.report_postings.c.scheme == "fbs",
        data.report_postings.c.ordered_ts >= window[0],
        data.report_postings.c.ordered_ts <= window[1],
    )
    for row in conn.execute(month):
        state = data.status_at(row, now)
        if state is not None:
            posting = shapes.fbs_posting(row, state, asked, now)
            found[row.posting_number] = (row.ordered_ts, data.changed_at(row, now), posting)
    kept = [
        (ordered, posting)
        for ordered, last_change, posting in found.values()
        if (not status or posting["status"] == status)
        and (changed is None or changed[0] <= last_change <= changed[1])
    ]
    return [posting for _ordered, posting in sorted(kept, key=_order_key)]


def _order_key(entry: tuple[float, dict[str, Any]]) -> tuple[float, str]:
    return entry[0], entry[1]["posting_number"]


# --- FBO -----------------------------------------------------------------------------------


def fbo_list() -> Response:
    body = req.body()
    limit, offset = body.get("limit"), body.get("offset", 0)
    if not req.is_int(limit) or not 1 <= limit <= MAX_LIMIT:
        raise OzonError(400, f"limit must be 1..{MAX_LIMIT}")
    if not req.is_int(offset) or not 0 <= offset <= MAX_FBO_OFFSET:
        raise OzonError(400, f"offset must be 0..{MAX_FBO_OFFSET}")
    flt = body.get("filter")
    if not isinstance(flt, dict):
        raise OzonError(400, "filter.since and filter.to are required")
    since, to = _moment(flt.get("since"), "since"), _moment(flt.get("to"), "to")
    if not 0 <= to - since <= YEAR_SECONDS:
        raise OzonError(400, "PERIOD_IS_TOO_LONG")
    status = flt.get("status") or ""
    if status not in FBO_STATUSES:
        raise OzonError(400, f"unknown status {status!r}")
    asked, now = body.get("with") or {}, time.time()
    with common.begin() as conn:
        rows = conn.execute(
            select(data.report_postings)
            .where(
                data.report_postings.c.scheme == "fbo",
                data.report_postings.c.ordered_ts >= since,
                data.report_postings.c.ordered_ts <= to,
            )
            .order_by(data.report_postings.c.ordered_ts, data.report_postings.c.posting_number)
        ).all()
    found = [
        shapes.fbo_posting(row, state, asked)
        for row in rows
        if (state := data.status_at(row, now)) is not None and (not status or state == status)
    ]
    if str(body.get("dir") or "ASC").upper() == "DESC":
        found.reverse()
    return jsonify({"result": found[offset : offset + limit]})


# --- the finance transaction list ------------------------------------------------------------


def transaction_list() -> Response:
    body = req.body()
    page, size = body.get("page"), body.get("page_size")
    if not req.is_int(page) or page < 1:
        raise OzonError(400, "page must be an integer from 1")
    if not req.is_int(size) or not 1 <= size <= MAX_PAGE_SIZE:
        raise OzonError(400, f"page_size must be 1..{MAX_PAGE_SIZE}")
    flt = body.get("filter") or {}
    if not isinstance(flt, dict):
        raise OzonError(400, "filter must be an object")
    window, number = _finance_window(flt), str(flt.get("posting_number") or "")
    if window is None and not number:
        raise OzonError(400, "filter.date or filter.posting_number is required")
    kinds = flt.get("operation_type") or []
    kind = flt.get("transaction_type") or "all"
    if not isinstance(kinds, list) or kind not in TRANSACTION_TYPES:
        raise OzonError(400, "invalid operation_type or transaction_type")
    with common.begin() as conn:
        rows = _operations(conn, window, number, kinds, kind, time.time())
    chunk = rows[(page - 1) * size : page * size]
    result = {
        "operations": [shapes.operation(row) for row in chunk],
        "page_count": math.ceil(len(rows) / size),
        "row_count": len(rows),
    }
    return jsonify({"result": result})


def _finance_window(flt: dict[str, Any]) -> tuple[float, float] | None:
    period = flt.get("date")
    if not period:
        return None
    if not isinstance(period, dict):
        raise OzonError(400, "filter.date must be {from, to}")
    start, end = _moment(period.get("from"), "from"), _moment(period.get("to"), "to")
    if end < start:
        raise OzonError(400, "filter.date.to is before filter.date.from")
    if end > _month_after(start):
        raise OzonError(400, "PERIOD_IS_TOO_LONG: the period is longer than one month")
    return start, end


def _month_after(ts: float) -> float:
    """The same moment a calendar month later (the day clipped to that month's last)."""
    moment = datetime.fromtimestamp(ts, UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day).timestamp()


def _operations(
    conn: Connection,
    window: tuple[float, float] | None,
    number: str,
    kinds: list[Any],
    kind: str,
    now: float,
) -> list[Any]:
    ops = data.operations
    query = select(ops).where(ops.c.ts <= now).order_by(ops.c.ts, ops.c.operation_id)
    if window is not None:
        query = query.where(ops.c.ts >= window[0], ops.c.ts <= window[1])
    if number:
        query = query.where(ops.c.posting_number == number)
    if kinds:
        query = query.where(ops.c.operation_type.in_([str(k) for k in kinds]))
    if kind != "all":
        wanted = [name for name, (_title, listed) in data.OPERATIONS.items() if listed == kind]
        query = query.where(ops.c.operation_type.in_(wanted))
    return list(conn.execute(query))


# --- limits ----------------------------------------------------------------------------------


def _limits_on() -> bool:
    return bool(current_app.config.get("SANDBOX_REPORT_LIMITS", True))


def _throttled(call: str, too_many: TooMany) -> Response | None:
    if not _limits_on():
        return None
    with common.begin() as conn:
        wait = fbo.take_call(
            conn, "ozon", f"report:{call}", every=1 / PER_SECOND, burst=PER_SECOND, now=time.time()
        )
    return None if wait is None else too_many("429", wait)


def _one_at_a_time(call: str, view: Callable[[], Response], too_many: TooMany) -> Response:
    """Refuse a request while another of the same call runs (Ozon: "requests one after
    another"); a request that died frees the call after BUSY_SECONDS."""
    now = time.time()
    with common.begin() as conn:
        until = conn.scalar(select(data.busy.c.until).where(data.busy.c.call == call))
        if until is not None and until > now:
            return too_many("429", 1.0)
        conn.execute(delete(data.busy).where(data.busy.c.call == call))
        conn.execute(insert(data.busy).values(call=call, until=now + BUSY_SECONDS))
    try:
        return view()
    finally:
        with common.begin() as conn:
            conn.execute(delete(data.busy).where(data.busy.c.call == call))


# --- control -----------------------------------------------------------------------------------


def control_sales() -> Response:
    """``{start, days, seed, fbo_per_day, orders: [{number, sku, article, price, quantity,
    at}], returns: [number], difference: "amount" | "unknown" | ""}`` → ``{rows,
    difference}``: the month, replacing the one before (prices in kopecks per unit)."""
    spec = _spec(req.body())
    with common.begin() as conn:
        rows, difference = data.generate(conn, spec)
    return jsonify({"rows": rows, "difference": difference})


def control_realization() -> Response:
    try:
        first = date.fromisoformat(request.args.get("from", ""))
        last = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        raise OzonError(400, "from and to are YYYY-MM-DD dates") from None
    with common.begin() as conn:
        return jsonify(data.totals(conn, first, last, time.time()))


def _spec(body: dict[str, Any]) -> data.Spec:
    try:
        start = date.fromisoformat(str(body.get("start")))
    except ValueError:
        raise OzonError(400, "start is a YYYY-MM-DD date") from None
    days, seed = body.get("days", 30), body.get("seed", 1)
    per_day = body.get("fbo_per_day", 3)
    if not all(req.is_int(v) for v in (days, seed, per_day)) or not 1 <= days <= 92:
        raise OzonError(400, "days (1..92), seed and fbo_per_day are integers")
    if not 0 <= per_day <= 100:
        raise OzonError(400, "fbo_per_day must be 0..100")
    orders = tuple(_order(entry) for entry in body.get("orders") or [])
    if len({order.number for order in orders}) < len(orders):
        raise OzonError(400, "order numbers must differ")
    returns = frozenset(str(number) for number in body.get("returns") or [])
    if returns - {order.number for order in orders}:
        raise OzonError(400, "every return must be a listed order")
    difference = body.get("difference") or ""
    if difference not in ("", "amount", "unknown"):
        raise OzonError(400, "difference is amount, unknown or empty")
    return data.Spec(start, days, seed, per_day, orders, returns, difference)


def _order(entry: Any) -> data.Order:
    if not isinstance(entry, dict) or not str(entry.get("number") or ""):
        raise OzonError(400, "each order needs a number")
    offer = str(entry.get("sku") or entry.get("article") or "")
    price, quantity = entry.get("price"), entry.get("quantity", 1)
    if not offer or not req.is_int(price) or price < 0:
        raise OzonError(400, "each order needs sku or article and price (kopecks)")
    if not req.is_int(quantity) or quantity < 1:
        raise OzonError(400, "quantity must be at least 1")
    at = _moment(entry.get("at"), "at")
    return data.Order(str(entry["number"]), offer, price, quantity, at)


def _moment(value: Any, name: str) -> float:
    """An ISO date or date-time (a zone-less one is UTC) as a timestamp."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise OzonError(400, f"{name} must be an ISO 8601 date-time") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
