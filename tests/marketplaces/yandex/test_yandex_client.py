"""The Yandex Market connector against the running sandbox: real HTTP, real errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import AuthError, RejectedError, TransientError
from warehouse.marketplaces.yandex import YandexClient

if TYPE_CHECKING:
    from conftest import YmSandbox

MARKED = PRODUCTS[0]  # the sandbox wants Честный знак codes for this one
MUG = PRODUCTS[2]
SOCKS = PRODUCTS[3]
CIS_1 = "0104601234567893215ABCDEfghIJ\x1d93abcd"
CIS_2 = "0104601234567893215KLMNOpqrST\x1d93efgh"


def _client(sandbox: YmSandbox, key: str = "sandbox", business: int = 1, campaign: int = 1):
    return YandexClient(sandbox.base_url, key, business, campaign, timeout=2)


def test_wrong_key_is_an_auth_error_without_the_key(ym_sandbox: YmSandbox) -> None:
    with _client(ym_sandbox, key="ACMA:s3cret-wrong") as client, pytest.raises(AuthError) as caught:
        client.new_orders()
    assert "401 UNAUTHORIZED" in str(caught.value)
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(client)


@pytest.mark.parametrize(("business", "campaign"), [(2, 1), (1, 2)])
def test_foreign_business_or_campaign_is_an_auth_error(
    ym_sandbox: YmSandbox, business: int, campaign: int
) -> None:
    with _client(ym_sandbox, business=business, campaign=campaign) as client:
        with pytest.raises(AuthError, match="403 FORBIDDEN"):
            client.new_orders()
        with pytest.raises(AuthError):
            client.ping()


def test_ping(ym_client: YandexClient) -> None:
    ym_client.ping()


def test_new_orders_with_items_prices_and_shipment_date(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 2), (SOCKS.article, 1))
    other = ym_sandbox.add_order((MARKED.article, 1))

    incoming = {order.external_id: order for order in ym_client.new_orders()}

    assert set(incoming) == {order_id, other}
    order = incoming[order_id]
    assert order.status == "PROCESSING/STARTED"
    assert order.created_at.tzinfo is not None
    assert abs(order.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert order.ship_by is not None and order.ship_by > order.created_at
    mug, socks = order.lines
    assert (mug.article, mug.external_sku, mug.quantity) == (MUG.article, MUG.article, 2)
    assert mug.price_kopecks == MUG.price_kopecks  # per unit
    assert (socks.article, socks.quantity, socks.price_kopecks) == (SOCKS.article, 1, 39000)
    assert order.raw["items"][0]["offerId"] == MUG.article
    assert incoming[other].raw["items"][0]["requiredInstanceTypes"] == ["CIS"]


def test_whole_life_boxes_label_ready_delivery(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MARKED.article, 2), (MUG.article, 1))

    ym_client.set_boxes(order_id, [[(MARKED.article, 2, [CIS_1, CIS_2])], [(MUG.article, 1, [])]])
    label = ym_client.label(order_id)
    assert label.format == "pdf" and label.content.startswith(b"%PDF")
    assert label.content.count(b"/Type /Page ") == 2  # one page per box
    assert f"{order_id}-2".encode() in label.content

    ym_client.ready_to_ship(order_id)
    assert ym_client.order_statuses([order_id]) == {order_id: "PROCESSING/READY_TO_SHIP"}
    assert ym_client.new_orders() == []
    state = ym_sandbox.order_state(order_id)
    assert state["items"][0]["cis"] == [CIS_1, CIS_2]
    assert len(state["boxes"]) == 2

    ym_sandbox.control("POST", f"orders/{order_id}/ship")
    assert ym_client.get_order(order_id).status == "DELIVERY/DELIVERY_SERVICE_RECEIVED"
    ym_client.ready_to_ship(order_id)  # a late repeat is a no-op
    ym_sandbox.control("POST", f"orders/{order_id}/ship")
    assert ym_client.order_statuses([order_id]) == {
        order_id: "DELIVERED/DELIVERY_SERVICE_DELIVERED"
    }


def test_boxes_replace_the_layout(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 2), (SOCKS.article, 1))
    ym_client.set_boxes(
        order_id, [[(MUG.article, 1, [])], [(MUG.article, 1, [])], [(SOCKS.article, 1, [])]]
    )
    assert len(ym_sandbox.order_state(order_id)["boxes"]) == 3
    ym_client.set_boxes(order_id, [[(MUG.article, 2, []), (SOCKS.article, 1, [])]])
    [box] = ym_sandbox.order_state(order_id)["boxes"]
    assert [item["fullCount"] for item in box["items"]] == [2, 1]
    assert ym_client.label(order_id).content.count(b"/Type /Page ") == 1


def test_ready_to_ship_needs_boxes_and_valid_codes(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MARKED.article, 2))
    with pytest.raises(RejectedError) as caught:
        ym_client.ready_to_ship(order_id)
    assert caught.value.code == "NO_BOXES"

    ym_client.set_boxes(order_id, [[(MARKED.article, 2, [CIS_1])]])
    with pytest.raises(RejectedError) as caught:
        ym_client.ready_to_ship(order_id)
    assert caught.value.code == "TOO_FEW_CISES_FOR_ITEM"

    ym_client.set_boxes(order_id, [[(MARKED.article, 2, [CIS_1, "not-a-code"])]])
    with pytest.raises(RejectedError) as caught:
        ym_client.ready_to_ship(order_id)
    assert caught.value.code == "INVALID_CIS"

    ym_client.set_boxes(order_id, [[(MARKED.article, 2, [CIS_1, CIS_2])]])
    ym_client.ready_to_ship(order_id)
    assert ym_client.get_order(order_id).status == "PROCESSING/READY_TO_SHIP"


def test_label_only_once_boxes_are_set(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    with pytest.raises(RejectedError) as caught:
        ym_client.label(order_id)
    assert caught.value.code == "NO_BOXES"


def test_boxes_after_ready_to_ship_are_refused(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    ym_client.set_boxes(order_id, [[(MUG.article, 1, [])]])
    ym_client.ready_to_ship(order_id)
    with pytest.raises(RejectedError) as caught:
        ym_client.set_boxes(order_id, [[(MUG.article, 1, [])]])
    assert caught.value.code == "STATUS_NOT_ALLOWED"


def test_boxes_with_an_offer_not_in_the_order(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    with pytest.raises(RejectedError) as caught:
        ym_client.set_boxes(order_id, [[(SOCKS.article, 1, [])]])
    assert caught.value.code == "ITEM_NOT_FOUND"


def test_seller_cancels_and_then_nothing_moves(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    ym_client.set_boxes(order_id, [[(MUG.article, 1, [])]])
    ym_client.cancel(order_id, "out of stock, sorry")
    assert ym_client.order_statuses([order_id]) == {order_id: "CANCELLED/SHOP_FAILED"}
    ym_client.cancel(order_id, "again")  # a repeat after a lost answer is a no-op
    with pytest.raises(RejectedError) as caught:
        ym_client.ready_to_ship(order_id)
    assert caught.value.code == "ORDER_IN_TERMINAL_STATE"
    with pytest.raises(RejectedError):
        ym_client.label(order_id)


def test_buyer_cancels(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    ym_sandbox.control("POST", f"orders/{order_id}/client-cancel")
    assert ym_client.new_orders() == []
    assert ym_client.order_statuses([order_id]) == {order_id: "CANCELLED/USER_CHANGED_MIND"}


def test_cancel_after_hand_over_is_refused(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    ym_client.set_boxes(order_id, [[(MUG.article, 1, [])]])
    ym_client.ready_to_ship(order_id)
    ym_sandbox.control("POST", f"orders/{order_id}/ship")
    with pytest.raises(RejectedError) as caught:
        ym_client.cancel(order_id, "too late")
    assert caught.value.code == "STATUS_NOT_ALLOWED"


def test_statuses_leave_out_unknown_ids(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    assert ym_client.order_statuses([order_id, "99999999"]) == {order_id: "PROCESSING/STARTED"}
    with pytest.raises(RejectedError) as caught:
        ym_client.get_order("99999999")
    assert caught.value.code == "NOT_FOUND"


def test_new_orders_follow_the_page_token(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    ids = ym_sandbox.control("POST", "orders", {"count": 57}).json()["ids"]
    found = ym_client.new_orders()
    assert [order.external_id for order in found] == ids
    assert len(ym_client.order_statuses(ids)) == 57


def test_rate_limit_is_transient_with_retry_after(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    ym_sandbox.faults("429", retry_after=3)
    with pytest.raises(TransientError, match="420") as caught:
        ym_client.new_orders()
    assert caught.value.retry_after is not None and 2.0 <= caught.value.retry_after <= 4.0
    assert ym_client.new_orders() == []  # one fault per queued entry


def test_server_error_is_transient(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    ym_sandbox.faults("500")
    with pytest.raises(TransientError) as caught:
        ym_client.cancel(order_id, "")
    assert caught.value.retry_after is None
    assert ym_sandbox.order_state(order_id)["status"] == "PROCESSING"


def test_slow_answer_is_transient(ym_sandbox: YmSandbox) -> None:
    ym_sandbox.faults("timeout")
    started = time.monotonic()
    with (
        YandexClient(ym_sandbox.base_url, "sandbox", 1, 1, timeout=0.2) as client,
        pytest.raises(TransientError, match="in time"),
    ):
        client.ping()
    assert time.monotonic() - started < 0.6


def test_dropped_answer_is_transient_but_the_work_was_done(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    ym_client.set_boxes(order_id, [[(MUG.article, 1, [])]])
    ym_sandbox.faults("drop")
    with pytest.raises(TransientError, match="connection"):
        ym_client.ready_to_ship(order_id)
    assert ym_client.order_statuses([order_id]) == {order_id: "PROCESSING/READY_TO_SHIP"}
    ym_client.ready_to_ship(order_id)  # the retry succeeds


def test_unreachable_marketplace_is_transient() -> None:
    with (
        YandexClient("http://127.0.0.1:9", "sandbox", 1, 1, timeout=1) as client,
        pytest.raises(TransientError),
    ):
        client.ping()


def test_stock_push_is_stored(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    ym_client.push_stocks("77001", {MUG.article: 7, SOCKS.article: 0, "NOT-OURS": 5})
    stored = {(s["sku"], s["count"]) for s in ym_sandbox.state()["stocks"]}
    assert stored == {(MUG.article, 7), (SOCKS.article, 0)}
    ym_client.push_stocks("77001", {MUG.article: 3})
    stored = {(s["sku"], s["count"]) for s in ym_sandbox.state()["stocks"]}
    assert stored == {(MUG.article, 3), (SOCKS.article, 0)}


def test_product_cards(ym_client: YandexClient) -> None:
    cards = ym_client.product_cards()
    assert [card.sku for card in cards] == [product.article for product in PRODUCTS]
    shirt = next(card for card in cards if card.article == "TSH-WHT-L")
    assert shirt.barcodes == ("4601234567008", "4601234567015")
    assert shirt.name == "Футболка белая, L" and shirt.marketplace_id == "200002"


def test_product_cards_follow_pages(ym_sandbox: YmSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("warehouse.marketplaces.yandex.CARDS_PAGE", 2)
    with _client(ym_sandbox) as client:
        assert len(client.product_cards()) == len(PRODUCTS)
