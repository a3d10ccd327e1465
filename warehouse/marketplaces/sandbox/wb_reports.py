"""WB's analytics host (seller-analytics-api.wildberries.ru), nested in the WB sandbox: the
«warehouse remains» report of our goods in WB's warehouses (FBO).

Shaped from WB's reports OpenAPI: ``GET /api/v1/warehouse_remains`` makes a task
(``{data: {taskId}}``; 1 a minute, 5 at once), ``…/tasks/{id}/status`` tells its state
(``{data: {id, status}}``; 1 per 5 s, 5 at once; here ``processing`` at the first look,
``done`` after), ``…/tasks/{id}/download`` gives the report (1 a minute): one object per
barcode with ``warehouses`` holding only non-zero amounts, including WB's rows «В пути до
получателей», «В пути возвраты на склад WB» and «Всего находится на складах». A task id
that is not a UUID is 400, an unknown one 404 (``application/problem+json``), as WB
answers; past a limit, 429 with ``X-Ratelimit-Retry``. Config
``SANDBOX_REPORT_LIMITS`` (default on) switches the limits off for the demo's button.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Boolean, Column, Float, Integer, String, Table, insert, select, update

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.sandbox import common, fbo
from warehouse.marketplaces.sandbox.common import metadata

PREFIX = "/seller-analytics-api"  # the host seller-analytics-api.wildberries.ru
PATH = "/api/v1/warehouse_remains"
TO_BUYERS = "В пути до получателей"
RETURNS = "В пути возвраты на склад WB"
TOTAL = "Всего находится на складах"
# (seconds per call, calls at once) per call, from the reports OpenAPI's limit tables
LIMITS = {"create": (60.0, 5), "status": (5.0, 5), "download": (60.0, 1)}

tasks = Table(
    "wb_sandbox_report_tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_ts", Float, nullable=False),
    Column("looks", Integer, nullable=False, default=0),
    Column("by_barcode", Boolean, nullable=False, default=False),  # groupByBarcode=true
)


def install(bp: Blueprint, too_many: Any) -> None:
    """The report's routes on the WB sandbox's blueprint, under the analytics host's prefix;
    ``too_many(retry_after)`` is the sandbox's own 429."""

    def limited(call: str, conn: Any) -> Response | None:
        if not current_app.config.get("SANDBOX_REPORT_LIMITS", True):
            return None
        every, burst = LIMITS[call]
        wait = fbo.take_call(conn, "wb", call, every=every, burst=burst, now=time.time())
        return None if wait is None else too_many(wait)

    def create() -> Response:
        task_id = str(uuid.uuid4())
        with common.begin() as conn:
            refused = limited("create", conn)
            if refused is not None:
                return refused
            by_barcode = request.args.get("groupByBarcode") == "true"
            conn.execute(
                insert(tasks).values(
                    id=task_id, created_ts=time.time(), looks=0, by_barcode=by_barcode
                )
            )
        return jsonify({"data": {"taskId": task_id}})

    def looked_up(call: str, task_id: str, conn: Any) -> int | Response:
        """The task's looks so far, or the answer that refuses the call (limit, 400, 404)."""
        refused = limited(call, conn)
        return refused if refused is not None else _task(conn, task_id)

    def status(task_id: str) -> Response:
        with common.begin() as conn:
            found = looked_up("status", task_id, conn)
            if isinstance(found, Response):
                return found
            conn.execute(update(tasks).where(tasks.c.id == task_id).values(looks=found + 1))
        state = "processing" if found == 0 else "done"
        return jsonify({"data": {"id": task_id, "status": state}})

    def download(task_id: str) -> Response:
        with common.begin() as conn:
            found = looked_up("download", task_id, conn)
            if isinstance(found, Response):
                return found
            if found == 0:  # UNCONFIRMED: WB's answer for a task not done yet
                return _problem(400, "Bad Request", "report is not ready yet")
            grouped = conn.execute(select(tasks.c.by_barcode).where(tasks.c.id == task_id))
            by_barcode = bool(grouped.scalar())
            rows = fbo.rows(conn, "wb")
        report = remains(rows, grouped=by_barcode)
        return jsonify(report) if report else Response(status=204)

    bp.add_url_rule(f"{PREFIX}{PATH}", "wb_remains_create", create, methods=["GET"])
    bp.add_url_rule(
        f"{PREFIX}{PATH}/tasks/<task_id>/status", "wb_remains_status", status, methods=["GET"]
    )
    bp.add_url_rule(
        f"{PREFIX}{PATH}/tasks/<task_id>/download", "wb_remains_download", download, methods=["GET"]
    )


def remains(rows: list[fbo.Row], *, grouped: bool) -> list[dict[str, Any]]:
    """The report: per demo product (its first barcode when grouped by barcode)."""
    report = []
    for product in PRODUCTS:
        mine = [row for row in rows if row.article == product.article]
        if not mine:
            continue
        places = [
            {"warehouseName": row.warehouse, "quantity": row.available}
            for row in mine
            if row.available
        ]
        on_the_way = [
            (TO_BUYERS, sum(row.reserved for row in mine)),
            (RETURNS, sum(row.incoming for row in mine)),
            (TOTAL, sum(row.available for row in mine)),
        ]
        places += [{"warehouseName": name, "quantity": n} for name, n in on_the_way if n]
        report.append(
            {
                "brand": "Demo",
                "subjectName": "Товар",
                "vendorCode": product.article,
                "nmId": product.wb_nm_id,
                "barcode": product.barcodes[0] if grouped else "",
                "techSize": "0",
                "volume": 1.0,
                "warehouses": places,
            }
        )
    return report


def _task(conn: Any, task_id: str) -> int | Response:
    """The task's looks so far, or WB's 400 / 404."""
    try:
        uuid.UUID(task_id)
    except ValueError:
        detail = f"Invalid format for parameter task_id: {task_id!r} is not a UUID"
        return _problem(400, "Bad Request", detail)
    looks = conn.execute(select(tasks.c.looks).where(tasks.c.id == task_id)).scalar()
    if looks is None:
        return _problem(404, "Not Found", "not found")
    return int(looks)


def _problem(status: int, title: str, detail: str) -> Response:
    body = {
        "detail": detail,
        "origin": "api-statistics",
        "requestId": uuid.uuid4().hex,
        "title": title,
    }
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response
