"""The Megamarket connector against the running sandbox: real HTTP, real errors."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import AuthError, RejectedError, TransientError
from warehouse.marketplaces.megamarket import MegamarketClient, reject_reason, shipment_status

if TYPE_CHECKING:
    from conftest import MmSandbox

SHIRT, MUG, SOCKS = PRODUCTS[0], PRODUCTS[2], PRODUCTS[3]


def test_wrong_token_is_an_auth_error_without_the_token(mm_sandbox: MmSandbox) -> None:
    with (
        MegamarketClient(mm_sandbox.base_url, "s3cret-wrong", timeout=2) as client,
        pytest.raises(AuthError) as caught,
    ):
        client.new_orders()
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(client)
    assert "UNAUTHORIZED" in str(caught.value)


def test_ping(mm_client: MegamarketClient) -> None:
    mm_client.ping()


def test_new_orders_fold_lots_into_lines(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    shipment_id = mm_sandbox.add_cart((SHIRT.article, 2), (MUG.article, 1))

    [order] = mm_client.new_orders()

    assert order.external_id == shipment_id and order.status == "NEW"
    assert abs(order.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert order.ship_by is not None and order.ship_by > order.created_at
    shirt, mug = order.lines
    assert (shirt.external_sku, shirt.article, shirt.quantity) == (SHIRT.article, SHIRT.article, 2)
    assert shirt.price_kopecks == SHIRT.price_kopecks and shirt.barcodes == ()
    assert (mug.external_sku, mug.quantity) == (MUG.article, 1)
    assert order.raw["itemIndexes"] == ["1", "2", "3"]
    assert order.raw["itemIndexesByOffer"] == {SHIRT.article: ["1", "2"], MUG.article: ["3"]}
    assert mm_client.get_order(shipment_id) == order


def test_whole_life_confirm_pack_label_ship(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    shipment_id = mm_sandbox.add_cart((SHIRT.article, 1), (MUG.article, 1))
    assert mm_client.order_statuses([shipment_id, "1"]) == {shipment_id: "NEW"}

    mm_client.confirm(shipment_id)
    assert mm_client.order_statuses([shipment_id]) == {shipment_id: "CONFIRMED"}
    assert mm_client.new_orders() == []
    with pytest.raises(RejectedError) as caught:
        mm_client.label(shipment_id)
    assert caught.value.code == "INVALID_STATUS"

    indexes = mm_client.get_order(shipment_id).raw["itemIndexes"]
    mm_client.pack(shipment_id, [[(index, "") for index in indexes]])
    assert mm_client.order_statuses([shipment_id]) == {shipment_id: "PACKED"}

    label = mm_client.label(shipment_id)
    assert label.format == "pdf" and label.content.startswith(b"%PDF-1.4")
    assert label.content.rstrip().endswith(b"%%EOF")
    assert label.barcode == f"5401*{shipment_id}*1"
    assert shipment_id.encode() in label.content
    _assert_xref_is_right(label.content)

    handed_over = datetime(2024, 6, 5, 9, 30, tzinfo=UTC)
    assert mm_client.ship(shipment_id, handed_over) == [f"5401*{shipment_id}*1"]
    assert mm_client.order_statuses([shipment_id]) == {shipment_id: "SHIPPED"}
    assert mm_sandbox.shipment(shipment_id)["shippingDate"] is not None
    mm_sandbox.control("POST", f"orders/{shipment_id}/deliver")
    assert mm_client.order_statuses([shipment_id]) == {shipment_id: "DELIVERED"}


def test_two_boxes_and_packing_again(mm_sandbox: MmSandbox, mm_client: MegamarketClient) -> None:
    shipment_id = mm_sandbox.add_cart((MUG.article, 2))
    mm_client.confirm(shipment_id)
    mm_client.pack(shipment_id, [[("1", "")]])  # in stages: one lot first
    assert mm_client.order_statuses([shipment_id]) == {shipment_id: "CONFIRMED"}
    mm_client.pack(shipment_id, [[("1", "")], [("2", "")]])
    items = mm_sandbox.shipment(shipment_id)["items"]
    assert [(item["itemIndex"], item["boxIndex"]) for item in items] == [("1", 1), ("2", 2)]
    assert all("boxes" not in item and "boxCode" not in item for item in items)
    label = mm_client.label(shipment_id)
    assert label.content.count(b"/Type /Page ") == 2


def test_illegal_transitions_are_rejected_with_the_code(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    shipment_id = mm_sandbox.add_cart((SOCKS.article, 1))
    with pytest.raises(RejectedError) as caught:
        mm_client.pack(shipment_id, [[("1", "")]])
    assert caught.value.code == "INVALID_STATUS"
    with pytest.raises(RejectedError) as caught:
        mm_client.ship(shipment_id)
    assert caught.value.code == "INVALID_STATUS"
    mm_client.confirm(shipment_id)
    with pytest.raises(RejectedError) as caught:
        mm_client.reject_items(shipment_id, ["7"], "нет в наличии")
    assert caught.value.code == "ITEM_NOT_FOUND"
    with pytest.raises(RejectedError) as caught:
        mm_client.confirm(shipment_id)  # no NEW lots are left to confirm
    assert caught.value.code == "INVALID_STATUS"
    with pytest.raises(RejectedError) as caught:
        mm_client.get_order("123")
    assert caught.value.code == "NOT_FOUND"


def test_marked_goods_need_their_code(mm_sandbox: MmSandbox, mm_client: MegamarketClient) -> None:
    shipment_id = mm_sandbox.add_cart((SHIRT.article, 1), marked=True)
    mm_client.confirm(shipment_id)
    with pytest.raises(RejectedError) as caught:
        mm_client.pack(shipment_id, [[("1", "")]])
    assert caught.value.code == "DIGITAL_MARK_REQUIRED"
    code = "0104601234567893215ABCDEfghIJKL"
    mm_client.pack(shipment_id, [[("1", code)]])
    assert mm_sandbox.shipment(shipment_id)["items"][0]["digitalMark"] == code


def test_reject_chosen_lots_only(mm_sandbox: MmSandbox, mm_client: MegamarketClient) -> None:
    shipment_id = mm_sandbox.add_cart((MUG.article, 2), (SOCKS.article, 1))
    mm_client.confirm(shipment_id)
    mm_client.reject_items(shipment_id, ["2"], "нет в наличии")
    items = mm_sandbox.shipment(shipment_id)["items"]
    assert [(i["status"], i["subStatus"]) for i in items] == [
        ("CONFIRMED", None),
        ("MERCHANT_CANCELED", "LATE_REJECT"),
        ("CONFIRMED", None),
    ]
    order = mm_client.get_order(shipment_id)
    assert order.status == "CONFIRMED" and order.raw["itemIndexes"] == ["1", "3"]


def test_box_codes_need_the_merchant_id(mm_sandbox: MmSandbox) -> None:
    shipment_id = mm_sandbox.add_cart((MUG.article, 1))
    with MegamarketClient(mm_sandbox.base_url, "sandbox", timeout=2) as client:
        client.confirm(shipment_id)
        with pytest.raises(RejectedError) as caught:
            client.pack(shipment_id, [[("1", "")]])
    assert caught.value.code == "settings"


def test_buyer_cancels(mm_sandbox: MmSandbox, mm_client: MegamarketClient) -> None:
    shipment_id = mm_sandbox.add_cart((MUG.article, 1))
    mm_client.confirm(shipment_id)
    mm_sandbox.control("POST", f"orders/{shipment_id}/client-cancel")
    assert mm_client.order_statuses([shipment_id]) == {shipment_id: "CUSTOMER_CANCELED"}
    with pytest.raises(RejectedError) as caught:
        mm_client.cancel(shipment_id, "cancelled by the seller")
    assert caught.value.code == "INVALID_STATUS"


def test_seller_cancels_new_and_confirmed(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    fresh = mm_sandbox.add_cart((MUG.article, 2))
    confirmed = mm_sandbox.add_cart((SOCKS.article, 1))
    mm_client.confirm(confirmed)

    mm_client.cancel(fresh, "cancelled by the seller")
    mm_client.cancel(confirmed, "wrong price")

    statuses = mm_client.order_statuses([fresh, confirmed])
    assert statuses == {
        fresh: "MERCHANT_CANCELED/CONFIRMATION_REJECT",
        confirmed: "MERCHANT_CANCELED/LATE_REJECT",
    }
    subs = {item["subStatus"] for item in mm_sandbox.shipment(fresh)["items"]}
    assert subs == {"CONFIRMATION_REJECT"}
    assert mm_sandbox.shipment(confirmed)["items"][0]["subStatus"] == "LATE_REJECT"
    assert mm_client.new_orders() == []
    assert reject_reason("цена неверна") == "INCORRECT_PRICE"
    assert reject_reason("anything") == "OUT_OF_STOCK"


def test_rate_limit_is_transient_with_retry_after(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    mm_sandbox.faults("429", retry_after=2)
    with pytest.raises(TransientError) as caught:
        mm_client.new_orders()
    assert caught.value.retry_after == 2.0
    assert mm_client.new_orders() == []


def test_server_error_is_transient_and_changes_nothing(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    shipment_id = mm_sandbox.add_cart((MUG.article, 1))
    mm_client.get_order(shipment_id)
    mm_sandbox.faults("500")
    with pytest.raises(TransientError) as caught:
        mm_client.ping()
    assert caught.value.retry_after is None
    assert mm_sandbox.statuses(shipment_id) == ["NEW"]


def test_slow_answer_is_transient(mm_sandbox: MmSandbox) -> None:
    mm_sandbox.faults("timeout")
    started = time.monotonic()
    with (
        MegamarketClient(mm_sandbox.base_url, "sandbox", timeout=0.2) as client,
        pytest.raises(TransientError, match="in time"),
    ):
        client.ping()
    assert time.monotonic() - started < 0.6


def test_dropped_answer_is_transient_but_the_work_was_done(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    mm_sandbox.faults("drop")
    with pytest.raises(TransientError, match="connection"):
        mm_client.push_stocks("", {SHIRT.article: 4})
    assert mm_sandbox.state()["stocks"] == [{"offerId": SHIRT.article, "quantity": 4}]


def test_dropped_json_answer_is_transient(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    mm_sandbox.add_cart((SHIRT.article, 1))
    mm_sandbox.faults("drop")
    with pytest.raises(TransientError):
        mm_client.new_orders()


def test_new_orders_split_full_pages_by_date(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    ids = [mm_sandbox.add_cart((MUG.article, 1), age=age) for age in (600, 500, 400, 300, 200)]
    ids += [mm_sandbox.add_cart((SOCKS.article, 1), age=100) for _ in range(2)]
    mm_client.search_count = 3
    found = [order.external_id for order in mm_client.new_orders()]
    assert sorted(found) == sorted(ids)


def test_stock_push_is_stored_in_batches(
    mm_sandbox: MmSandbox, mm_client: MegamarketClient
) -> None:
    levels = {f"UNKNOWN-{n}": 1 for n in range(650)}
    levels.update({SHIRT.article: 7, MUG.article: 0})
    mm_client.push_stocks("", levels)
    stored = {(s["offerId"], s["quantity"]) for s in mm_sandbox.state()["stocks"]}
    assert stored == {(SHIRT.article, 7), (MUG.article, 0)}
    mm_client.push_stocks("ignored", {SHIRT.article: 3})
    stored = {(s["offerId"], s["quantity"]) for s in mm_sandbox.state()["stocks"]}
    assert (SHIRT.article, 3) in stored


def test_no_invented_offer_list(mm_sandbox: MmSandbox, mm_client: MegamarketClient) -> None:
    """MM documents no call listing offers: none is made, and the sandbox has none."""
    assert mm_client.product_cards() == []
    answer = mm_sandbox.call("offerService/offer/list", {"offset": 0, "limit": 10})
    assert answer.status_code == 404


def test_shipment_status_of_mixed_lots() -> None:
    def shipment(*statuses: str) -> dict:
        return {"items": [{"status": status} for status in statuses]}

    assert shipment_status(shipment("PACKED", "PACKED")) == "PACKED"
    assert shipment_status(shipment("CONFIRMED", "PACKED")) == "CONFIRMED"
    assert shipment_status(shipment("MERCHANT_CANCELED", "PACKED")) == "PACKED"
    assert shipment_status(shipment("CUSTOMER_CANCELED", "MERCHANT_CANCELED")) == (
        "CUSTOMER_CANCELED"
    )
    assert shipment_status(shipment("PENDING_PACKING", "PACKED")) == "PENDING_PACKING"
    assert shipment_status(shipment("SHIPPING_EXPIRED", "PACKED")) == "PACKED"
    assert shipment_status(shipment("PENDING_CONFIRMATION", "NEW")) == "NEW"
    expired = {"items": [{"status": "MERCHANT_CANCELED", "subStatus": "CONFIRMATION_EXPIRED"}]}
    assert shipment_status(expired) == "MERCHANT_CANCELED/CONFIRMATION_EXPIRED"


def test_unreachable_marketplace_is_transient() -> None:
    with (
        MegamarketClient("http://127.0.0.1:9", "sandbox", timeout=1) as client,
        pytest.raises(TransientError),
    ):
        client.ping()


def _assert_xref_is_right(pdf: bytes) -> None:
    """Every xref entry points at its ``N 0 obj``; startxref points at ``xref``."""
    start = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[start:].startswith(b"xref")
    offsets = re.findall(rb"(\d{10}) 00000 n ", pdf)
    for number, offset in enumerate(offsets, start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
