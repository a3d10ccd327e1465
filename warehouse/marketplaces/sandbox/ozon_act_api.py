"""The Ozon sandbox's hand-over endpoints (delivery methods, acts), added to its blueprint.

Paths, bodies and answers as in Ozon's Seller API reference (swagger, 2025-09); the state
machine is ``ozon_acts``. Config: ``SANDBOX_OZON_ACT_SECONDS`` (forming time, default 2),
``SANDBOX_OZON_PICKUP_SECONDS`` (0 = the courier comes only through ``_control``),
``SANDBOX_OZON_DIGITAL_ACTS`` (acts of type ``ozon_digital``).
"""

from __future__ import annotations

import io
import time
from datetime import date
from typing import Any

from barcode import Code128
from flask import Blueprint, Response, current_app, jsonify
from PIL import Image, ImageDraw

from warehouse.marketplaces.sandbox import common, ozon_acts, pdf
from warehouse.marketplaces.sandbox import ozon_requests as req
from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.common import ID
from warehouse.marketplaces.sandbox.ozon_state import OzonError

A4_MM = (210, 297)
POSTINGS_PER_PAGE = 40
DEFAULT_ACT_SECONDS = 2.0


def register(bp: Blueprint) -> None:
    """Add the hand-over endpoints to the Ozon sandbox blueprint."""
    bp.add_url_rule("/v1/delivery-method/list", view_func=delivery_methods, methods=["POST"])
    for path, view in (
        ("/v2/posting/fbs/act/create", act_create),
        ("/v2/posting/fbs/act/check-status", act_check_status),
        ("/v2/posting/fbs/act/list", act_list),
        ("/v2/posting/fbs/act/get-pdf", act_pdf),
        ("/v2/posting/fbs/act/get-barcode", act_barcode),
        ("/v2/posting/fbs/act/get-barcode/text", act_barcode_text),
        ("/v2/posting/fbs/digital/act/check-status", digital_check_status),
        ("/v2/posting/fbs/digital/act/get-pdf", digital_pdf),
    ):
        bp.add_url_rule(path, view_func=view, methods=["POST"])
    bp.add_url_rule(
        f"/_control/acts/<{ID}:act_id>/pickup",
        view_func=control_act_pickup,
        methods=["POST"],
    )


def delivery_methods() -> Response:
    data = req.body()
    limit, offset = req.page(data, most=50)
    method = {
        "id": st.DELIVERY_METHOD_ID,
        "company_id": 1,
        "name": st.DELIVERY_METHOD_NAME,
        "status": "ACTIVE",
        "cutoff": "13:00",
        "provider_id": 24,
        "template_id": 0,
        "warehouse_id": st.WAREHOUSE_ID,
        "created_at": "2024-04-04T15:22:31.048202Z",
        "updated_at": "2024-08-15T10:21:44.854209Z",
        "sla_cut_in": 1440,
    }
    wanted = (data.get("filter") or {}).get("warehouse_id")
    found = [method] if wanted in (None, st.WAREHOUSE_ID) else []
    return jsonify({"result": found[offset : offset + limit], "has_next": False})


def act_create() -> Response:
    data = req.body()
    method = data.get("delivery_method_id")
    if not req.is_int(method):
        raise OzonError(400, "delivery_method_id is required")
    departure = _departure(data.get("departure_date"))
    digital = bool(current_app.config.get("SANDBOX_OZON_DIGITAL_ACTS"))
    with common.begin() as conn:
        act_id = ozon_acts.create(
            conn, method, departure, data.get("containers_count"), time.time(), digital
        )
    return jsonify({"result": {"id": act_id}})


def act_check_status() -> Response:
    with common.begin() as conn:
        return jsonify(ozon_acts.status_json(_act(conn)))


def act_list() -> Response:
    data = req.body()
    if not req.is_int(data.get("limit")):
        raise OzonError(400, "limit is required")
    flt = data.get("filter") or {}
    since, until = _day(flt.get("date_from"), "date_from"), _day(flt.get("date_to"), "date_to")
    with common.begin() as conn:
        found = ozon_acts.list_json(conn, since, until)
    return jsonify({"result": found[: data["limit"]]})


def act_pdf() -> Response:
    with common.begin() as conn:
        row = ozon_acts.formed(_act(conn))
    return Response(_papers(row), mimetype="application/pdf")


def act_barcode() -> Response:
    with common.begin() as conn:
        row = ozon_acts.formed(_act(conn))
    return Response(_png(ozon_acts.barcode_text(row)), mimetype="image/png")


def act_barcode_text() -> Response:
    with common.begin() as conn:
        row = ozon_acts.formed(_act(conn))
    return jsonify({"result": ozon_acts.barcode_text(row)})


def digital_check_status() -> Response:
    with common.begin() as conn:
        row = _act(conn)
    status = "FORMED" if row.status == ozon_acts.READY else "FORMING"
    if row.act_type != ozon_acts.DIGITAL:
        status = "NOT_FOUND"
    return jsonify({"id": ozon_acts.ozon_id(row), "status": status})


def digital_pdf() -> Response:
    data = req.body()
    with common.begin() as conn:
        row = ozon_acts.formed(_act(conn))
    if row.act_type != ozon_acts.DIGITAL or data.get("doc_type") != "act_of_acceptance":
        raise OzonError(404, "document not found", code=5)
    return Response(_papers(row, waybill=False), mimetype="application/pdf")


def control_act_pickup(act_id: int) -> tuple[str, int]:
    """The courier came: the act's postings are ``driver_pickup`` (then ``/handover``)."""
    with common.begin() as conn:
        ozon_acts.pickup(conn, ozon_acts.act(conn, act_id, time.time(), _forming()), 1, time.time())
    return "", 204


# --- helpers -----------------------------------------------------------------------------


def _act(conn: Any) -> Any:
    return ozon_acts.act(conn, req.body().get("id"), time.time(), _forming())


def _forming() -> float:
    value = current_app.config.get("SANDBOX_OZON_ACT_SECONDS")
    return DEFAULT_ACT_SECONDS if value is None else float(value)


def _departure(value: Any) -> date:
    if value is None:
        return date.today()
    return _day(str(value)[:10], "departure_date")


def _day(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise OzonError(400, f"{name} must be a date") from None


def _papers(row: Any, *, waybill: bool = True) -> bytes:
    """The act («лист отгрузки») and the waybill, A4 pages listing the act's postings."""
    head = [f"Act {ozon_acts.ozon_id(row)}", f"Departure {row.departure}", st.DELIVERY_METHOD_NAME]
    chunks = [row.added[i : i + POSTINGS_PER_PAGE] for i in range(0, len(row.added), 40)] or [[]]
    pages = [["OZON shipment list (act)", *head, *chunk] for chunk in chunks]
    if waybill:
        pages.append(["OZON transport waybill", *head, f"Postings: {len(row.added)}"])
    return pdf.text_pdf(pages, *A4_MM)


def _png(value: str) -> bytes:
    """A Code 128 of ``value`` as a PNG, as Ozon's ``get-barcode`` answers."""
    modules = Code128(value).build()[0]
    scale, quiet, height = 2, 20, 80
    image = Image.new("1", ((len(modules) + 2 * quiet) * scale, height), 1)
    draw = ImageDraw.Draw(image)
    for index, bit in enumerate(modules):
        if bit == "1":
            x = (quiet + index) * scale
            draw.rectangle((x, 0, x + scale - 1, height - 1), fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
