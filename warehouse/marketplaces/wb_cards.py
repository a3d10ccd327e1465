"""Wildberries card creation (the Content API host): upload new cards, read their errors.

Shapes from WB's products OpenAPI (``02-products.yaml``, eslazarev/wildberries-sdk
``specs/``, 2025-12). ``POST /content/v2/cards/upload`` takes a top-level array of merged
cards ``{subjectID, variants}`` (≤100 a call); WB makes them in the background (up to
30 minutes), so a 200 does not mean a card was made: the cards it could not make are
listed by ``POST /content/v2/cards/error/list`` (paged by cursor, 100 batches a page), each
batch ``errors`` keyed by vendorCode. A 400 (a vendorCode used by other cards, an unknown
category, a malformed request) refuses the whole call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from warehouse.marketplaces import money
from warehouse.marketplaces.base import NewCard, RejectedError
from warehouse.marketplaces.http import batches
from warehouse.marketplaces.wb_prices import WbCalls

logger = logging.getLogger(__name__)

CARDS_BATCH = 100  # merged cards a request
ERRORS_PAGE = 100  # error/list: at most 100 batches a page


class CardCalls(WbCalls):
    """The card calls of ``WildberriesClient`` (mixed in; it provides ``_send``)."""

    _content_url: str

    def create_cards(self, cards: Sequence[NewCard]) -> None:
        """One WB card per NewCard, 100 a call; RejectedError with WB's text if WB refuses.

        A price that is not whole roubles is refused here, before anything is sent.
        """
        body = [_upload_card(card) for card in cards]
        for batch in batches(body, CARDS_BATCH):
            self._send("POST", "/content/v2/cards/upload", json=list(batch), base=self._content_url)
        logger.info("wb cards uploaded cards=%s", len(body))

    def card_errors(self, vendor_codes: Sequence[str]) -> dict[str, list[str]]:
        """vendorCode → WB's texts of why it could not make the card, for the codes asked;
        a code without errors is absent."""
        wanted = set(vendor_codes)
        found: dict[str, list[str]] = {}
        cursor: dict[str, Any] = {"limit": ERRORS_PAGE}
        while True:
            body = {"cursor": cursor, "order": {"ascending": True}}
            answer = self._send(
                "POST", "/content/v2/cards/error/list", json=body, base=self._content_url
            )
            data = answer.object().get("data") or {}
            for batch in data.get("items") or ():
                for code, texts in (batch.get("errors") or {}).items():
                    if code in wanted:
                        known = found.setdefault(code, [])
                        known += [str(text) for text in texts or () if str(text) not in known]
            page = data.get("cursor") or {}
            if not page.get("next") or not data.get("items"):
                return found
            cursor = {
                "limit": ERRORS_PAGE,
                "updatedAt": page.get("updatedAt"),
                "batchUUID": page.get("batchUUID"),
            }


def _upload_card(card: NewCard) -> dict[str, Any]:
    """A merged card of one variant, as ``cards/upload`` takes it."""
    roubles = money.whole_roubles(card.price)
    if roubles is None:
        raise RejectedError(
            f"card {card.vendor_code}: {money.roubles_text(card.price)} ₽ is not whole roubles",
            code="price",
        )
    variant = {
        "vendorCode": card.vendor_code,
        "title": card.title,
        "description": card.description,
        "brand": card.brand,
        "dimensions": {
            "length": card.length_cm,
            "width": card.width_cm,
            "height": card.height_cm,
            "weightBrutto": round(card.weight_kg, 3),
        },
        "sizes": [{"techSize": "", "wbSize": "", "price": roubles, "skus": list(card.barcodes)}],
        "characteristics": [],
    }
    return {"subjectID": card.subject_id, "variants": [variant]}
