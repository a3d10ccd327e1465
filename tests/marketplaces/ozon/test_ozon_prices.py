"""Ozon prices and the archive: the connector against the sandbox, and the sandbox itself.

Raw payloads follow Ozon's Seller API swagger (import/prices, v5 info/prices, archive).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from warehouse.marketplaces import ozon_prices
from warehouse.marketplaces.base import (
    MarketPrice,
    PriceItem,
    PriceOutcome,
    RejectedError,
    TransientError,
)
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.sandbox.ozon_state import ITEMS, Item

if TYPE_CHECKING:
    from conftest import OzonSandbox

SHIRT, MUG, SOCKS = ITEMS[0], ITEMS[2], ITEMS[3]


def item(product: Item, price: int, old_price: int | None = None, **kw: int) -> PriceItem:
    return PriceItem(product.product.article, str(product.product_id), price, old_price, **kw)


def test_a_push_lands_and_reads_back(ozon_sandbox: OzonSandbox, ozon_client: OzonClient) -> None:
    items = [item(SHIRT, 89_000, 99_000), item(MUG, 45_050, min_price=40_000)]
    upload = ozon_client.push_prices(items)
    assert upload.outcomes == tuple(PriceOutcome(i.sku, True) for i in items)
    assert upload.task_ids == ()
    assert ozon_client.read_prices([*items, PriceItem("NOPE", "", 100)]) == {
        items[0].sku: MarketPrice(items[0].sku, 89_000, 99_000),
        items[1].sku: MarketPrice(items[1].sku, 45_050, None),
    }
    book = ozon_sandbox.control("GET", "prices").json()["prices"]
    [sent] = book[MUG.product.article]["history"]
    assert sent["sent"] == {
        "price": "450.50",
        "old_price": "0",
        "min_price": "400.00",
        "currency_code": "RUB",
    }
    assert book[MUG.product.article]["min_price"] == 400


def test_refused_products_come_back_as_errors_while_the_others_pass(
    ozon_client: OzonClient,
) -> None:
    items = [
        item(SOCKS, 39_000, 40_000),  # 10 ₽ off under 400 ₽: too small a gap
        item(MUG, 44_000),
        PriceItem("NOPE", "", 10_000),
        item(SHIRT, 5_000, 99_000),  # 95 % off
    ]
    socks, mug, nope, shirt = ozon_client.push_prices(items).outcomes
    assert not socks.ok and socks.error.startswith("discount_for_low_price_is_too_small: ")
    assert mug == PriceOutcome(MUG.product.article, True)
    assert not nope.ok and nope.error.startswith("NOT_FOUND_ERROR: ")
    assert not shirt.ok and shirt.error.startswith("discount_too_big: ")
    found = ozon_client.read_prices(items)
    assert found[SOCKS.product.article].price == SOCKS.product.price_kopecks  # unchanged


def test_a_price_changes_at_most_ten_times_an_hour(ozon_client: OzonClient) -> None:
    for rouble in range(10):
        [outcome] = ozon_client.push_prices([item(MUG, 44_000 + rouble * 100)]).outcomes
        assert outcome.ok
    [eleventh] = ozon_client.push_prices([item(MUG, 43_000)]).outcomes
    assert not eleventh.ok and eleventh.error.startswith("TOO_MANY_REQUESTS: ")
    assert ozon_client.read_prices([item(MUG, 1)])[MUG.product.article].price == 44_900


def test_faults_are_transient_and_a_repeat_lands_once(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [item(SHIRT, 95_000), item(MUG, 44_000)]
    ozon_sandbox.faults("429", retry_after=2)
    with pytest.raises(TransientError) as caught:
        ozon_client.push_prices(items)
    assert caught.value.retry_after == 2.0
    monkeypatch.setattr(ozon_prices, "PRICE_BATCH", 1)
    ozon_sandbox.faults("timeout", "500")  # the first call is slow but lands, the second fails
    with pytest.raises(TransientError):
        ozon_client.push_prices(items)
    assert all(outcome.ok for outcome in ozon_client.push_prices(items).outcomes)
    book = ozon_sandbox.control("GET", "prices").json()["prices"]
    assert len(book[SHIRT.product.article]["history"]) == 2  # the slow call and the repeat
    assert len(book[MUG.product.article]["history"]) == 1
    assert book[MUG.product.article]["price"] == 440


def test_archive_and_unarchive_round_trip(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    cards = [item(SHIRT, 1), item(MUG, 1)]
    ozon_client.hide_cards(cards)
    archived = ozon_sandbox.control("GET", "prices").json()["archived"]
    assert archived == [
        {"offer_id": SHIRT.product.article, "product_id": SHIRT.product_id},
        {"offer_id": MUG.product.article, "product_id": MUG.product_id},
    ]
    body = {"filter": {"visibility": "ARCHIVED"}, "limit": 100, "cursor": ""}
    listed = ozon_sandbox.call("/v5/product/info/prices", body).json()
    assert [i["offer_id"] for i in listed["items"]] == [SHIRT.product.article, MUG.product.article]
    ozon_client.show_cards(cards[:1])
    archived = ozon_sandbox.control("GET", "prices").json()["archived"]
    assert [entry["offer_id"] for entry in archived] == [MUG.product.article]
    with pytest.raises(RejectedError, match="no Ozon product_id"):
        ozon_client.hide_cards([PriceItem("X", "", 1)])
    with pytest.raises(RejectedError):
        ozon_client.hide_cards([PriceItem("X", "999", 1)])  # Ozon does not know it
    assert OzonClient.READS_PRICES and OzonClient.HIDES_BY_CALL


# --- the sandbox as Ozon documents it ---------------------------------------------------------


def test_import_prices_as_the_reference_shows(ozon_sandbox: OzonSandbox) -> None:
    example = {
        "auto_action_enabled": "UNKNOWN",
        "auto_add_to_ozon_actions_list_enabled": "UNKNOWN",
        "currency_code": "RUB",
        "min_price": "800",
        "min_price_for_auto_actions_enabled": True,
        "net_price": "650",
        "offer_id": "",
        "old_price": "0",
        "price": "1448",
        "price_strategy_enabled": "UNKNOWN",
        "product_id": SHIRT.product_id,
        "quant_size": 1,
        "vat": "0.1",
    }
    answer = ozon_sandbox.call("/v1/product/import/prices", {"prices": [example]})
    assert answer.status_code == 200
    assert answer.json() == {
        "result": [
            {
                "product_id": SHIRT.product_id,
                "offer_id": SHIRT.product.article,
                "updated": True,
                "errors": [],
            }
        ]
    }
    enabled = {**example, "auto_action_enabled": "ENABLED", "min_price": "0"}
    [refused] = ozon_sandbox.call("/v1/product/import/prices", {"prices": [enabled]}).json()[
        "result"
    ]
    assert refused["errors"][0]["code"] == "action_price_enabled_min_price_missing"
    for bad in ({**example, "price": "14.485"}, {**example, "price": 1448}):
        refused = ozon_sandbox.call("/v1/product/import/prices", {"prices": [bad]})
        assert refused.status_code == 400 and set(refused.json()) == {"code", "message", "details"}
    negative = {**example, "price": "-5"}
    [result] = ozon_sandbox.call("/v1/product/import/prices", {"prices": [negative]}).json()[
        "result"
    ]
    assert result["errors"][0]["code"] == "price_negative"


def test_info_prices_pages_by_cursor(ozon_sandbox: OzonSandbox) -> None:
    body = {"filter": {"visibility": "ALL"}, "limit": 2, "cursor": ""}
    seen: list[str] = []
    while True:
        page = ozon_sandbox.call("/v5/product/info/prices", body).json()
        seen += [entry["offer_id"] for entry in page["items"]]
        assert page["total"] == len(ITEMS)
        if not page["cursor"]:
            break
        body["cursor"] = page["cursor"]
    assert seen == [entry.product.article for entry in ITEMS]
    [shirt] = ozon_sandbox.call(
        "/v5/product/info/prices",
        {"filter": {"product_id": [str(SHIRT.product_id)]}, "limit": 10},
    ).json()["items"]
    assert shirt["price"]["price"] == SHIRT.product.price_kopecks / 100
    assert shirt["price"]["old_price"] == 0
    unarchived = ozon_sandbox.call("/v1/product/unarchive", {"product_id": [str(MUG.product_id)]})
    assert unarchived.json() == {"result": True}
