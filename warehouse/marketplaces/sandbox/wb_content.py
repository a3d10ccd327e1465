"""The WB Content API's host (content-api.wildberries.ru), nested in the WB sandbox.

WB serves product cards on their own host, not on marketplace-api: the card list of WB's
work-with-products OpenAPI lists only ``content-api.wildberries.ru`` (and its sandbox) as
servers. ``install`` puts these routes on the WB sandbox's blueprint under ``PREFIX``, so
``/sandbox/wb/content-api/content/v2/get/cards/list`` is the Content API and the same path
under ``/sandbox/wb`` (the Marketplace API's host) is 404, as WB answers: a client asking
the wrong host fails here as it would in production. The token, faults and reset are the
WB sandbox's own.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from warehouse.marketplaces.sandbox import wb_requests, wb_state

PREFIX = "/content-api"  # the host content-api.wildberries.ru


def install(bp: Blueprint) -> None:
    """The Content API's routes on the WB sandbox's blueprint, under its host's prefix."""
    bp.add_url_rule(f"{PREFIX}/content/v2/get/cards/list", view_func=cards_list, methods=["POST"])


def cards_list() -> Response:
    """``{settings: {cursor: {limit, nmID?}}}`` → ``{cards, cursor}``, ordered by nmID."""
    cursor = (wb_requests.body().get("settings") or {}).get("cursor") or {}
    limit = int(cursor.get("limit") or 100)
    return jsonify(wb_state.cards_page(limit, cursor.get("nmID")))
