"""The integration API under /api/v1/ (JSON), for ERPs and scripts.

Authenticated by a supervisor's session or by ``Authorization: Bearer`` with
``WAREHOUSE_API_TOKEN``; without a configured token only sessions work.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, jsonify, request

from warehouse.infra import db
from warehouse.models import Order
from warehouse.shift import desk
from warehouse.staff import access
from warehouse.web.auth import current_user

bp = Blueprint("api", __name__)


@bp.before_request
def authenticate() -> None:
    token = current_app.config.get("API_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given, token):
        return
    user = current_user()
    if not access.may(user, "desk"):
        abort(401)


@bp.get("/orders")
def orders():
    found = desk.recent_orders(db.session(), request.args.get("status"), limit=500)
    return jsonify(orders=[_order(order) for order in found])


@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    found = db.session().get(Order, order_id) or abort(404)
    return jsonify(_order(found))


def _order(order: Order) -> dict[str, object]:
    return {
        "id": order.id,
        "marketplace": order.account.kind,
        "account_id": order.account_id,
        "external_id": order.external_id,
        "status": order.status,
        "marketplace_status": order.marketplace_status,
        "ship_by": order.ship_by.isoformat() if order.ship_by else None,
        "lines": [
            {"article": line.article, "barcode": line.barcode, "quantity": line.quantity}
            for line in order.lines
        ],
    }
