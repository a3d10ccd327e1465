"""The WB Content API's host (content-api.wildberries.ru), nested in the WB sandbox.

WB serves product cards on their own host, not on marketplace-api: the card list of WB's
work-with-products OpenAPI lists only ``content-api.wildberries.ru`` (and its sandbox) as
servers. The WB sandbox mounts this blueprint under ``/content-api``, so
``/sandbox/wb/content-api/content/v2/get/cards/list`` is the Content API and the same path
under ``/sandbox/wb`` (the Marketplace API's host) is 404, as WB answers: a client asking
the wrong host fails here as it would in production. The token, faults and reset are the
WB sandbox's own (its hooks apply to this nested blueprint).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from warehouse.marketplaces.sandbox import wb_requests, wb_state

bp = Blueprint("content", __name__)


@bp.post("/content/v2/get/cards/list")
def cards_list() -> Response:
    """``{settings: {cursor: {limit, nmID?}}}`` → ``{cards, cursor}``, ordered by nmID."""
    cursor = (wb_requests.body().get("settings") or {}).get("cursor") or {}
    limit = int(cursor.get("limit") or 100)
    return jsonify(wb_state.cards_page(limit, cursor.get("nmID")))
