"""WB prices and card creation: the connector and the sandbox's prices and Content hosts.

Raw payloads are shaped from WB's products OpenAPI (02-products.yaml); the connector runs
against the real sandbox server.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces import wb_prices
from warehouse.marketplaces.base import (
    AuthError,
    MarketPrice,
    NewCard,
    PriceItem,
    PriceOutcome,
    RejectedError,
    TransientError,
)
from warehouse.marketplaces.connectors import wb_prices_url
from warehouse.marketplaces.wildberries import WildberriesClient

if TYPE_CHECKING:
    from conftest import WbSandbox

AUTH = {"Authorization": "sandbox"}
SHIRT, MUG, SOCKS = PRODUCTS[0], PRODUCTS[2], PRODUCTS[3]
PROCESSING_SECONDS = 0.3
QUARANTINE_TEXT = (
    "The new price is several times lower than the current price. "
    "Item has been moved to Price Quarantine"
)


@pytest.fixture(autouse=True)
def quick_wb(wb_sandbox: WbSandbox) -> None:
    """WB processes uploads and makes cards in a fraction of a second here."""
    wb_sandbox.app.config["SANDBOX_WB_PRICE_TASK_SECONDS"] = PROCESSING_SECONDS
    wb_sandbox.app.config["SANDBOX_WB_CARD_SECONDS"] = PROCESSING_SECONDS


def item(product: Any, price: int, old_price: int | None = None, sku: str = "") -> PriceItem:
    return PriceItem(sku or str(product.wb_chrt_id), str(product.wb_nm_id), price, old_price)


def prices_call(sandbox: WbSandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    url = f"{sandbox.base_url}/prices-api{path}"
    return sandbox.http.request(method, url, headers=AUTH, **kwargs)


def content_call(sandbox: WbSandbox, path: str, body: Any) -> httpx.Response:
    url = f"{sandbox.base_url}/content-api{path}"
    return sandbox.http.post(url, json=body, headers=AUTH)


def outcomes_when_done(
    client: WildberriesClient, task_id: str, items: list[PriceItem]
) -> tuple[PriceOutcome, ...]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = client.price_task_outcomes(task_id, items)
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"upload {task_id} still processing")


# --- prices through the connector ---------------------------------------------------------


def test_a_push_is_processing_then_done_and_reads_back(wb_client: WildberriesClient) -> None:
    items = [item(SHIRT, 89_100, 99_000), item(MUG, 48_000)]
    upload = wb_client.push_prices(items)
    assert upload.outcomes == () and len(upload.task_ids) == 1
    assert wb_client.price_task_outcomes(upload.task_ids[0], items) is None  # still processing
    done = outcomes_when_done(wb_client, upload.task_ids[0], items)
    assert done == tuple(PriceOutcome(i.sku, True) for i in items)
    assert wb_client.read_prices(items) == {
        items[0].sku: MarketPrice(items[0].sku, 89_100, 99_000),
        items[1].sku: MarketPrice(items[1].sku, 48_000, None),
    }


def test_demo_cards_read_back_at_their_catalogue_price(wb_client: WildberriesClient) -> None:
    items = [item(product, 1) for product in PRODUCTS]
    found = wb_client.read_prices([*items, PriceItem("x", "999999", 100)])
    expected = zip(items, PRODUCTS, strict=True)
    assert found == {i.sku: MarketPrice(i.sku, p.price_kopecks) for i, p in expected}


def test_a_quarantined_price_is_an_error_while_the_others_pass(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    items = [item(SHIRT, 30_000), item(MUG, 40_000)]  # 990 → 300 ₽: more than 3× lower
    [task_id] = wb_client.push_prices(items).task_ids
    shirt, mug = outcomes_when_done(wb_client, task_id, items)
    assert shirt == PriceOutcome(items[0].sku, False, QUARANTINE_TEXT)
    assert mug == PriceOutcome(items[1].sku, True)
    assert wb_client.read_prices(items)[items[0].sku].price == SHIRT.price_kopecks  # kept old
    held = prices_call(wb_sandbox, "GET", "/api/v2/quarantine/goods", params={"limit": 10})
    [goods] = held.json()["data"]["quarantineGoods"]
    assert (goods["nmID"], goods["newPrice"], goods["oldPrice"]) == (SHIRT.wb_nm_id, 300, 990)
    assert goods["priceDiff"] == -690


def test_sizes_share_one_price_and_odd_prices_are_refused_here(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    sizes = [item(SHIRT, 95_000, sku="S"), item(SHIRT, 95_000, sku="M")]
    split = [item(MUG, 46_000, sku="mug-1"), item(MUG, 47_000, sku="mug-2")]
    kopecks = [item(SOCKS, 39_950)]
    upload = wb_client.push_prices([*sizes, *split, *kopecks])
    refused = {outcome.sku: outcome.error for outcome in upload.outcomes}
    assert set(refused) == {"mug-1", "mug-2", kopecks[0].sku}
    assert "different prices" in refused["mug-1"] and "whole roubles" in refused[kopecks[0].sku]
    [task] = wb_sandbox.control("GET", "prices").json()["tasks"]
    assert task["items"] == [{"nmID": SHIRT.wb_nm_id, "price": 950, "discount": 0}]
    done = outcomes_when_done(wb_client, upload.task_ids[0], sizes)
    assert done == (PriceOutcome("S", True), PriceOutcome("M", True))


def test_prices_already_set_are_ok_and_unknown_cards_are_not(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    same = [item(SHIRT, SHIRT.price_kopecks), item(MUG, MUG.price_kopecks)]
    upload = wb_client.push_prices(same)
    assert upload.task_ids == () and all(outcome.ok for outcome in upload.outcomes)
    unknown = PriceItem("ghost", "999999", 50_000)
    refused = wb_client.push_prices([same[0], unknown])
    assert refused.task_ids == ()
    assert [(o.sku, o.ok) for o in refused.outcomes] == [(same[0].sku, True), ("ghost", False)]
    assert "All item Nos. are specified incorrectly" in refused.outcomes[1].error
    assert wb_sandbox.control("GET", "prices").json()["tasks"] == []


def test_an_unknown_card_left_out_of_an_upload_is_an_error(wb_client: WildberriesClient) -> None:
    items = [item(SOCKS, 41_000), PriceItem("ghost", "999999", 50_000)]
    [task_id] = wb_client.push_prices(items).task_ids
    socks, ghost = outcomes_when_done(wb_client, task_id, items)
    assert socks.ok and not ghost.ok and "999999" in ghost.error


def test_the_same_upload_again_is_208_with_the_first_id(wb_client: WildberriesClient) -> None:
    items = [item(MUG, 49_000)]
    first = wb_client.push_prices(items).task_ids
    assert wb_client.push_prices(items).task_ids == first


def test_a_cancelled_upload_fails_every_item(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    items = [item(SHIRT, 95_000, sku="S"), item(SHIRT, 95_000, sku="M")]
    [task_id] = wb_client.push_prices(items).task_ids
    wb_sandbox.control("POST", f"prices/tasks/{task_id}/cancel")
    done = wb_client.price_task_outcomes(task_id, items)
    assert done == tuple(PriceOutcome(s, False, "cancelled by Wildberries") for s in ("S", "M"))


def test_throttling_and_server_errors_are_transient_and_a_repeat_lands_once(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [item(SHIRT, 94_000), item(MUG, 44_000)]
    wb_sandbox.faults("429", retry_after=3)
    with pytest.raises(TransientError) as caught:
        wb_client.push_prices(items)
    assert caught.value.retry_after == 3.0
    monkeypatch.setattr(wb_prices, "PRICE_BATCH", 1)
    wb_sandbox.faults("timeout", "500")  # the first upload is slow but lands, the second fails
    with pytest.raises(TransientError):
        wb_client.push_prices(items)
    upload = wb_client.push_prices(items)  # the whole push again
    assert len(upload.task_ids) == 2
    for task_id in upload.task_ids:
        assert all(o.ok for o in outcomes_when_done(wb_client, task_id, items))
    book = wb_sandbox.control("GET", "prices").json()["prices"]
    assert [h["price"] for h in book[str(SHIRT.wb_nm_id)]["history"]] == [940]
    assert [h["price"] for h in book[str(MUG.wb_nm_id)]["history"]] == [440]


# --- the prices host as WB documents it -------------------------------------------------------


def test_upload_task_refusals_carry_wb_texts(wb_sandbox: WbSandbox) -> None:
    def refused(data: Any) -> str:
        answer = prices_call(wb_sandbox, "POST", "/api/v2/upload/task", json={"data": data})
        assert answer.status_code == 400
        body = answer.json()
        assert body["data"] is None and body["error"] is True
        return body["errorText"]

    nm = SHIRT.wb_nm_id
    assert refused([]) == "Empty data"
    assert refused([{"nmID": nm, "price": 999}, {"nmID": nm, "discount": 5}]) == (
        "Duplicate item Nos."
    )
    assert refused([{"nmID": nm, "price": 999.5}]) == "Price should be a whole number"
    assert refused([{"nmID": nm, "price": -1}]) == "Invalid price value"
    assert refused([{"nmID": nm, "discount": 100}]) == "Invalid discount value"
    assert refused([{"nmID": nm}]) == "Price and discount not specified"
    assert refused([{"nmID": 0, "price": 999}]) == "Invalid item No."
    assert refused([{"nmID": i, "price": 1} for i in range(1, 1002)]).startswith(
        "Upload limit exceeded"
    )
    assert refused("x") == "Invalid data format"


def test_upload_task_as_the_reference_shows(wb_sandbox: WbSandbox) -> None:
    body = {"data": [{"nmID": MUG.wb_nm_id, "price": 999, "discount": 30}]}
    created = prices_call(wb_sandbox, "POST", "/api/v2/upload/task", json=body)
    assert created.status_code == 200
    task = created.json()["data"]
    assert task["alreadyExists"] is False and created.json()["error"] is False
    again = prices_call(wb_sandbox, "POST", "/api/v2/upload/task", json=body)
    assert again.status_code == 208
    assert again.json() == {
        "data": {"id": task["id"], "alreadyExists": True},
        "error": False,
        "errorText": "This task already exists",
    }
    params = {"uploadID": task["id"]}
    assert (
        prices_call(wb_sandbox, "GET", "/api/v2/history/tasks", params=params).json()["data"]
        is None
    )
    time.sleep(PROCESSING_SECONDS + 0.1)
    history = prices_call(wb_sandbox, "GET", "/api/v2/history/tasks", params=params).json()
    assert history["data"]["status"] == 3 and history["data"]["successGoodsNumber"] == 1
    goods = prices_call(
        wb_sandbox, "GET", "/api/v2/history/goods/task", params={**params, "limit": 10}
    ).json()["data"]["historyGoods"]
    assert [(g["nmID"], g["price"], g["discount"], g["status"]) for g in goods] == [
        (MUG.wb_nm_id, 999, 30, 2)
    ]
    listed = prices_call(
        wb_sandbox, "GET", "/api/v2/list/goods/filter", params={"limit": 10, "offset": 0}
    ).json()["data"]["listGoods"]
    mug = next(good for good in listed if good["nmID"] == MUG.wb_nm_id)
    assert mug["discount"] == 30 and mug["sizes"][0]["price"] == 999
    assert mug["sizes"][0]["discountedPrice"] == 699.3
    assert [good["nmID"] for good in listed] == sorted(p.wb_nm_id for p in PRODUCTS)
    bad = prices_call(wb_sandbox, "GET", "/api/v2/list/goods/filter", params={"offset": 0})
    assert bad.status_code == 400 and bad.json()["errorText"] == "Invalid request parameters"


def test_a_wrong_token_on_the_prices_host_is_an_auth_error(wb_sandbox: WbSandbox) -> None:
    prices_url = f"{wb_sandbox.base_url}/prices-api"
    with (
        WildberriesClient(
            wb_sandbox.base_url, "wrong", timeout=2.0, prices_url=prices_url
        ) as client,
        pytest.raises(AuthError),
    ):
        client.push_prices([item(MUG, 44_000)])


def test_the_prices_host_is_not_the_marketplace_host(wb_sandbox: WbSandbox) -> None:
    wrong = wb_sandbox.http.post(
        f"{wb_sandbox.base_url}/api/v2/list/goods/filter", json={"nmList": [1]}, headers=AUTH
    )
    assert wrong.status_code == 404
    refused = wb_sandbox.http.post(
        f"{wb_sandbox.base_url}/prices-api/api/v2/list/goods/filter", json={"nmList": [1]}
    )
    assert refused.status_code == 401 and refused.json()["status"] == 401


# --- card creation ------------------------------------------------------------------------------


def new_card(vendor_code: str, *, subject_id: int = 105, barcode: str = "2000000000015") -> NewCard:
    return NewCard(
        subject_id=subject_id,
        vendor_code=vendor_code,
        title="Футболка синяя, L",
        description="Хлопок",
        brand="Demo",
        barcodes=(barcode,),
        price=120_000,
        length_cm=30,
        width_cm=20,
        height_cm=2,
        weight_kg=0.25,
    )


def test_a_created_card_appears_in_the_card_list_with_its_price(
    wb_client: WildberriesClient,
) -> None:
    wb_client.create_cards([new_card("TSH-BLU-L")])
    assert "TSH-BLU-L" not in {card.article for card in wb_client.product_cards()}
    time.sleep(PROCESSING_SECONDS + 0.1)
    [card] = [card for card in wb_client.product_cards() if card.article == "TSH-BLU-L"]
    assert card.barcodes == ("2000000000015",) and card.name == "Футболка синяя, L"
    assert wb_client.card_errors(["TSH-BLU-L"]) == {}
    priced = PriceItem(card.sku, card.marketplace_id, 1)
    assert wb_client.read_prices([priced]) == {card.sku: MarketPrice(card.sku, 120_000)}


def test_a_vendor_code_of_another_card_is_refused_or_listed_in_errors(
    wb_client: WildberriesClient,
) -> None:
    with pytest.raises(RejectedError, match="vendor code is used in other cards"):
        wb_client.create_cards([new_card(MUG.article)])
    with pytest.raises(RejectedError, match="This category does not exist"):
        wb_client.create_cards([new_card("NEW-1", subject_id=1)])
    wb_client.create_cards([new_card("NEW-2", barcode="2000000000022")])
    wb_client.create_cards([new_card("NEW-2", barcode="2000000000039")])  # both still queued
    time.sleep(PROCESSING_SECONDS + 0.1)
    errors = wb_client.card_errors(["NEW-2", "NEW-3"])
    assert errors == {"NEW-2": ["Артикул продавца используется в другой карточке товара"]}
    made = [card for card in wb_client.product_cards() if card.article == "NEW-2"]
    assert [card.barcodes for card in made] == [("2000000000022",)]


def test_a_price_that_is_not_whole_roubles_sends_no_card(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    card = new_card("ODD")
    with pytest.raises(RejectedError, match="whole roubles"):
        wb_client.create_cards([card, NewCard(**{**card.__dict__, "price": 99_950})])
    assert wb_sandbox.control("GET", "prices").json()["cards"] == []


def test_cards_upload_and_error_list_as_the_reference_shows(wb_sandbox: WbSandbox) -> None:
    one_card = [
        {
            "subjectID": 105,
            "variants": [
                {
                    "vendorCode": "АртикулПродавца",
                    "title": "Наименование товара",
                    "description": "Описание товара",
                    "brand": "Бренд",
                    "dimensions": {"length": 12, "width": 7, "height": 5, "weightBrutto": 1.242},
                    "characteristics": [{"id": 12, "value": ["Turkish flag"]}],
                    "sizes": [
                        {
                            "techSize": "S",
                            "wbSize": "42",
                            "price": 5000,
                            "skus": [SHIRT.barcodes[0]],
                        }
                    ],
                }
            ],
        }
    ]
    accepted = content_call(wb_sandbox, "/content/v2/cards/upload", one_card)
    assert accepted.status_code == 200
    assert accepted.json() == {
        "data": None,
        "error": False,
        "errorText": "",
        "additionalErrors": {},
    }
    unknown = content_call(
        wb_sandbox, "/content/v2/cards/upload", [{**one_card[0], "subjectID": 7}]
    )
    assert unknown.status_code == 400
    assert unknown.json()["errorText"] == "This category does not exist"
    assert unknown.json()["additionalErrors"] == {"id": "7"}
    no_code = [{"subjectID": 105, "variants": [{"title": "x"}]}]
    assert content_call(wb_sandbox, "/content/v2/cards/upload", no_code).json()["errorText"] == (
        "A card cannot be created without a vendorCode"
    )
    time.sleep(PROCESSING_SECONDS + 0.1)
    first = {"cursor": {"limit": 1}, "order": {"ascending": True}}
    page = content_call(wb_sandbox, "/content/v2/cards/error/list", first).json()["data"]
    [batch] = page["items"]
    assert batch["vendorCodes"] == ["АртикулПродавца"]
    assert batch["errors"]["АртикулПродавца"] == [
        f"Баркод {SHIRT.barcodes[0]} используется в другой карточке товара"
    ]
    assert batch["subjects"]["АртикулПродавца"]["id"] == 105
    assert page["cursor"]["next"] is False and page["cursor"]["batchUUID"] == batch["batchUUID"]
    following = {"cursor": {"limit": 1, **page["cursor"]}, "order": {"ascending": True}}
    following["cursor"].pop("next")
    rest = content_call(wb_sandbox, "/content/v2/cards/error/list", following).json()["data"]
    assert rest["items"] == []


# --- where the prices host is ------------------------------------------------------------------


def test_the_prices_host_follows_the_marketplace_host() -> None:
    assert wb_prices_url("https://marketplace-api.wildberries.ru", {}) == (
        "https://discounts-prices-api.wildberries.ru"
    )
    assert wb_prices_url("https://marketplace-api-sandbox.wildberries.ru", {}) == (
        "https://discounts-prices-api-sandbox.wildberries.ru"
    )
    given = {"prices_url": " http://127.0.0.1:5000/sandbox/wb/prices-api "}
    assert wb_prices_url("http://127.0.0.1:5000/sandbox/wb", given) == (
        "http://127.0.0.1:5000/sandbox/wb/prices-api"
    )
    assert WildberriesClient.READS_PRICES and not WildberriesClient.HIDES_BY_CALL
