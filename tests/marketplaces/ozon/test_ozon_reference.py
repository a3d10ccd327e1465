"""The Ozon connector fed Ozon's own example answers (``reference/``), over loopback HTTP.

Each payload is the example of the Ozon Seller API reference for the call, or adapted
from it where the example is a placeholder (see ``reference_server``).
"""

from __future__ import annotations

import pytest

from tests.marketplaces.ozon.reference_server import ReferenceServer, example
from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.orders import statuses

POSTING = "73837363-0010-3"  # the cancel-reason example's posting


def test_every_reference_status_maps_and_nothing_else() -> None:
    documented = {
        "acceptance_in_progress", "arbitration", "awaiting_approve", "awaiting_deliver",
        "awaiting_packaging", "awaiting_registration", "awaiting_verification", "cancelled",
        "cancelled_from_split_pending", "client_arbitration", "delivered", "delivering",
        "driver_pickup", "not_accepted", "sent_by_seller",
    }  # fmt: skip
    table = statuses.DEFAULTS["ozon"]
    assert set(table) == documented
    assert table["awaiting_verification"] == "new"
    assert table["cancelled_from_split_pending"] == "cancelled"


def test_a_short_page_ends_the_posting_list(ozon_reference: ReferenceServer) -> None:
    page = example("unfulfilled_list.json")  # one posting, "count": 55
    ozon_reference.answer("/v3/posting/fbs/unfulfilled/list", page)
    with ozon_reference.client(page_size=2) as client:
        [order] = client.new_orders()
    assert order.external_id == "23713478-0018-3" and order.lines[0].quantity == 1
    assert len(ozon_reference.sent("/v3/posting/fbs/unfulfilled/list")) == 1


def test_cancel_picks_out_of_stock_from_the_postings_reasons(
    ozon_reference: ReferenceServer,
) -> None:
    ozon_reference.answer("/v1/posting/fbs/cancel-reason", example("cancel_reason.json"))
    ozon_reference.answer("/v2/posting/fbs/cancel", example("cancel.json"))
    with ozon_reference.client() as client:
        client.cancel(POSTING, "")
    [asked] = ozon_reference.sent("/v1/posting/fbs/cancel-reason")
    assert asked == {"related_posting_numbers": [POSTING]}
    [sent] = ozon_reference.sent("/v2/posting/fbs/cancel")
    assert sent["posting_number"] == POSTING and sent["cancel_reason_id"] == 352
    assert sent["cancel_reason_message"]


def test_cancel_falls_back_to_other_with_a_message(ozon_reference: ReferenceServer) -> None:
    reasons = example("cancel_reason.json")
    reasons["result"][0]["reasons"] = [r for r in reasons["result"][0]["reasons"] if r["id"] == 402]
    ozon_reference.answer("/v1/posting/fbs/cancel-reason", reasons)
    ozon_reference.answer("/v2/posting/fbs/cancel", example("cancel.json"))
    with ozon_reference.client() as client:
        client.cancel(POSTING, "нет на складе")
    [sent] = ozon_reference.sent("/v2/posting/fbs/cancel")
    assert sent["cancel_reason_id"] == 402 and sent["cancel_reason_message"] == "нет на складе"


def test_cancel_without_a_sellers_reason_is_refused(ozon_reference: ReferenceServer) -> None:
    reasons = example("cancel_reason.json")
    reasons["result"][0]["reasons"] = []
    ozon_reference.answer("/v1/posting/fbs/cancel-reason", reasons)
    with ozon_reference.client() as client, pytest.raises(RejectedError) as caught:
        client.cancel(POSTING, "")
    assert caught.value.code == "HAS_INCORRECT_CANCEL_REASON"
    assert ozon_reference.sent("/v2/posting/fbs/cancel") == []


def test_one_refused_product_does_not_refuse_the_stock_push(
    ozon_reference: ReferenceServer,
) -> None:
    ozon_reference.answer("/v2/products/stocks", example("stocks_one_refused.json"))
    with ozon_reference.client() as client:
        failed = client.push_stocks("22142605386000", {"PH11042": 100, "PH11043": 4})
    assert failed == {"PH11043": "offer_id_not_found"}
    [sent] = ozon_reference.sent("/v2/products/stocks")
    assert {s["offer_id"] for s in sent["stocks"]} == {"PH11042", "PH11043"}


def test_a_throttled_product_retries_the_push(ozon_reference: ReferenceServer) -> None:
    answer = example("stocks_one_refused.json")
    answer["result"][1]["errors"] = [{"code": "TOO_MANY_REQUESTS", "message": "too often"}]
    ozon_reference.answer("/v2/products/stocks", answer)
    with ozon_reference.client() as client, pytest.raises(TransientError) as caught:
        client.push_stocks("22142605386000", {"PH11042": 100, "PH11043": 4})
    assert caught.value.retry_after == 30


def test_a_refused_warehouse_refuses_the_push(ozon_reference: ReferenceServer) -> None:
    answer = example("stocks_one_refused.json")
    answer["result"][1]["errors"] = [{"code": "WAREHOUSE_NOT_FOUND", "message": "no"}]
    ozon_reference.answer("/v2/products/stocks", answer)
    with ozon_reference.client() as client, pytest.raises(RejectedError) as caught:
        client.push_stocks("1", {"PH11042": 100})
    assert caught.value.code == "WAREHOUSE_NOT_FOUND"


def test_cancel_products_sends_skus_and_quantities(ozon_reference: ReferenceServer) -> None:
    posting = example("unfulfilled_list.json")["result"]["postings"][0]
    number = posting["posting_number"]
    ozon_reference.answer("/v3/posting/fbs/get", {"result": posting})
    reasons = example("cancel_reason.json")
    reasons["result"][0]["posting_number"] = number
    ozon_reference.answer("/v1/posting/fbs/cancel-reason", reasons)
    ozon_reference.answer("/v2/posting/fbs/product/cancel", example("product_cancel.json"))
    with ozon_reference.client() as client:
        assert client.cancel_products(number, {"УТ-0001365": 1}) == number
    [sent] = ozon_reference.sent("/v2/posting/fbs/product/cancel")
    assert sent["items"] == [{"sku": 140048123, "quantity": 1}]
    assert sent["cancel_reason_id"] == 352 and sent["cancel_reason_message"]
