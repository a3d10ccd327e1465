"""The Megamarket sandbox itself, over raw HTTP: MM's envelope, errors, faults, demo clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse.demo_catalogue import PRODUCTS

if TYPE_CHECKING:
    from conftest import MmSandbox

ENVELOPE = {"success", "meta", "data"}
REFERENCE = json.loads((Path(__file__).parent / "payloads" / "order_get.json").read_text())


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
    assert [item["itemIndex"] for item in shipment["items"]] == ["1", "2"]
    assert isinstance(shipment["shippingPoint"], int) and "merchantId" not in shipment
    item = shipment["items"][0]
    reference = REFERENCE["data"]["shipments"][0]["items"][0]
    assert set(item) <= set(reference) | {"digitalMark"}  # no box codes, no invented fields
    assert item["goodsData"]["name"] == product.name and item["boxIndex"] is None
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


def test_sticker_print_names_boxes_and_items(mm_sandbox: MmSandbox) -> None:
    shipment_id, box = _packed(mm_sandbox, PRODUCTS[3].article)
    item = {"itemIndex": "1", "quantity": 1, "boxes": [box]}
    entry = {"shipmentId": shipment_id, "boxCodes": [box["boxCode"]], "items": [item]}
    html = mm_sandbox.call("orderService/sticker/print", {"shipments": [entry]}).json()
    assert html["success"] == 1 and box["boxCode"] in html["data"]
    pdf = mm_sandbox.call("orderService/sticker/print", {"shipments": [entry], "printAsPdf": True})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    no_items = {"shipmentId": shipment_id, "boxCodes": [box["boxCode"]]}
    answer = mm_sandbox.call("orderService/sticker/print", {"shipments": [no_items]})
    assert error(answer)["code"] == "VALIDATION_ERROR"
    unknown = {**entry, "boxCodes": ["nope"]}
    answer = mm_sandbox.call("orderService/sticker/print", {"shipments": [unknown]})
    assert error(answer)["code"] == "INVALID_BOX_CODE"


def test_shipping_checks_boxes_date_and_point(mm_sandbox: MmSandbox) -> None:
    shipment_id, box = _packed(mm_sandbox, PRODUCTS[3].article)
    shipping = {"shippingDate": "2024-06-05T10:00:00+03:00", "shippingPoint": 770001}

    def ship(**entry: Any) -> Any:
        body = {"shipmentId": shipment_id, "boxes": [box], "shipping": shipping, **entry}
        return mm_sandbox.call("orderService/order/shipping", {"shipments": [body]})

    assert error(ship(boxes=[]))["code"] == "INVALID_BOX_CODE"
    assert error(ship(boxes=[{**box, "boxCode": "1*2*1"}]))["code"] == "INVALID_BOX_CODE"
    assert error(ship(shipping={**shipping, "shippingPoint": ""}))["code"] == "VALIDATION_ERROR"
    assert error(ship(shipping={"shippingDate": "5 June"}))["code"] == "VALIDATION_ERROR"
    assert mm_sandbox.statuses(shipment_id) == ["PACKED"]
    assert ship(shipping={"shippingDate": shipping["shippingDate"]}).json()["success"] == 1
    assert mm_sandbox.statuses(shipment_id) == ["SHIPPED"]
    assert error(ship())["code"] == "INVALID_STATUS"
    mm_sandbox.control("POST", f"orders/{shipment_id}/shipped-at", {"ageSeconds": 7 * 3600})
    assert mm_sandbox.statuses(shipment_id) == ["DELIVERED"]  # the sandbox clock moved it


def test_awkward_states_on_demand(mm_sandbox: MmSandbox) -> None:
    shipment_id = mm_sandbox.add_cart((PRODUCTS[0].article, 2))
    mm_sandbox.set_status(shipment_id, "PENDING_CONFIRMATION")
    assert mm_sandbox.statuses(shipment_id) == ["PENDING_CONFIRMATION"] * 2
    mm_sandbox.set_status(shipment_id, "SHIPPING_EXPIRED", itemIndexes=["2"])
    mm_sandbox.set_status(
        shipment_id, "MERCHANT_CANCELED", subStatus="CONFIRMATION_EXPIRED", itemIndexes=["1"]
    )
    items = mm_sandbox.shipment(shipment_id)["items"]
    assert [(i["status"], i["subStatus"]) for i in items] == [
        ("MERCHANT_CANCELED", "CONFIRMATION_EXPIRED"),
        ("SHIPPING_EXPIRED", None),
    ]
    url = f"{mm_sandbox.base_url}/_control/orders/{shipment_id}/status"
    assert mm_sandbox.http.post(url, json={"status": "CANCELED"}).status_code == 400


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
    return {"shipmentId": shipment_id, "items": [{"itemIndex": "1"}]}


def _packed(mm_sandbox: MmSandbox, article: str) -> tuple[str, dict[str, Any]]:
    """A one-lot shipment confirmed and packed in box 1; returns (id, the box)."""
    shipment_id = mm_sandbox.add_cart((article, 1))
    mm_sandbox.call("orderService/order/confirm", {"shipments": [_lots(shipment_id)]})
    box = {"boxIndex": 1, "boxCode": f"5401*{shipment_id}*1"}
    packing = {"shipmentId": shipment_id, "items": [{"itemIndex": "1", "boxes": [box]}]}
    mm_sandbox.call("orderService/order/packing", {"shipments": [packing]})
    return shipment_id, box
