"""Yandex Market prices and hidden offers: the connector against the sandbox, and the
sandbox itself (payloads from the partner API's openapi: updateBusinessPrices,
getDefaultPrices, addHiddenOffers / deleteHiddenOffers / getHiddenOffers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces import yandex_prices
from warehouse.marketplaces.base import MarketPrice, PriceItem, PriceOutcome, TransientError
from warehouse.marketplaces.yandex import YandexClient

if TYPE_CHECKING:
    from conftest import YmSandbox

SHIRT, MUG, SOCKS = PRODUCTS[0].article, PRODUCTS[2].article, PRODUCTS[3].article
UPDATES = "/v2/businesses/1/offer-prices/updates"


def item(sku: str, price: int, old_price: int | None = None) -> PriceItem:
    return PriceItem(sku, "", price, old_price)


def test_a_push_lands_and_reads_back(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    items = [item(SHIRT, 89_000, 99_000), item(MUG, 45_050)]
    upload = ym_client.push_prices(items)
    assert upload.outcomes == tuple(PriceOutcome(i.sku, True) for i in items)
    assert ym_client.read_prices([*items, item("NOPE", 100)]) == {
        SHIRT: MarketPrice(SHIRT, 89_000, 99_000),
        MUG: MarketPrice(MUG, 45_050, None),
    }
    book = ym_sandbox.control("GET", "prices").json()["prices"]
    assert [entry["price"] for entry in book[SHIRT]["history"]] == [
        {"value": 890, "currencyId": "RUR", "discountBase": 990}
    ]
    assert book[MUG]["value"] == 450.5


def test_a_refused_call_fails_its_offers_and_the_next_call_still_goes(
    ym_client: YandexClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yandex_prices, "PRICE_BATCH", 2)
    items = [
        item(SHIRT, 98_000, 99_000),  # a 1 % discount: YM takes 5 to 99 %
        item(MUG, 44_000),
        item(SOCKS, 38_000),
        item("TSH-WHT-L", 90_000, 99_950),  # a crossed-out price with kopecks: not sent
    ]
    outcomes = {outcome.sku: outcome for outcome in ym_client.push_prices(items).outcomes}
    shirt, mug, socks, odd = (outcomes[i.sku] for i in items)
    assert not odd.ok and "whole" in odd.error
    assert not shirt.ok and "discount must be 5 to 99" in shirt.error
    assert mug == PriceOutcome(MUG, False, shirt.error)
    assert socks == PriceOutcome(SOCKS, True)
    found = ym_client.read_prices(items)
    assert found[MUG].price == PRODUCTS[2].price_kopecks and found[SOCKS].price == 38_000


def test_the_offers_a_minute_limit_is_transient(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    ym_sandbox.app.config["SANDBOX_YANDEX_PRICE_OFFERS_PER_MINUTE"] = 3
    ym_client.push_prices([item(SHIRT, 95_000), item(MUG, 44_000)])
    with pytest.raises(TransientError) as caught:
        ym_client.push_prices([item(SOCKS, 38_000), item(MUG, 43_000)])
    assert caught.value.retry_after is not None and 55 <= caught.value.retry_after <= 61
    assert ym_client.read_prices([item(MUG, 1)])[MUG].price == 44_000


def test_faults_are_transient_and_a_repeat_lands(
    ym_sandbox: YmSandbox, ym_client: YandexClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [item(SHIRT, 95_000), item(MUG, 44_000)]
    ym_sandbox.faults("429", retry_after=2)
    with pytest.raises(TransientError) as caught:
        ym_client.push_prices(items)
    assert caught.value.retry_after is not None and caught.value.retry_after <= 3
    monkeypatch.setattr(yandex_prices, "PRICE_BATCH", 1)
    ym_sandbox.faults("timeout", "500")  # the first call is slow but lands, the second fails
    with pytest.raises(TransientError):
        ym_client.push_prices(items)
    assert all(outcome.ok for outcome in ym_client.push_prices(items).outcomes)
    book = ym_sandbox.control("GET", "prices").json()["prices"]
    assert len(book[SHIRT]["history"]) == 2 and len(book[MUG]["history"]) == 1
    assert (book[SHIRT]["value"], book[MUG]["value"]) == (950, 440)


def test_hide_and_show_round_trip(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    ym_client.hide_cards([item(SHIRT, 1), item(MUG, 1), item(SHIRT, 1)])
    listed = ym_sandbox.call("GET", "/v2/campaigns/1/hidden-offers").json()
    assert listed["result"]["hiddenOffers"] == [{"offerId": MUG}, {"offerId": SHIRT}]
    ym_client.show_cards([item(SHIRT, 1)])
    assert ym_sandbox.control("GET", "prices").json()["hidden"] == [MUG]
    one = ym_sandbox.call("GET", "/v2/campaigns/1/hidden-offers", params={"offer_id": SHIRT})
    assert one.json()["result"]["hiddenOffers"] == []
    assert YandexClient.READS_PRICES and YandexClient.HIDES_BY_CALL


# --- the sandbox as the reference shapes it ----------------------------------------------------


def refused(sandbox: YmSandbox, offers: Any) -> dict[str, Any]:
    answer = sandbox.call("POST", UPDATES, json={"offers": offers})
    assert answer.status_code == 400
    assert answer.json()["status"] == "ERROR"
    return answer.json()["errors"][0]


def test_updates_are_checked_as_the_reference_says(ym_sandbox: YmSandbox) -> None:
    example = {
        "offerId": "string",
        "price": {"value": 0, "currencyId": "RUR", "discountBase": 0, "minimumForBestseller": 0},
    }
    refused(ym_sandbox, [example])
    good = {"offerId": SHIRT, "price": {"value": 990, "currencyId": "RUR"}}
    assert "unique" in refused(ym_sandbox, [good, {**good, "offerId": f" {SHIRT} "}])["message"]
    refused(ym_sandbox, [])
    refused(ym_sandbox, [{**good, "offerId": f"A{n}"} for n in range(501)])
    refused(ym_sandbox, [{**good, "price": {"value": 990, "currencyId": "USD"}}])
    refused(
        ym_sandbox, [{**good, "price": {"value": 900, "currencyId": "RUR", "discountBase": 999.5}}]
    )
    refused(ym_sandbox, [{**good, "offerId": "bad\x01sku"}])
    ok = ym_sandbox.call("POST", UPDATES, json={"offers": [good, {**good, "offerId": "NOT-OURS"}]})
    assert ok.status_code == 200 and ok.json() == {"status": "OK"}


def test_offer_prices_page_and_filter(ym_sandbox: YmSandbox) -> None:
    path = "/v2/businesses/1/offer-prices"
    first = ym_sandbox.call("POST", path, params={"limit": 2}, json={}).json()["result"]
    assert [o["offerId"] for o in first["offers"]] == [p.article for p in PRODUCTS[:2]]
    token = first["paging"]["nextPageToken"]
    rest = ym_sandbox.call("POST", path, params={"limit": 10, "pageToken": token}).json()
    assert [o["offerId"] for o in rest["result"]["offers"]] == [p.article for p in PRODUCTS[2:]]
    assert "nextPageToken" not in rest["result"].get("paging", {})
    [mug] = ym_sandbox.call("POST", path, json={"offerIds": [MUG]}).json()["result"]["offers"]
    assert mug["price"]["value"] == PRODUCTS[2].price_kopecks / 100
    assert mug["price"]["currencyId"] == "RUR" and "discountBase" not in mug["price"]
    assert ym_sandbox.call("POST", path, json={"offerIds": [MUG, MUG]}).status_code == 400
    other = ym_sandbox.call("POST", "/v2/businesses/2/offer-prices", json={})
    assert other.status_code == 403
