"""The Ozon connector against the running sandbox: real HTTP, real errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import AuthError, RejectedError, TransientError
from warehouse.marketplaces.ozon import OzonClient

if TYPE_CHECKING:
    from conftest import OzonSandbox

SHIRT, MUG, SOCKS = PRODUCTS[0], PRODUCTS[2], PRODUCTS[3]
GOOD_MARK = "010460123456789321abcXYZ123\x1d91EE06"
WAREHOUSE = "1"


def test_wrong_key_is_an_auth_error_without_the_key(ozon_sandbox: OzonSandbox) -> None:
    with (
        OzonClient(ozon_sandbox.base_url, "sandbox", "s3cret-wrong", timeout=2) as client,
        pytest.raises(AuthError) as caught,
    ):
        client.new_orders()
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(client)
    assert "(403)" in str(caught.value)


def test_ping_and_warehouses(ozon_client: OzonClient) -> None:
    ozon_client.ping()
    [warehouse] = ozon_client.warehouses()
    assert warehouse["warehouse_id"] == 1 and warehouse["is_rfbs"] is False


def test_new_orders_are_postings_with_their_products(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((SHIRT.article, 2), (MUG.article, 1))

    [order] = ozon_client.new_orders()

    assert order.external_id == number and order.status == "awaiting_packaging"
    assert order.group_id == number.rsplit("-", 1)[0]
    assert abs(order.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert order.ship_by is not None and order.ship_by > order.created_at
    lines = {line.external_sku: line for line in order.lines}
    assert lines[SHIRT.article].quantity == 2
    assert lines[SHIRT.article].article == SHIRT.article
    assert lines[SHIRT.article].price_kopecks == SHIRT.price_kopecks
    assert lines[MUG.article].quantity == 1
    assert order.raw["posting_number"] == number
    assert ozon_client.get_posting(number).lines == order.lines


def test_new_orders_follow_every_page(ozon_sandbox: OzonSandbox) -> None:
    numbers = [ozon_sandbox.add_cart((SOCKS.article, 1)) for _ in range(5)]
    with OzonClient(ozon_sandbox.base_url, "sandbox", "sandbox", page_size=2) as client:
        found = [order.external_id for order in client.new_orders()]
    assert found == numbers


def test_whole_life_of_a_posting(ozon_sandbox: OzonSandbox, ozon_client: OzonClient) -> None:
    number = ozon_sandbox.add_cart((SHIRT.article, 2), (MUG.article, 1))
    [order] = ozon_client.new_orders()
    package = [(line.external_sku, line.quantity) for line in order.lines]

    assert ozon_client.ship(number, [package]) == [number]

    assert ozon_client.order_statuses([number]) == {number: "awaiting_deliver"}
    assert ozon_client.new_orders() == []
    label = ozon_client.label(number)
    assert label.format == "pdf" and label.content.startswith(b"%PDF")
    assert number.encode() in label.content
    ozon_sandbox.control("POST", f"orders/{number}/handover")
    assert ozon_client.order_statuses([number]) == {number: "delivering"}
    ozon_sandbox.control("POST", f"orders/{number}/deliver")
    assert ozon_client.order_statuses([number]) == {number: "delivered"}


def test_ship_twice_is_refused_with_ozons_code(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((MUG.article, 1))
    ozon_client.ship(number, [[(MUG.article, 1)]])
    with pytest.raises(RejectedError) as caught:
        ozon_client.ship(number, [[(MUG.article, 1)]])
    assert caught.value.code == "POSTING_ALREADY_SHIPPED"


def test_ship_in_two_packages_splits_the_posting(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((SHIRT.article, 2), (MUG.article, 1))
    sku = str(ozon_client.get_posting(number).raw["products"][1]["sku"])  # by Ozon SKU too

    numbers = ozon_client.ship(number, [[(SHIRT.article, 2)], [(sku, 1)]])

    assert numbers[0] == number and len(numbers) == 2
    split = ozon_sandbox.posting(numbers[1])
    assert split["parent_posting_number"] == number
    assert [p["offer_id"] for p in split["products"]] == [MUG.article]
    assert ozon_client.order_statuses(numbers) == dict.fromkeys(numbers, "awaiting_deliver")


def test_wrong_quantities_and_foreign_products_are_refused(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((SHIRT.article, 2))
    with pytest.raises(RejectedError) as caught:
        ozon_client.ship(number, [[(SHIRT.article, 1)]])
    assert caught.value.code == "INVALID_PRODUCTS_QUANTITY"
    with pytest.raises(RejectedError) as caught:
        ozon_client.ship(number, [[(MUG.article, 2)]])
    assert caught.value.code == "PRODUCT_NOT_IN_POSTING"


def test_marked_goods_ship_only_with_valid_codes(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((SHIRT.article, 2), marked=True)
    with pytest.raises(RejectedError) as caught:
        ozon_client.ship(number, [[(SHIRT.article, 2)]])
    assert caught.value.code == "EXEMPLARS_NOT_VALIDATED"

    with pytest.raises(RejectedError) as caught:
        ozon_client.set_exemplars(number, {SHIRT.article: [GOOD_MARK, "not-a-code"]})
    assert caught.value.code == "ship_not_available"
    assert ozon_client.exemplar_status(number) == "ship_not_available"

    ozon_client.set_exemplars(number, {SHIRT.article: [GOOD_MARK, GOOD_MARK + "2"]})
    assert ozon_client.exemplar_status(number) == "ship_available"
    assert ozon_client.ship(number, [[(SHIRT.article, 2)]]) == [number]
    marks = [
        u["marks"][0]["mark"] for u in ozon_sandbox.posting(number)["exemplars"].values() for u in u
    ]
    assert marks == [GOOD_MARK, GOOD_MARK + "2"]


def test_label_is_not_ready_right_after_ship(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.app.config["SANDBOX_OZON_LABEL_DELAY_SECONDS"] = 30
    number = ozon_sandbox.add_cart((MUG.article, 1))
    ozon_client.ship(number, [[(MUG.article, 1)]])
    with pytest.raises(TransientError) as caught:
        ozon_client.label(number)
    assert "aren't ready" in str(caught.value)
    ozon_sandbox.app.config["SANDBOX_OZON_LABEL_DELAY_SECONDS"] = 0
    assert ozon_client.label(number).content.startswith(b"%PDF")


def test_seller_cancel_is_out_of_stock(ozon_sandbox: OzonSandbox, ozon_client: OzonClient) -> None:
    number = ozon_sandbox.add_cart((MUG.article, 1))
    ozon_client.cancel(number, "нет на складе")

    assert ozon_client.order_statuses([number]) == {number: "cancelled"}
    cancellation = ozon_sandbox.posting(number)["cancellation"]
    assert cancellation["cancel_reason_id"] == 352
    assert cancellation["cancel_reason"] == "Товар закончился на складе продавца"
    with pytest.raises(RejectedError) as caught:
        ozon_client.cancel(number, "again")
    assert caught.value.code == "HAS_INCORRECT_CANCEL_REASON"  # no reasons once cancelled


def test_cancel_some_units_keeps_the_rest_of_the_posting(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((SHIRT.article, 2), (MUG.article, 1))
    assert ozon_client.cancel_products(number, {SHIRT.article: 1}) == number
    left = {p["offer_id"]: p["quantity"] for p in ozon_sandbox.posting(number)["products"]}
    assert left == {SHIRT.article: 1, MUG.article: 1}
    assert ozon_client.ship(number, [[(SHIRT.article, 1), (MUG.article, 1)]]) == [number]
    with pytest.raises(RejectedError) as caught:
        ozon_client.cancel_products(number, {MUG.article: 1})
    assert caught.value.code == "HAS_INCORRECT_STATUS"


def test_cancel_more_units_than_ordered_is_refused(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((SHIRT.article, 1))
    with pytest.raises(RejectedError) as caught:
        ozon_client.cancel_products(number, {SHIRT.article: 2})
    assert caught.value.code == "HAS_INCORRECT_PRODUCT_QUANTITY"
    ozon_client.cancel_products(number, {SHIRT.article: 1})  # every unit: the posting goes
    assert ozon_client.order_statuses([number]) == {number: "cancelled"}


def test_postings_in_verification_or_split_cancelled_read_as_ozon_says(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    lines = [{"article": MUG.article, "qty": 1}]
    body = {"items": lines, "status": "awaiting_verification"}
    [checking] = ozon_sandbox.control("POST", "orders", body).json()["ids"]
    split = ozon_sandbox.add_cart((MUG.article, 1))
    ozon_sandbox.control(
        "POST", f"orders/{split}/status", {"status": "cancelled_from_split_pending"}
    )

    assert ozon_client.new_orders() == []  # only awaiting_packaging is ours to assemble
    assert ozon_client.order_statuses([checking, split]) == {
        checking: "awaiting_verification",
        split: "cancelled_from_split_pending",
    }
    ozon_sandbox.control("POST", f"orders/{checking}/status", {"status": "awaiting_packaging"})
    assert [order.external_id for order in ozon_client.new_orders()] == [checking]


def test_buyer_cancel_takes_the_posting_off_the_new_list(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    number = ozon_sandbox.add_cart((MUG.article, 1))
    ozon_sandbox.control("POST", f"orders/{number}/client-cancel")

    assert ozon_client.new_orders() == []
    assert ozon_client.order_statuses([number, "00000000-0000-1"]) == {number: "cancelled"}
    with pytest.raises(RejectedError) as caught:
        ozon_client.ship(number, [[(MUG.article, 1)]])
    assert caught.value.code == "POSTING_ALREADY_CANCELLED"


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_server_errors_and_drops_are_transient(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient, fault: str
) -> None:
    ozon_sandbox.faults(fault)
    with pytest.raises(TransientError):
        ozon_client.new_orders()
    assert ozon_client.new_orders() == []


def test_rate_limit_is_transient_with_retry_after(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.faults("429", retry_after=2)
    with pytest.raises(TransientError) as caught:
        ozon_client.ping()
    assert caught.value.retry_after == 2


def test_timeout_is_transient(ozon_sandbox: OzonSandbox) -> None:
    ozon_sandbox.faults("timeout")
    with (
        OzonClient(ozon_sandbox.base_url, "sandbox", "sandbox", timeout=0.2) as client,
        pytest.raises(TransientError),
    ):
        client.ping()


def test_stock_is_stored_per_offer_and_warehouse(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    failed = ozon_client.push_stocks(WAREHOUSE, {SHIRT.article: 7, MUG.article: 0, "NOT-OURS": 3})
    assert failed == {"NOT-OURS": "offer_id_not_found"}
    stored = {s["offer_id"]: s["stock"] for s in ozon_sandbox.state()["stocks"]}
    assert stored == {SHIRT.article: 7, MUG.article: 0}

    with pytest.raises(RejectedError):
        ozon_client.push_stocks("999", {SHIRT.article: 1})


def test_stock_twice_within_the_window_is_throttled(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.app.config["SANDBOX_OZON_STOCK_WINDOW_SECONDS"] = 30
    ozon_client.push_stocks(WAREHOUSE, {SHIRT.article: 5})
    with pytest.raises(TransientError) as caught:
        ozon_client.push_stocks(WAREHOUSE, {SHIRT.article: 4, MUG.article: 2})
    assert caught.value.retry_after == 30
    stored = {s["offer_id"]: s["stock"] for s in ozon_sandbox.state()["stocks"]}
    assert stored == {SHIRT.article: 5, MUG.article: 2}


def test_product_cards_follow_every_page(ozon_sandbox: OzonSandbox) -> None:
    with OzonClient(ozon_sandbox.base_url, "sandbox", "sandbox", page_size=2) as client:
        cards = client.product_cards()
    assert [card.sku for card in cards] == [product.article for product in PRODUCTS]
    shirt = cards[0]
    assert shirt.article == SHIRT.article and shirt.name == SHIRT.name
    assert shirt.barcodes == SHIRT.barcodes and shirt.marketplace_id.isdigit()
