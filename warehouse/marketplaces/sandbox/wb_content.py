"""The WB Content API's host (content-api.wildberries.ru), nested in the WB sandbox.

WB serves product cards on their own host, not on marketplace-api: the card list of WB's
work-with-products OpenAPI lists only ``content-api.wildberries.ru`` (and its sandbox) as
servers. ``install`` puts these routes on the WB sandbox's blueprint under ``PREFIX``, so
``/sandbox/wb/content-api/content/v2/get/cards/list`` is the Content API and the same path
under ``/sandbox/wb`` (the Marketplace API's host) is 404, as WB answers: a client asking
the wrong host fails here as it would in production. The token, faults and reset are the
WB sandbox's own. Card creation (``cards/upload``, ``cards/error/list``) is ``wb_cards``.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, request

from warehouse.marketplaces.sandbox import common, wb_cards, wb_requests

PREFIX = "/content-api"  # the host content-api.wildberries.ru


def install(bp: Blueprint) -> None:
    """The Content API's routes on the WB sandbox's blueprint, under its host's prefix."""
    for path, view in (
        ("/content/v2/get/cards/list", cards_list),
        ("/content/v2/cards/upload", cards_upload),
        ("/content/v2/cards/error/list", cards_errors),
    ):
        bp.add_url_rule(f"{PREFIX}{path}", view_func=view, methods=["POST"])


def cards_list() -> Response:
    """``{settings: {cursor: {limit, nmID?}}}`` → ``{cards, cursor}``, ordered by nmID."""
    cursor = (wb_requests.body().get("settings") or {}).get("cursor") or {}
    limit = int(cursor.get("limit") or 100)
    with common.begin() as conn:
        return jsonify(wb_cards.cards_page(conn, limit, cursor.get("nmID")))


def cards_upload() -> Response:
    """Queue the cards; WB's 200 says nothing of whether each card will be made."""
    delay = float(current_app.config.get("SANDBOX_WB_CARD_SECONDS", 1.0))
    with common.begin() as conn:
        wb_cards.upload(conn, request.get_json(silent=True), time.time(), delay)
    return jsonify({"data": None, "error": False, "errorText": "", "additionalErrors": {}})


def cards_errors() -> Response:
    body = request.get_json(silent=True)
    with common.begin() as conn:
        data = wb_cards.error_list(conn, body if isinstance(body, dict) else {})
    return jsonify({"data": data, "error": False, "errorText": "", "additionalErrors": None})
