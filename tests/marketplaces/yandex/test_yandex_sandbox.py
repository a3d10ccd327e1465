"""The Yandex Market sandbox itself, over raw HTTP: YM's bodies, headers and checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import pytest

from printers import graphics
from tests.printers.decode import decode_all
from warehouse.demo_catalogue import PRODUCTS

if TYPE_CHECKING:
    from conftest import YmSandbox

MARKED = PRODUCTS[0]
MUG = PRODUCTS[2]
CIS = "01030410947874432155Qbag!\x1d93Zjqw"  # the spec's example
ORDERS = "/v1/businesses/1/orders"


def _order_path(order_id: str, tail: str) -> str:
    return f"/v2/campaigns/1/orders/{order_id}/{tail}"


def _item_id(sandbox: YmSandbox, order_id: str, index: int = 0) -> int:
    return sandbox.order_state(order_id)["items"][index]["id"]


def _boxes(sandbox: YmSandbox, order_id: str, boxes: list[Any]) -> Any:
    return sandbox.call("PUT", _order_path(order_id, "boxes"), json={"boxes": boxes})


def test_switched_off_sandbox_is_404(ym_sandbox: YmSandbox) -> None:
    ym_sandbox.app.config["SANDBOX_ENABLED"] = False
    assert ym_sandbox.call("GET", "/v2/campaigns").status_code == 404


def test_missing_and_wrong_keys_get_yms_401(ym_sandbox: YmSandbox) -> None:
    missing = ym_sandbox.http.get(f"{ym_sandbox.base_url}/v2/campaigns")
    assert missing.status_code == 401
    assert missing.json() == {
        "status": "ERROR",
        "errors": [{"code": "UNAUTHORIZED", "message": "Credentials are not specified"}],
    }
    wrong = ym_sandbox.call("GET", "/v2/campaigns", key="Bearer sandbox")
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["message"] == "Api-Key token is invalid"


def test_foreign_campaign_in_the_search_body_is_forbidden(ym_sandbox: YmSandbox) -> None:
    answer = ym_sandbox.call("POST", ORDERS, json={"campaignIds": [7]})
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["code"] == "FORBIDDEN"


def test_campaigns_list(ym_sandbox: YmSandbox) -> None:
    [campaign] = ym_sandbox.call("GET", "/v2/campaigns").json()["campaigns"]
    assert campaign["id"] == 1 and campaign["business"]["id"] == 1
    assert campaign["placementType"] == "FBS"


def test_throttling_is_420_with_a_resource_until_date(ym_sandbox: YmSandbox) -> None:
    ym_sandbox.faults("429", retry_after=5)
    answer = ym_sandbox.call("POST", ORDERS, json={})
    assert answer.status_code == 420
    until = parsedate_to_datetime(answer.headers["X-RateLimit-Resource-Until"])
    assert 4 <= (until - datetime.now(UTC)).total_seconds() <= 6.5
    assert answer.headers["X-RateLimit-Resource-Remaining"] == "0"
    assert answer.json()["errors"][0]["message"].startswith("Hit rate limit of")
    assert ym_sandbox.state()["faults"] == []


def test_search_filters_and_limit(ym_sandbox: YmSandbox) -> None:
    first = ym_sandbox.add_order((MUG.article, 1))
    second = ym_sandbox.add_order((MUG.article, 1))
    ym_sandbox.control("POST", f"orders/{second}/client-cancel")
    page = ym_sandbox.call("POST", ORDERS, json={"statuses": ["PROCESSING"]}).json()
    assert [str(order["orderId"]) for order in page["orders"]] == [first]
    assert page["paging"] == {}
    one = ym_sandbox.call("POST", f"{ORDERS}?limit=1", json={}).json()
    assert len(one["orders"]) == 1 and one["paging"]["nextPageToken"]
    token = one["paging"]["nextPageToken"]
    rest = ym_sandbox.call("POST", f"{ORDERS}?limit=1&page_token={token}", json={}).json()
    assert [str(order["orderId"]) for order in rest["orders"]] == [second]
    bad = ym_sandbox.call("POST", f"{ORDERS}?page_token=%%%", json={})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "BAD_REQUEST"


def test_partial_boxes_count_one_unit_per_set(ym_sandbox: YmSandbox) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    item = _item_id(ym_sandbox, order_id)
    parts = [{"items": [{"id": item, "partialCount": {"current": n, "total": 2}}]} for n in (1, 2)]
    answer = _boxes(ym_sandbox, order_id, parts)
    assert answer.status_code == 200
    boxes = answer.json()["result"]["boxes"]
    assert [box["items"][0]["partialCount"]["current"] for box in boxes] == [1, 2]
    assert len({box["boxId"] for box in boxes}) == 2


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([{"id": 1, "fullCount": 1}], "ITEM_NOT_FOUND"),
        ([{"id": "ITEM", "fullCount": 3}], "ITEMS_ADDITION_NOT_SUPPORTED"),
        ([{"id": "ITEM", "fullCount": 1}], "BAD_REQUEST"),
        (
            [{"id": "ITEM", "fullCount": 2, "instances": [{"cis": CIS}, {"cis": CIS}]}],
            "DUPLICATE_CIS",
        ),
        (
            [
                {
                    "id": "ITEM",
                    "fullCount": 2,
                    "instances": [{"cis": CIS}, {"cis": "a"}, {"cis": "b"}],
                }
            ],
            "TOO_MANY_CISES_FOR_ITEM",
        ),
        (
            [{"id": "ITEM", "fullCount": 2, "partialCount": {"current": 1, "total": 2}}],
            "INVALID_ITEM",
        ),
    ],
)
def test_bad_layouts_are_refused(
    ym_sandbox: YmSandbox, items: list[dict[str, Any]], code: str
) -> None:
    order_id = ym_sandbox.add_order((MARKED.article, 2))
    item = _item_id(ym_sandbox, order_id)
    items = [{**entry, "id": item if entry["id"] == "ITEM" else entry["id"]} for entry in items]
    answer = _boxes(ym_sandbox, order_id, [{"items": items}])
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == code
    assert ym_sandbox.order_state(order_id)["boxes"] == []


def test_status_update_answers_per_order(ym_sandbox: YmSandbox) -> None:
    ready = ym_sandbox.add_order((MUG.article, 1))
    bare = ym_sandbox.add_order((MUG.article, 1))
    _boxes(ym_sandbox, ready, [{"items": [{"id": _item_id(ym_sandbox, ready), "fullCount": 1}]}])
    orders = [
        {"id": int(order_id), "status": "PROCESSING", "substatus": "READY_TO_SHIP"}
        for order_id in (ready, bare)
    ]
    answer = ym_sandbox.call(
        "POST", "/v2/campaigns/1/orders/status-update", json={"orders": orders}
    )
    results = answer.json()["result"]["orders"]
    assert [result["updateStatus"] for result in results] == ["OK", "ERROR"]
    assert "boxes" in results[1]["errorDetails"]


def test_shop_may_not_set_delivery_statuses(ym_sandbox: YmSandbox) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    body = {"order": {"status": "DELIVERED", "substatus": "DELIVERY_SERVICE_DELIVERED"}}
    answer = ym_sandbox.call("PUT", _order_path(order_id, "status"), json=body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "STATUS_NOT_ALLOWED"
    body = {"order": {"status": "CANCELLED", "substatus": "USER_CHANGED_MIND"}}
    answer = ym_sandbox.call("PUT", _order_path(order_id, "status"), json=body)
    assert answer.json()["errors"][0]["code"] == "SUBSTATUS_NOT_ALLOWED"


def test_label_formats_and_data(ym_sandbox: YmSandbox) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    _boxes(
        ym_sandbox, order_id, [{"items": [{"id": _item_id(ym_sandbox, order_id), "fullCount": 1}]}]
    )
    a9 = ym_sandbox.call("GET", _order_path(order_id, "delivery/labels?format=A9_HORIZONTALLY"))
    assert a9.headers["Content-Type"] == "application/pdf"
    pdf = a9.content
    assert b"/MediaBox [0 0 164.41 113.39]" in pdf
    startxref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[startxref:].startswith(b"xref")
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", pdf), start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    # the box's barcode survives rasterising for a 203-dpi printer
    zpl = graphics.pdf_to_zpl(pdf, dpi=203, width_mm=58, height_mm=40)
    assert decode_all(zpl, 203) == [("Code128", f"{order_id}-1")]
    bad = ym_sandbox.call("GET", _order_path(order_id, "delivery/labels?format=A5"))
    assert bad.status_code == 400
    data = ym_sandbox.call("GET", _order_path(order_id, "delivery/labels/data")).json()["result"]
    [box] = data["parcelBoxLabels"]
    assert box["fulfilmentId"] == f"{order_id}-1" and box["place"] == "1/1"


def test_ship_control_follows_the_life_cycle(ym_sandbox: YmSandbox) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    early = ym_sandbox.http.post(f"{ym_sandbox.base_url}/_control/orders/{order_id}/ship")
    assert early.status_code == 400
    assert early.json()["errors"][0]["code"] == "STATUS_NOT_ALLOWED"


def test_client_cancel_of_a_cancelled_order_is_refused(ym_sandbox: YmSandbox) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 1))
    ym_sandbox.control("POST", f"orders/{order_id}/client-cancel")
    again = ym_sandbox.http.post(f"{ym_sandbox.base_url}/_control/orders/{order_id}/client-cancel")
    assert again.status_code == 400


def test_control_orders_with_unknown_article(ym_sandbox: YmSandbox) -> None:
    answer = ym_sandbox.http.post(
        f"{ym_sandbox.base_url}/_control/orders", json={"items": [{"article": "NOPE", "qty": 1}]}
    )
    assert answer.status_code == 400


def test_demo_mode_generates_orders_when_searched(ym_sandbox: YmSandbox) -> None:
    ym_sandbox.app.config["SANDBOX_ORDERS_PER_MINUTE"] = 2
    assert ym_sandbox.call("POST", ORDERS, json={}).json()["orders"] == []  # starts the clock
    ym_sandbox.backdate_generation(61)
    found = ym_sandbox.call("POST", ORDERS, json={}).json()["orders"]
    assert len(found) == 2
    assert {order["status"] for order in found} == {"PROCESSING"}


def test_state_shows_stock_and_faults(ym_sandbox: YmSandbox) -> None:
    body = {
        "skus": [{"sku": MUG.article, "items": [{"count": 4, "updatedAt": "2026-01-01T00:00:00Z"}]}]
    }
    assert ym_sandbox.call("PUT", "/v2/campaigns/1/offers/stocks", json=body).json() == {
        "status": "OK"
    }
    bad = ym_sandbox.call("PUT", "/v2/campaigns/1/offers/stocks", json={"skus": []})
    assert bad.status_code == 400
    ym_sandbox.faults("500", "drop")
    state = ym_sandbox.state()
    assert state["stocks"] == [{"campaignId": 1, "sku": MUG.article, "count": 4}]
    assert state["faults"] == ["500", "drop"]
