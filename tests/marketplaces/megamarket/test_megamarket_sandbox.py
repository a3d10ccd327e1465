"""The Megamarket sandbox itself, over raw HTTP: MM's envelope, errors, faults, demo clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from warehouse.demo_catalogue import PRODUCTS

if TYPE_CHECKING:
    from conftest import MmSandbox

ENVELOPE = {"success", "meta", "data"}


def window(**extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    start, end = (now - timedelta(hours=1)).isoformat(), (now + timedelta(minutes=1)).isoformat()
    return {"dateFrom": start, "dateTo": end, **extra}


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == 200 and body["success"] == 0
    return body["error"][0]


def test_refused_token_is_http_200_with_success_0(mm_sandbox: MmSandbox) -> None:
    refused = mm_sandbox.call("orderService/order/search", window(), token="other")
    assert error(refused)["code"] == "UNAUTHORIZED"
    assert set(refused.json()) == ENVELOPE | {"error"}
    missing = mm_sandbox.http.post(f"{mm_sandbox.base_url}/api/market/v1/orderService/order/get")
    assert error(missing)["code"] == "UNAUTHORIZED"


def test_search_and_get_have_mm_fields(mm_sandbox: MmSandbox) -> None:
    product = PRODUCTS[1]
    shipment_id = mm_sandbox.add_cart((product.article, 2))
    found = mm_sandbox.call("orderService/order/search", window(statuses=["NEW"])).json()
    assert found["success"] == 1 and found["data"]["shipments"] == [shipment_id]
    none = mm_sandbox.call("orderService/order/search", window(statuses=["PACKED"])).json()
    assert none["data"]["shipments"] == []
    got = mm_sandbox.call("orderService/order/get", {"shipments": [shipment_id, "1"]}).json()
    [shipment] = got["data"]["shipments"]
    assert shipment["creationDate"].endswith("+03:00")
    assert {"confirmedTimeLimit", "packingTimeLimit", "shippingTimeLimit"} <= set(shipment)
    assert [item["itemIndex"] for item in shipment["items"]] == [1, 2]
    item = shipment["items"][0]
    assert item["offerId"] == product.article and item["quantity"] == 1
    assert item["price"] == product.price_kopecks / 100 and item["status"] == "NEW"


def test_search_checks_its_arguments(mm_sandbox: MmSandbox) -> None:
    naive = window(dateFrom="2024-06-01T10:00:00")
    assert error(mm_sandbox.call("orderService/order/search", naive))["code"] == "VALIDATION_ERROR"
    too_many = window(count=101)
    assert error(mm_sandbox.call("orderService/order/search", too_many))["code"] == (
        "VALIDATION_ERROR"
    )


def test_confirm_rejects_the_lots_left_out(mm_sandbox: MmSandbox) -> None:
    shipment_id = mm_sandbox.add_cart((PRODUCTS[0].article, 2))
    entry = {"shipmentId": shipment_id, "orderCode": "A-1", "items": [{"itemIndex": 1}]}
    assert mm_sandbox.call("orderService/order/confirm", {"shipments": [entry]}).json() == {
        "success": 1,
        "meta": {},
        "data": {"result": 1},
    }
    first, second = mm_sandbox.shipment(shipment_id)["items"]
    assert first["status"] == "CONFIRMED"
    assert (second["status"], second["subStatus"]) == ("MERCHANT_CANCELED", "CONFIRMATION_REJECT")
    assert mm_sandbox.shipment(shipment_id)["orderCode"] == "A-1"
    again = error(mm_sandbox.call("orderService/order/confirm", {"shipments": [entry]}))
    assert again["code"] == "INVALID_STATUS"
    assert (again["shipmentId"], again["itemIndex"]) == (shipment_id, 1)
    bad_code = {**entry, "orderCode": "заказ 1"}
    assert error(mm_sandbox.call("orderService/order/confirm", {"shipments": [bad_code]}))


def test_packing_checks_box_codes(mm_sandbox: MmSandbox) -> None:
    shipment_id = mm_sandbox.add_cart((PRODUCTS[2].article, 1))
    confirm = {"shipmentId": shipment_id, "items": [{"itemIndex": 1}]}
    mm_sandbox.call("orderService/order/confirm", {"shipments": [confirm]})
    box = {"boxIndex": 1, "boxCode": f"1*{shipment_id}*1"}
    wrong = {"shipmentId": shipment_id, "items": [{"itemIndex": 1, "boxes": [box]}]}
    assert error(mm_sandbox.call("orderService/order/packing", {"shipments": [wrong]}))["code"] == (
        "INVALID_BOX_CODE"
    )
    assert mm_sandbox.statuses(shipment_id) == ["CONFIRMED"]


def test_sticker_print_without_pdf_flag_is_html(mm_sandbox: MmSandbox) -> None:
    shipment_id = mm_sandbox.add_cart((PRODUCTS[3].article, 1))
    mm_sandbox.call("orderService/order/confirm", {"shipments": [_lots(shipment_id)]})
    box = {"boxIndex": 1, "boxCode": f"5401*{shipment_id}*1"}
    packing = {"shipmentId": shipment_id, "items": [{"itemIndex": 1, "boxes": [box]}]}
    mm_sandbox.call("orderService/order/packing", {"shipments": [packing]})
    html = mm_sandbox.call("orderService/sticker/print", {"shipmentId": shipment_id}).json()
    assert html["success"] == 1 and box["boxCode"] in html["data"]
    pdf = mm_sandbox.call(
        "orderService/sticker/print", {"shipmentId": shipment_id, "printAsPdf": 1}
    )
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    unknown = {"shipmentId": shipment_id, "boxCodes": ["nope"]}
    assert error(mm_sandbox.call("orderService/sticker/print", unknown))["code"] == (
        "INVALID_BOX_CODE"
    )


def test_faults_have_mm_envelopes(mm_sandbox: MmSandbox) -> None:
    mm_sandbox.faults("429", "500", retry_after=3)
    limited = mm_sandbox.call("orderService/order/search", window())
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.json()["error"][0]["code"] == "TOO_MANY_REQUESTS"
    broken = mm_sandbox.call("orderService/order/search", window())
    assert broken.status_code == 500 and broken.json()["success"] == 0
    assert mm_sandbox.call("orderService/order/search", window()).json()["success"] == 1
    assert mm_sandbox.state()["faults"] == []


def test_stock_update_shape(mm_sandbox: MmSandbox) -> None:
    stocks = {"stocks": [{"offerId": PRODUCTS[0].article, "quantity": -1}]}
    assert error(mm_sandbox.call("offerService/stock/update", stocks))["code"] == (
        "VALIDATION_ERROR"
    )
    stocks = {"stocks": [{"offerId": PRODUCTS[0].article, "quantity": 5}]}
    assert mm_sandbox.call("offerService/stock/update", stocks).json()["success"] == 1
    assert mm_sandbox.state()["stocks"] == [{"offerId": PRODUCTS[0].article, "quantity": 5}]


def test_orders_arrive_by_themselves_in_demo_mode(mm_sandbox: MmSandbox) -> None:
    mm_sandbox.app.config["SANDBOX_ORDERS_PER_MINUTE"] = 2
    search = window(statuses=["NEW"])
    assert mm_sandbox.call("orderService/order/search", search).json()["data"]["shipments"] == []
    mm_sandbox.backdate_generation(95)
    found = mm_sandbox.call("orderService/order/search", search).json()["data"]["shipments"]
    assert len(found) == 3


def test_control_refusals_and_reset(mm_sandbox: MmSandbox) -> None:
    shipment_id = mm_sandbox.add_cart((PRODUCTS[4].article, 1))
    url = f"{mm_sandbox.base_url}/_control/orders"
    assert mm_sandbox.http.post(f"{url}/{shipment_id}/deliver").status_code == 409
    assert mm_sandbox.http.post(f"{url}/1/client-cancel").status_code == 404
    assert (
        mm_sandbox.http.post(url, json={"items": [{"article": "X", "qty": 1}]}).status_code == 400
    )
    mm_sandbox.control("POST", "orders", {"count": 4})
    assert len(mm_sandbox.state()["orders"]) == 5
    mm_sandbox.control("POST", "reset")
    assert mm_sandbox.state()["orders"] == []
    mm_sandbox.app.config["SANDBOX_ENABLED"] = False
    assert mm_sandbox.call("orderService/order/search", window()).status_code == 404
    assert mm_sandbox.http.get(f"{mm_sandbox.base_url}/_control/state").status_code == 404


def _lots(shipment_id: str) -> dict[str, Any]:
    return {"shipmentId": shipment_id, "items": [{"itemIndex": 1}]}
