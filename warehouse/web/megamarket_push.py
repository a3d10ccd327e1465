"""Megamarket's pushes: ``POST /push/megamarket/<account>/order/new`` and ``…/order/cancel``.

The seller enters these URLs, with a login and password (HTTP Basic), in the Megamarket
cabinet; MM expects ``{"data": {}, "meta": {}, "success": 1}`` and repeats a push it did not
get that answer to. How MM authenticates its pushes is UNCONFIRMED (no official text was
found); Basic with the cabinet's login and password is what this receiver asks for. No
cookies, so no CSRF token (exempt, like the API blueprint).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from warehouse.infra import db
from warehouse.marketplaces.base import RejectedError
from warehouse.models import MarketplaceAccount
from warehouse.orders import megamarket_pushes

logger = logging.getLogger(__name__)

bp = Blueprint("megamarket_push", __name__)


# what Megamarket pushes to the seller's URL: a new shipment, a cancelled one
RECEIVERS = {"new": megamarket_pushes.receive_new, "cancel": megamarket_pushes.receive_cancel}


@bp.post("/<int:account_id>/order/<any(new, cancel):event>")
def order_push(account_id: int, event: str) -> tuple[Response, int]:
    account = _account(account_id)
    if account is None:
        return _answer(0), 401
    try:
        RECEIVERS[event](db.session(), account, request.get_json(silent=True))
    except RejectedError as exc:
        return _refused(exc)
    db.session().commit()
    return _answer(1), 200


def _account(account_id: int) -> MarketplaceAccount | None:
    auth = request.authorization
    login, password = (auth.username or "", auth.password or "") if auth else ("", "")
    found = megamarket_pushes.account_for(db.session(), account_id, login, password)
    if found is None:
        logger.warning("mm push refused account=%s (login or password)", account_id)
    return found


def _refused(exc: RejectedError) -> tuple[Response, int]:
    db.session().rollback()
    logger.warning("mm push unreadable: %s", exc)
    return _answer(0, str(exc)), 400


def _answer(success: int, message: str = "") -> Response:
    body: dict[str, object] = {"data": {}, "meta": {}, "success": success}
    if message:
        body["error"] = [{"code": "BAD_PUSH", "message": message}]
    return jsonify(body)
