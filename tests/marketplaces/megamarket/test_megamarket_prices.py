"""Megamarket prices: the connector against the sandbox, and ``manualPrice/save`` as the
partner wiki («Обновление цен по API») shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces import megamarket
from warehouse.marketplaces.base import AuthError, PriceItem, PriceOutcome, TransientError
from warehouse.marketplaces.megamarket import MegamarketClient

if TYPE_CHECKING:
    from conftest import MmSandbox

SHIRT, MUG, SOCKS = PRODUCTS[0], PRODUCTS[2], PRODUCTS[3]
SAVE = "offerService/manualPrice/save"


def item(sku: str, price: int, old_price: int | None = None) -> PriceItem:
    return PriceItem(sku, "", price, old_price)


def prices(sandbox: MmSandbox) -> dict:
    return sandbox.control("GET", "prices").json()["prices"]


def test_a_push_lands_in_whole_roubles(mm_sandbox: MmSandbox, mm_client: MegamarketClient) -> None:
    items = [
        item(SHIRT.article, 109_000, 120_000),
        item(MUG.article, 45_050),
        item(SOCKS.article, 0),
    ]
    outcomes = {o.sku: o for o in mm_client.push_prices(items).outcomes}
    assert outcomes[SHIRT.article] == PriceOutcome(SHIRT.article, True)
    assert not outcomes[MUG.article].ok and "whole roubles" in outcomes[MUG.article].error
    assert not outcomes[SOCKS.article].ok
    book = prices(mm_sandbox)
    assert set(book) == {SHIRT.article}  # the others were not sent
    assert book[SHIRT.article]["price"] == 1090 and book[SHIRT.article]["isDeleted"] is False
    assert not MegamarketClient.READS_PRICES and not MegamarketClient.HIDES_BY_CALL
    assert not hasattr(mm_client, "read_prices") and not hasattr(mm_client, "hide_cards")


def test_a_refused_call_fails_its_offers_and_the_next_call_still_goes(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(megamarket, "PRICE_BATCH", 1)
    empty, mug = mm_client.push_prices([item("", 10_000), item(MUG.article, 46_000)]).outcomes
    assert not empty.ok and "offerId" in empty.error
    assert mug == PriceOutcome(MUG.article, True)
    assert prices(mm_sandbox)[MUG.article]["price"] == 460


def test_faults_are_transient_and_a_repeat_lands(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [item(SHIRT.article, 95_000), item(MUG.article, 44_000)]
    mm_sandbox.faults("429", retry_after=2)
    with pytest.raises(TransientError) as caught:
        mm_client.push_prices(items)
    assert caught.value.retry_after == 2.0
    monkeypatch.setattr(megamarket, "PRICE_BATCH", 1)
    mm_sandbox.faults("timeout", "500")  # the first call is slow but lands, the second fails
    with pytest.raises(TransientError):
        mm_client.push_prices(items)
    assert all(outcome.ok for outcome in mm_client.push_prices(items).outcomes)
    book = prices(mm_sandbox)
    assert len(book[SHIRT.article]["history"]) == 2 and len(book[MUG.article]["history"]) == 1
    assert (book[SHIRT.article]["price"], book[MUG.article]["price"]) == (950, 440)


def test_a_wrong_token_is_an_auth_error(mm_sandbox: MmSandbox) -> None:
    with (
        MegamarketClient(mm_sandbox.base_url, "wrong", timeout=2.0) as client,
        pytest.raises(AuthError),
    ):
        client.push_prices([item(SHIRT.article, 95_000)])


def test_manual_price_save_as_the_wiki_shows(mm_sandbox: MmSandbox) -> None:
    example = {"offerId": "1789087", "price": 1090, "isDeleted": False}
    answer = mm_sandbox.call(SAVE, {"prices": [example]})
    assert answer.status_code == 200
    assert answer.json() == {"success": 1, "meta": {}, "data": {}}
    assert prices(mm_sandbox)["1789087"]["history"][0]["price"] == 1090  # not ours: log only
    mm_sandbox.call(SAVE, {"prices": [{**example, "offerId": MUG.article, "price": 500}]})
    back = {**example, "offerId": MUG.article, "isDeleted": True}
    assert mm_sandbox.call(SAVE, {"prices": [back]}).json()["success"] == 1
    assert prices(mm_sandbox)[MUG.article]["price"] == MUG.price_kopecks // 100  # the feed's
    for bad in ({**example, "price": 10.5}, {**example, "offerId": 1789087}):
        refused = mm_sandbox.call(SAVE, {"prices": [bad]}).json()
        assert refused["success"] == 0 and refused["error"][0]["code"]
    assert mm_sandbox.call(SAVE, {"prices": [example] * 301}).json()["success"] == 0
