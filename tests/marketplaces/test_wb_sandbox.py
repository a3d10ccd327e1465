"""The WB sandbox itself, over raw HTTP: WB's shapes, errors, faults and the demo clock."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from warehouse.demo_catalogue import PRODUCTS

if TYPE_CHECKING:
    from conftest import WbSandbox

AUTH = {"Authorization": "sandbox"}
GATEWAY_KEYS = {"title", "detail", "code", "requestId", "origin", "status", "statusText"}


def call(sandbox: WbSandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return sandbox.http.request(method, sandbox.base_url + path, headers=AUTH, **kwargs)


def test_ping_and_refused_token(wb_sandbox: WbSandbox) -> None:
    assert call(wb_sandbox, "GET", "/ping").json()["Status"] == "OK"
    refused = wb_sandbox.http.get(wb_sandbox.base_url + "/ping", headers={"Authorization": "other"})
    assert refused.status_code == 401
    assert GATEWAY_KEYS | {"timestamp"} <= set(refused.json())
    assert refused.json()["status"] == 401


def test_new_order_has_wb_fields(wb_sandbox: WbSandbox) -> None:
    product = PRODUCTS[1]
    [order_id] = wb_sandbox.add_cart((product.article, 1))
    [order] = call(wb_sandbox, "GET", "/api/v3/orders/new").json()["orders"]
    assert order["id"] == int(order_id)
    assert order["skus"] == list(product.barcodes)
    assert (order["nmId"], order["chrtId"]) == (product.wb_nm_id, product.wb_chrt_id)
    assert order["convertedPrice"] == product.price_kopecks
    assert order["currencyCode"] == 643 and order["deliveryType"] == "fbs"
    assert order["createdAt"].endswith("Z")
    assert order["requiredMeta"] == [] and order["address"] is None
    assert order["isZeroOrder"] is False and order["comment"] == ""


def test_orders_list_cursor_and_window(wb_sandbox: WbSandbox) -> None:
    ids = [int(i) for i in wb_sandbox.add_cart((PRODUCTS[0].article, 3))]
    first = call(wb_sandbox, "GET", "/api/v3/orders", params={"limit": 2, "next": 0}).json()
    assert [o["id"] for o in first["orders"]] == ids[:2]
    rest = call(wb_sandbox, "GET", "/api/v3/orders", params={"limit": 2, "next": first["next"]})
    assert [o["id"] for o in rest.json()["orders"]] == ids[2:]
    too_wide = {"limit": 10, "next": 0, "dateFrom": 0, "dateTo": 40 * 24 * 3600}
    refused = call(wb_sandbox, "GET", "/api/v3/orders", params=too_wide)
    assert refused.status_code == 400
    assert refused.json()["code"] == "IncorrectParameter"
    assert call(wb_sandbox, "GET", "/api/v3/orders", params={"next": 0}).status_code == 400


def test_supplies_list_get_and_delete(wb_sandbox: WbSandbox) -> None:
    created = call(wb_sandbox, "POST", "/api/v3/supplies", json={"name": "one"})
    assert created.status_code == 201
    supply_id = created.json()["id"]
    listed = call(wb_sandbox, "GET", "/api/v3/supplies", params={"limit": 10, "next": 0}).json()
    assert [s["id"] for s in listed["supplies"]] == [supply_id]
    assert listed["supplies"][0]["done"] is False
    [order_id] = wb_sandbox.add_cart((PRODUCTS[3].article, 1))
    add = call(
        wb_sandbox,
        "PATCH",
        f"/api/marketplace/v3/supplies/{supply_id}/orders",
        json={"orders": [int(order_id)]},
    )
    assert add.status_code == 204 and add.content == b""
    refused = call(wb_sandbox, "DELETE", f"/api/v3/supplies/{supply_id}")
    assert refused.status_code == 409 and refused.json()["code"] == "SupplyHasOrders"
    empty = call(wb_sandbox, "POST", "/api/v3/supplies", json={"name": "two"}).json()["id"]
    assert call(wb_sandbox, "DELETE", f"/api/v3/supplies/{empty}").status_code == 204
    assert call(wb_sandbox, "GET", f"/api/v3/supplies/{empty}").status_code == 404


def test_closed_supply_takes_no_orders(wb_sandbox: WbSandbox) -> None:
    first, second = wb_sandbox.add_cart((PRODUCTS[0].article, 2))
    supply_id = call(wb_sandbox, "POST", "/api/v3/supplies", json={"name": "s"}).json()["id"]
    path = f"/api/marketplace/v3/supplies/{supply_id}/orders"
    call(wb_sandbox, "PATCH", path, json={"orders": [int(first)]})
    assert call(wb_sandbox, "PATCH", f"/api/v3/supplies/{supply_id}/deliver").status_code == 204
    late = call(wb_sandbox, "PATCH", path, json={"orders": [int(second)]})
    assert late.status_code == 409
    assert late.json()["code"] == "FailedToAddSupplyOrder"


def test_stickers_formats_and_sizes(wb_sandbox: WbSandbox) -> None:
    new, confirmed = (int(i) for i in wb_sandbox.add_cart((PRODUCTS[2].article, 2)))
    supply_id = call(wb_sandbox, "POST", "/api/v3/supplies", json={"name": "s"}).json()["id"]
    call(
        wb_sandbox,
        "PATCH",
        f"/api/marketplace/v3/supplies/{supply_id}/orders",
        json={"orders": [confirmed]},
    )
    params = {"type": "zplh", "width": 40, "height": 30}
    body = {"orders": [new, confirmed]}
    [sticker] = call(
        wb_sandbox, "POST", "/api/v3/orders/stickers", params=params, json=body
    ).json()["stickers"]
    assert sticker["orderId"] == confirmed
    assert sticker["partA"] and len(sticker["partB"]) == 4
    zpl = base64.b64decode(sticker["file"]).decode()
    assert zpl.startswith("^XA^CI28^PW320^LL240") and sticker["barcode"] in zpl
    png = call(wb_sandbox, "POST", "/api/v3/orders/stickers", params={**params, "type": "png"})
    assert png.status_code == 400 and png.json()["code"] == "IncorrectParameter"
    odd = call(
        wb_sandbox, "POST", "/api/v3/orders/stickers", params={**params, "width": 100}, json=body
    )
    assert odd.status_code == 400


def test_rate_limit_fault_has_wb_headers_and_body(wb_sandbox: WbSandbox) -> None:
    wb_sandbox.faults("429", "500", retry_after=3)
    limited = call(wb_sandbox, "GET", "/api/v3/warehouses")
    assert limited.status_code == 429
    assert limited.headers["X-Ratelimit-Retry"] == "3"
    assert "X-Ratelimit-Reset" in limited.headers and "X-Ratelimit-Limit" in limited.headers
    assert set(limited.json()) >= GATEWAY_KEYS
    assert call(wb_sandbox, "GET", "/api/v3/warehouses").status_code == 500
    assert call(wb_sandbox, "GET", "/api/v3/warehouses").status_code == 200
    with pytest.raises(httpx.HTTPStatusError):
        wb_sandbox.control("POST", "faults", {"queue": ["teapot"]})


def test_stock_without_chrt_id_changes_nothing(wb_sandbox: WbSandbox) -> None:
    [warehouse] = call(wb_sandbox, "GET", "/api/v3/warehouses").json()
    path = f"/api/v3/stocks/{warehouse['id']}"
    sku_only = {"stocks": [{"sku": PRODUCTS[0].barcodes[0], "amount": 5}]}
    assert call(wb_sandbox, "PUT", path, json=sku_only).status_code == 204
    assert wb_sandbox.state()["stocks"] == []
    wrong = call(wb_sandbox, "PUT", "/api/v3/stocks/1", json=sku_only)
    assert wrong.status_code == 404


def test_orders_arrive_by_themselves_in_demo_mode(wb_sandbox: WbSandbox) -> None:
    wb_sandbox.app.config["SANDBOX_ORDERS_PER_MINUTE"] = 2
    assert call(wb_sandbox, "GET", "/api/v3/orders/new").json()["orders"] == []  # clock starts
    wb_sandbox.backdate_generation(95)
    assert len(call(wb_sandbox, "GET", "/api/v3/orders/new").json()["orders"]) == 3
    assert len(call(wb_sandbox, "GET", "/api/v3/orders/new").json()["orders"]) == 3
    wb_sandbox.backdate_generation(3600)
    assert len(call(wb_sandbox, "GET", "/api/v3/orders/new").json()["orders"]) == 3 + 10


def test_client_cancel_hides_a_new_order(wb_sandbox: WbSandbox) -> None:
    [order_id] = wb_sandbox.add_cart((PRODUCTS[4].article, 1))
    wb_sandbox.control("POST", f"orders/{order_id}/client-cancel")
    assert call(wb_sandbox, "GET", "/api/v3/orders/new").json()["orders"] == []
    statuses = call(wb_sandbox, "POST", "/api/v3/orders/status", json={"orders": [int(order_id)]})
    assert statuses.json()["orders"][0]["wbStatus"] == "declined_by_client"


def test_reset_and_switched_off(wb_sandbox: WbSandbox) -> None:
    wb_sandbox.control("POST", "orders", {"count": 4})
    assert len(wb_sandbox.state()["orders"]) == 4
    wb_sandbox.control("POST", "reset")
    assert wb_sandbox.state()["orders"] == []
    wb_sandbox.app.config["SANDBOX_ENABLED"] = False
    assert call(wb_sandbox, "GET", "/ping").status_code == 404
    assert wb_sandbox.http.get(wb_sandbox.base_url + "/_control/state").status_code == 404
