"""The Yandex Market sandbox's sales statistics and reports, added to its blueprint.

Shaped from yandex-market/yandex-market-partner-api ``openapi/`` (2026-07) and the report
pages of yandex.ru/dev/market/partner-api (column lists, limits):

- ``POST /v2/campaigns/{campaignId}/stats/orders`` (``getOrdersStats``): ``dateFrom``/
  ``dateTo`` (creation) or ``updateFrom``/``updateTo`` (any change), never both; ``orders``,
  ``statuses``; ``limit`` 1..200 (default 100), ``page_token``/``pageToken`` →
  ``{status, result: {orders: [OrdersStatsOrderDTO], paging: {nextPageToken}}}``. 10,000 an
  hour. The FBS shop (1) and the FBY shop (2) answer.
- ``POST /v2/reports/goods-realization/generate?format=`` ``{campaignId, year, month}`` and
  ``POST /v2/reports/united-marketplace-services/generate?format=&language=``
  ``{businessId, dateFrom, dateTo | yearFrom, monthFrom, yearTo, monthTo, campaignIds,
  placementPrograms}`` (at most 3 months) → ``{status, result: {reportId,
  estimatedGenerationTime}}``; 1 call in 2 minutes each (420 past it).
- ``GET /v2/reports/info/{reportId}`` → ``PROCESSING`` at the first look, then ``DONE``
  with a fresh ``file`` link (60 minutes) each time; ``DONE`` + ``subStatus: NO_DATA`` and
  no file when the report has no lines; an unknown id is 404. 100 a minute.
- The file link points back at this sandbox (``/_files/reports/<id>?expires=&sign=``): it
  carries its own signature and asks for no ``Api-Key``, as a storage link would.

``SANDBOX_REPORT_LIMITS`` (default on) switches the limits off for tests and the
demo; ``SANDBOX_YANDEX_REPORT_SECONDS`` (default 120) is the generators' interval.
``POST /_control/sales`` makes a month of data (``yandex_sales.generate``);
``GET /_control/realization?from=&to=`` answers the sandbox's own totals.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy import JSON, Column, Float, Integer, String, Table, insert, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import common, fbo, yandex_requests, yandex_sales
from warehouse.marketplaces.sandbox import yandex_sales_read as read
from warehouse.marketplaces.sandbox.common import ID, metadata
from warehouse.marketplaces.sandbox.yandex_db import SandboxError
from warehouse.marketplaces.sandbox.yandex_report_files import report_file
from warehouse.marketplaces.sandbox.yandex_state import BUSINESS_ID, CAMPAIGN_ID, FBY_CAMPAIGN_ID

REALIZATION, SERVICES = "goods-realization", "united-marketplace-services"
STATS_LIMIT, STATS_DEFAULT = 200, 100
LINK_SECONDS = 3600
FORMATS = frozenset({"FILE", "CSV", "JSON"})
LANGUAGES = frozenset({"RU", "EN"})
PROGRAMS = frozenset({"FBS", "FBY", "DBS", "EXPRESS", "LAAS"})
SHOPS = frozenset({CAMPAIGN_ID, FBY_CAMPAIGN_ID})
# (seconds per call, calls at once); the generators' interval comes from the config
LIMITS = {"stats": (0.36, 10_000), "info": (0.6, 100)}
STATS_ENDPOINT = "ym_stats_orders"

reports = Table(
    "yandex_sandbox_reports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("params", JSON, nullable=False),
    Column("format", String(10), nullable=False),
    Column("created_ts", Float, nullable=False),
    Column("looks", Integer, nullable=False, default=0),
    Column("secret", String(64), nullable=False),
)

TooMany = Callable[[float, str], Response]  # (retry_after, message) → YM's 420


def install(bp: Blueprint, too_many: TooMany) -> None:
    """Add the statistics, report and control endpoints to the YM sandbox blueprint."""

    def limited(conn: Connection, call: str) -> Response | None:
        if not current_app.config.get("SANDBOX_REPORT_LIMITS", True):
            return None
        every, burst = LIMITS.get(call) or (
            float(current_app.config.get("SANDBOX_YANDEX_REPORT_SECONDS", 120)),
            1,
        )
        wait = fbo.take_call(conn, "yandex", call, every=every, burst=burst, now=time.time())
        if wait is None:
            return None
        message = f"Hit rate limit of {burst} requests per {every:g} seconds for resource {call}"
        return too_many(wait, message)

    def stats_orders(campaign_id: int) -> Response:
        query = _stats_query(yandex_requests.body())
        size, after = _stats_limit(), yandex_requests.page_after()
        with common.begin() as conn:
            refused = limited(conn, "stats")
            if refused is not None:
                return refused
            found, last = read.stats_page(conn, campaign_id, *query, after, size)
        result: dict[str, Any] = {"orders": found}
        if last is not None:
            result["paging"] = {"nextPageToken": yandex_requests.page_token(last)}
        return jsonify({"status": "OK", "result": result})

    def generate(kind: str) -> Response:
        form = _choice(request.args.get("format", "FILE"), FORMATS, "format")
        if kind == SERVICES:
            _choice(request.args.get("language", "RU"), LANGUAGES, "language")
        data = yandex_requests.body()
        params = _realization_params(data) if kind == REALIZATION else _services_params(data)
        report_id = str(uuid.uuid4())
        with common.begin() as conn:
            refused = limited(conn, kind)
            if refused is not None:
                return refused
            conn.execute(
                insert(reports).values(
                    id=report_id,
                    kind=kind,
                    params=params,
                    format=form,
                    created_ts=time.time(),
                    looks=0,
                    secret=uuid.uuid4().hex,
                )
            )
        result = {"reportId": report_id, "estimatedGenerationTime": 2000}
        return jsonify({"status": "OK", "result": result})

    def info(report_id: str) -> Response:
        with common.begin() as conn:
            refused = limited(conn, "info")
            if refused is not None:
                return refused
            row = _report(conn, report_id)
            conn.execute(
                update(reports).where(reports.c.id == report_id).values(looks=row.looks + 1)
            )
            found = _lines(conn, row) if row.looks else []
        return jsonify({"status": "OK", "result": _info(row, bool(found))})

    def control_report_file(report_id: str) -> Response:
        with common.begin() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).first()
            if row is None or not _signed(row, request.args):
                return Response("AccessDenied", status=403, mimetype="text/plain")
            found = _lines(conn, row)
        content, mimetype, name = report_file(row.kind, found, row.format)
        answer = Response(content, mimetype=mimetype)
        answer.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return answer

    def control_sales() -> Response:
        with common.begin() as conn:
            return jsonify(yandex_sales.generate(conn, yandex_requests.body()))

    def control_realization() -> Response:
        first = _date(request.args.get("from"), "from")
        last = _date(request.args.get("to"), "to")
        with common.begin() as conn:
            return jsonify(read.totals(conn, first, last))

    campaign = f"/v2/campaigns/<{ID}:campaign_id>"
    bp.add_url_rule(f"{campaign}/stats/orders", STATS_ENDPOINT, stats_orders, methods=["POST"])
    for kind in (REALIZATION, SERVICES):
        bp.add_url_rule(
            f"/v2/reports/{kind}/generate",
            f"ym_generate_{kind}",
            lambda kind=kind: generate(kind),
            methods=["POST"],
        )
    bp.add_url_rule("/v2/reports/info/<report_id>", "ym_report_info", info, methods=["GET"])
    bp.add_url_rule(
        "/_files/reports/<report_id>", "control_report_file", control_report_file, methods=["GET"]
    )
    bp.add_url_rule("/_control/sales", "control_sales", control_sales, methods=["POST"])
    bp.add_url_rule(
        "/_control/realization", "control_realization", control_realization, methods=["GET"]
    )


# --- report state ------------------------------------------------------------------------------


def _report(conn: Connection, report_id: str) -> Any:
    row = conn.execute(select(reports).where(reports.c.id == report_id)).first()
    if row is None:
        raise SandboxError(404, "NOT_FOUND", f"Report {report_id} not found")
    return row


def _info(row: Any, has_lines: bool) -> dict[str, Any]:
    """``ReportInfoDTO``: processing at the first look, done after (a new link each time)."""
    asked = _iso(row.created_ts)
    if not row.looks:
        return {
            "status": "PROCESSING",
            "generationRequestedAt": asked,
            "estimatedGenerationTime": 2000,
        }
    done: dict[str, Any] = {
        "status": "DONE",
        "generationRequestedAt": asked,
        "generationFinishedAt": _iso(row.created_ts + 2),
    }
    if not has_lines:
        return {**done, "subStatus": "NO_DATA"}
    expires = int(time.time()) + LINK_SECONDS
    link = url_for(
        f"{request.blueprint}.control_report_file",
        report_id=row.id,
        expires=expires,
        sign=_sign(row, expires),
        _external=True,
    )
    return {**done, "file": link}


def _lines(conn: Connection, row: Any) -> list[tuple[str, dict[str, Any]]]:
    params = row.params
    first, last = date.fromisoformat(params["first"]), date.fromisoformat(params["last"])
    kind = "realization" if row.kind == REALIZATION else "services"
    return read.report_lines(
        conn, kind, first, last, set(params["campaigns"]), set(params.get("models") or ())
    )


def _sign(row: Any, expires: int) -> str:
    message = f"{row.id}:{expires}".encode()
    return hmac.new(row.secret.encode(), message, hashlib.sha256).hexdigest()


def _signed(row: Any, args: Any) -> bool:
    try:
        expires = int(args.get("expires", ""))
    except ValueError:
        return False
    given = str(args.get("sign", ""))
    return expires > time.time() and hmac.compare_digest(given, _sign(row, expires))


# --- reading requests --------------------------------------------------------------------------


def _stats_query(data: dict[str, Any]) -> tuple[tuple[str, date, date] | None, set[int]]:
    """(the window: by creation or by change, and its dates; the orders asked for)."""
    created = [data.get(key) for key in ("dateFrom", "dateTo")]
    changed = [data.get(key) for key in ("updateFrom", "updateTo")]
    if any(v is not None for v in created) and any(v is not None for v in changed):
        raise SandboxError(
            400, "BAD_REQUEST", "dateFrom/dateTo cannot be used with updateFrom/updateTo"
        )
    by, given = (
        ("updated", changed) if any(v is not None for v in changed) else ("created", created)
    )
    window = None
    if any(value is not None for value in given):
        first = _date(given[0], "from") if given[0] is not None else date.min
        last = _date(given[1], "to") if given[1] is not None else date.max
        window = (by, first, last)
    orders = data.get("orders")
    if orders is not None and (
        not isinstance(orders, list) or not orders or not all(isinstance(o, int) for o in orders)
    ):
        raise SandboxError(400, "BAD_REQUEST", "orders must be a non-empty list of order ids")
    return window, set(orders or ())


def _stats_limit() -> int:
    raw = request.args.get("limit", str(STATS_DEFAULT))
    if not raw.isdecimal() or not 1 <= int(raw) <= STATS_LIMIT:
        raise SandboxError(400, "BAD_REQUEST", f"limit must be 1..{STATS_LIMIT}")
    return int(raw)


def _realization_params(data: dict[str, Any]) -> dict[str, Any]:
    campaign, year, month = (_whole(data.get(key), key) for key in ("campaignId", "year", "month"))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise SandboxError(400, "BAD_REQUEST", "month must be 1..12 and year a year")
    if campaign not in SHOPS:
        raise SandboxError(403, "FORBIDDEN", "Access denied")
    last = calendar.monthrange(year, month)[1]
    return {
        "first": date(year, month, 1).isoformat(),
        "last": date(year, month, last).isoformat(),
        "campaigns": [campaign],
    }


def _whole(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise SandboxError(400, "BAD_REQUEST", f"{name} is a required integer")
    return value


def _services_params(data: dict[str, Any]) -> dict[str, Any]:
    """By the services' dates (``dateFrom``/``dateTo``) or by the acts' months
    (``yearFrom``…``monthTo``), never both; at most 3 months."""
    if data.get("businessId") is None:
        raise SandboxError(400, "BAD_REQUEST", "businessId is required")
    if data.get("businessId") != BUSINESS_ID:
        raise SandboxError(403, "FORBIDDEN", "Access denied")
    by_dates = data.get("dateFrom") is not None or data.get("dateTo") is not None
    months = [data.get(key) for key in ("yearFrom", "monthFrom", "yearTo", "monthTo")]
    if by_dates == any(value is not None for value in months):
        raise SandboxError(
            400, "BAD_REQUEST", "give dateFrom and dateTo, or yearFrom…monthTo, not both"
        )
    if by_dates:
        first, last = _date(data.get("dateFrom"), "dateFrom"), _date(data.get("dateTo"), "dateTo")
    else:
        first, last = _act_months(months)
    if last < first or last >= _months_later(first, 3):
        raise SandboxError(400, "BAD_REQUEST", "the period must be 1 day to 3 months")
    campaigns = _ids(data.get("campaignIds"), "campaignIds") or sorted(SHOPS)
    if set(campaigns) - SHOPS:
        raise SandboxError(403, "FORBIDDEN", "Access denied")
    programs = data.get("placementPrograms") or []
    if not isinstance(programs, list) or set(programs) - PROGRAMS:
        raise SandboxError(400, "BAD_REQUEST", f"placementPrograms: one of {sorted(PROGRAMS)}")
    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "campaigns": campaigns,
        "models": programs,
    }


def _act_months(values: list[Any]) -> tuple[date, date]:
    names = ("yearFrom", "monthFrom", "yearTo", "monthTo")
    year_from, month_from, year_to, month_to = map(_whole, values, names)
    if not (1 <= month_from <= 12 and 1 <= month_to <= 12):
        raise SandboxError(400, "BAD_REQUEST", "months are 1..12")
    last_day = calendar.monthrange(year_to, month_to)[1]
    return date(year_from, month_from, 1), date(year_to, month_to, last_day)


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _ids(value: Any, name: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, int) for v in value):
        raise SandboxError(400, "BAD_REQUEST", f"{name} must be a non-empty list of integers")
    return value


def _choice(value: str, allowed: frozenset[str], name: str) -> str:
    if value not in allowed:
        raise SandboxError(400, "BAD_REQUEST", f"{name}: one of {sorted(allowed)}")
    return value


def _date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SandboxError(400, "BAD_REQUEST", f"{name}: not a date (YYYY-MM-DD)") from None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
