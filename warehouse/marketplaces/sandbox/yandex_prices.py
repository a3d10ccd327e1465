"""The Yandex Market sandbox's prices and hidden offers, added to its blueprint.

Shaped from yandex-market/yandex-market-partner-api ``openapi/`` (2026-07):

- ``POST /v2/businesses/{businessId}/offer-prices/updates`` (``updateBusinessPrices``):
  1..500 offers with unique ``offerId`` (ShopSku: 1..255 characters, trimmed, no control
  characters), ``price.value`` > 0, ``currencyId`` (the cabinet's: RUR), ``discountBase``
  a whole number with a discount of 5 to 99 %, ``minimumForBestseller`` in (0, 10⁸].
  Anything else refuses the whole call: 400 ``BAD_REQUEST`` (UNCONFIRMED: YM's own codes
  for price errors are not in the reference). Past 10,000 offers a minute
  (``x-resource-limit-config``, counted in offers; ``SANDBOX_YANDEX_PRICE_OFFERS_PER_MINUTE``
  lowers it for tests) the call is 420. Offers not in the catalogue are taken and ignored
  (UNCONFIRMED). 200 ``{"status": "OK"}``.
- ``POST /v2/businesses/{businessId}/offer-prices`` (``getDefaultPrices``): ``offerIds``
  (≤200) or every offer, ``limit`` (cut to 500) and ``page_token`` / ``pageToken``.
- ``POST /v2/campaigns/{campaignId}/hidden-offers`` (1..500 unique ``{offerId}``),
  ``…/hidden-offers/delete``, ``GET …/hidden-offers`` (``offer_id``, paging). Offers not in
  the catalogue are not kept (UNCONFIRMED).

``GET /_control/prices`` → ``{prices: {offerId: {value, currencyId, discountBase?,
updatedAt, history: [{price, known, at}]}}, hidden: [offerId]}``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.sandbox import common, yandex_requests, yandex_state
from warehouse.marketplaces.sandbox.common import ID
from warehouse.marketplaces.sandbox.yandex_db import BOOK, HIDDEN, SandboxError

OFFERS_PER_MINUTE = 10_000
MINUTE = 60.0
MAX_UPDATES, MAX_READ_IDS, MAX_HIDDEN = 500, 200, 500
READ_LIMIT = 500
MAX_BESTSELLER = 100_000_000
CURRENCY = "RUR"
SHOP_SKU = re.compile(r"^(?=.*\S.*)[^\x00-\x08\x0A-\x1f\x7f]{1,255}$")
CATALOGUE_DATE = "2026-01-01T00:00:00+03:00"  # when the demo prices were set
_KNOWN = frozenset(product.article for product in PRODUCTS)

TooMany = Callable[[float, str], Response]  # (retry_after, message) → YM's 420


def install(bp: Blueprint, too_many: TooMany) -> None:
    """Add the price and hidden-offer endpoints to the YM sandbox blueprint."""
    business = f"/v2/businesses/<{ID}:business_id>"
    hidden = f"/v2/campaigns/<{ID}:campaign_id>/hidden-offers"

    def updates(business_id: int) -> Response:
        offers = _updates(yandex_requests.body())
        now = time.time()
        limit = int(
            current_app.config.get("SANDBOX_YANDEX_PRICE_OFFERS_PER_MINUTE") or OFFERS_PER_MINUTE
        )
        with common.begin() as conn:
            if BOOK.count_since(conn, now - MINUTE) + len(offers) > limit:
                message = f"Hit rate limit of {limit} offers per 1 minutes for resource 177"
                return too_many(MINUTE, message)
            for offer in offers:
                _set_price(conn, offer, now)
        return jsonify({"status": "OK"})

    bp.add_url_rule(
        f"{business}/offer-prices/updates", "offer_prices_updates", updates, methods=["POST"]
    )
    bp.add_url_rule(f"{business}/offer-prices", view_func=offer_prices, methods=["POST"])
    bp.add_url_rule(hidden, view_func=hide, methods=["POST"])
    bp.add_url_rule(hidden, view_func=hidden_list, methods=["GET"])
    bp.add_url_rule(f"{hidden}/delete", view_func=show, methods=["POST"])
    bp.add_url_rule("/_control/prices", view_func=control_prices, methods=["GET"])


def offer_prices(business_id: int) -> Response:
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise SandboxError(400, "BAD_REQUEST", "JSON: the body must be a JSON object")
    wanted = data.get("offerIds")
    if wanted is not None:
        wanted = _unique_skus(wanted, MAX_READ_IDS, "offerIds")
    limit, start = yandex_requests.limit(READ_LIMIT), yandex_requests.page_after()
    with common.begin() as conn:
        found = [
            {"offerId": product.article, "price": current(conn, product.article)}
            for product in PRODUCTS
            if wanted is None or product.article in wanted
        ]
    result: dict[str, Any] = {"offers": found[start : start + limit]}
    if start + limit < len(found):
        result["paging"] = {"nextPageToken": yandex_requests.page_token(start + limit)}
    return jsonify({"status": "OK", "result": result})


def hide(campaign_id: int) -> Response:
    offers = _hidden_offers(yandex_requests.body(), unique=True)
    with common.begin() as conn:
        HIDDEN.hide(conn, [offer for offer in offers if offer in _KNOWN], time.time())
    return jsonify({"status": "OK"})


def show(campaign_id: int) -> Response:
    offers = _hidden_offers(yandex_requests.body(), unique=False)
    with common.begin() as conn:
        HIDDEN.show(conn, offers)
    return jsonify({"status": "OK"})


def hidden_list(campaign_id: int) -> Response:
    asked = [value.strip() for value in request.args.getlist("offer_id")]
    limit, start = yandex_requests.limit(READ_LIMIT), yandex_requests.page_after()
    with common.begin() as conn:
        found = [key for key in HIDDEN.keys(conn) if not asked or key in asked]
    result: dict[str, Any] = {
        "hiddenOffers": [{"offerId": o} for o in found[start : start + limit]]
    }
    if start + limit < len(found):
        result["paging"] = {"nextPageToken": yandex_requests.page_token(start + limit)}
    return jsonify({"status": "OK", "result": result})


def control_prices() -> Response:
    with common.begin() as conn:
        return jsonify({"prices": BOOK.dump(conn), "hidden": HIDDEN.keys(conn)})


# --- the price book ----------------------------------------------------------------------------


def current(conn: Connection, offer_id: str) -> dict[str, Any]:
    """``OfferDefaultPriceDTO`` of the offer now: as last set, else the catalogue's."""
    held = BOOK.current(conn, offer_id)
    if held is not None:
        return held
    product = yandex_state.product_by_offer(offer_id)
    value = product.price_kopecks / 100
    return {"value": _number(value), "currencyId": CURRENCY, "updatedAt": CATALOGUE_DATE}


def _set_price(conn: Connection, offer: dict[str, Any], now: float) -> None:
    key, price = offer["offerId"], offer["price"]
    known = key in _KNOWN
    BOOK.record(conn, key, {"price": price, "known": known}, now)
    if known:
        stamp = datetime.fromtimestamp(now, yandex_state.MSK).isoformat(timespec="seconds")
        BOOK.set(conn, key, {**price, "updatedAt": stamp}, now)


# --- reading requests ---------------------------------------------------------------------------


def _updates(data: dict[str, Any]) -> list[dict[str, Any]]:
    offers = data.get("offers")
    if not isinstance(offers, list) or not 1 <= len(offers) <= MAX_UPDATES:
        raise SandboxError(400, "BAD_REQUEST", f"offers: 1 to {MAX_UPDATES} offers")
    checked = [_update(offer) for offer in offers]
    if len({offer["offerId"] for offer in checked}) < len(checked):
        raise SandboxError(400, "BAD_REQUEST", "offers: every offerId must be unique")
    return checked


def _update(offer: Any) -> dict[str, Any]:
    if not isinstance(offer, dict) or not isinstance(offer.get("price"), dict):
        raise SandboxError(400, "BAD_REQUEST", "each offer is {offerId, price}")
    sku, price = _sku(offer.get("offerId")), offer["price"]
    value = price.get("value")
    if not _positive(value):
        raise SandboxError(400, "BAD_REQUEST", f"{sku}: price.value must be above 0")
    if price.get("currencyId") != CURRENCY:
        raise SandboxError(400, "BAD_REQUEST", f"{sku}: currencyId must be {CURRENCY}")
    kept: dict[str, Any] = {"value": value, "currencyId": CURRENCY}
    base = price.get("discountBase")
    if base is not None:
        if not _positive(base) or not float(base).is_integer():
            raise SandboxError(400, "BAD_REQUEST", f"{sku}: discountBase must be a whole number")
        if not 5 <= (base - value) * 100 / base <= 99:
            raise SandboxError(400, "BAD_REQUEST", f"{sku}: the discount must be 5 to 99 %")
        kept["discountBase"] = int(base)
    bestseller = price.get("minimumForBestseller")
    if bestseller is not None:
        if not _positive(bestseller) or bestseller > MAX_BESTSELLER:
            raise SandboxError(400, "BAD_REQUEST", f"{sku}: minimumForBestseller out of range")
        kept["minimumForBestseller"] = bestseller
    return {"offerId": sku, "price": kept}


def _hidden_offers(data: dict[str, Any], *, unique: bool) -> list[str]:
    entries = data.get("hiddenOffers")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_HIDDEN:
        raise SandboxError(400, "BAD_REQUEST", f"hiddenOffers: 1 to {MAX_HIDDEN} offers")
    offers = [_sku(entry.get("offerId") if isinstance(entry, dict) else None) for entry in entries]
    if unique and len(set(offers)) < len(offers):
        raise SandboxError(400, "BAD_REQUEST", "hiddenOffers: every offerId must be unique")
    return offers


def _unique_skus(values: Any, most: int, name: str) -> set[str]:
    if not isinstance(values, list) or not 1 <= len(values) <= most:
        raise SandboxError(400, "BAD_REQUEST", f"{name}: 1 to {most} SKUs")
    skus = [_sku(value) for value in values]
    if len(set(skus)) < len(skus):
        raise SandboxError(400, "BAD_REQUEST", f"{name}: SKUs must be unique")
    return set(skus)


def _sku(value: Any) -> str:
    """A ShopSku, trimmed as YM trims it."""
    if not isinstance(value, str) or not SHOP_SKU.match(value.strip()):
        raise SandboxError(400, "BAD_REQUEST", f"offerId: invalid SKU {value!r}")
    return value.strip()


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)
