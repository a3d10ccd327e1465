"""The WB calls of a hand-over: deliver the supply, its QR, marking codes read back,
orders moved to another supply — fed WB's reference answers, then the sandbox's.

Reference answers (``reference/wb.json``) come from WB's orders-fbs OpenAPI; the sandbox
must answer with the same shapes and codes (``test_sandbox_answers_are_shaped_like_*``).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import httpx
import pytest
import zxingcpp
from sqlalchemy import update

from printers.preview import render
from tests.marketplaces.reference_server import example, replaying
from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import RejectedError
from warehouse.marketplaces.sandbox import common
from warehouse.marketplaces.wildberries import SgtinMeta, WildberriesClient
from warehouse.orders.statuses import DEFAULTS, unified

if TYPE_CHECKING:
    from conftest import WbSandbox

SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]
GS = "\x1d"
CODE = f"0104601234567893215ABCDEfghIJKL{GS}91EE06{GS}92abcdefgh"
DELIVER = "/api/v3/supplies/WB-GI-12345678/deliver"
BARCODE = "/api/v3/supplies/WB-GI-12345678/barcode"
META = "/api/marketplace/v3/orders/meta"


def keys(value: object) -> object:
    """The shape of a JSON value: its keys, recursively (first item of a list)."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return type(value).__name__ if value is not None else None


# --- the connector fed WB's reference answers ------------------------------------------------


def test_deliver_reads_the_reference_answers() -> None:
    with replaying({("PATCH", DELIVER): (204, None)}) as wb, WildberriesClient(wb.url, "t") as c:
        assert c.deliver_supply("WB-GI-12345678") is True
    zero = example("wb", "supply_has_zero_orders")
    with replaying({("PATCH", DELIVER): (409, zero)}) as wb, WildberriesClient(wb.url, "t") as c:
        assert c.deliver_supply("WB-GI-12345678") is False  # nothing to deliver, not an error
    failed = example("wb", "meta_validation_fail")
    with (
        replaying({("PATCH", DELIVER): (409, failed)}) as wb,
        WildberriesClient(wb.url, "t") as c,
        pytest.raises(RejectedError) as caught,
    ):
        c.deliver_supply("WB-GI-12345678")
    assert caught.value.code == "MetaValidationFail"
    assert "Fix them to dispatch items" in str(caught.value)


def test_supply_qr_reads_the_reference_answer() -> None:
    answer = example("wb", "supply_barcode")
    with replaying({("GET", BARCODE): (200, answer)}) as wb, WildberriesClient(wb.url, "t") as c:
        label = c.supply_qr("WB-GI-12345678")
    assert (label.content, label.format, label.barcode) == (
        b"Swagger rocks",
        "zpl",
        "WB-GI-12345678",
    )
    assert wb.calls == [("GET", BARCODE, {"type": "zplv"}, None)]
    refused = example("wb", "supply_not_closed")
    with (
        replaying({("GET", BARCODE): (409, refused)}) as wb,
        WildberriesClient(wb.url, "t") as c,
        pytest.raises(RejectedError) as caught,
    ):
        c.supply_qr("WB-GI-12345678", kind="zplh")
    assert caught.value.code == "SupplyNotClosed"


def test_supply_qr_of_an_unknown_kind_is_refused_before_asking() -> None:
    with WildberriesClient("http://127.0.0.1:9", "t") as client, pytest.raises(RejectedError):
        client.supply_qr("WB-GI-1", kind="pdf")


def test_sgtin_meta_reads_the_2026_reference_answer() -> None:
    answer = example("wb", "orders_meta_2026")
    with replaying({("POST", META): (200, answer)}) as wb, WildberriesClient(wb.url, "t") as c:
        found = c.sgtin_meta([123456, "234567", 345678, 456789, 567890])
    assert wb.calls[0][3] == {"orders": [123456, 234567, 345678, 456789, 567890]}
    [first, second] = answer["orders"][0]["metaDetails"]
    assert found == {
        "123456": SgtinMeta(codes=(first["value"], second["value"])),
        "234567": SgtinMeta(),  # required, still missing
        "345678": SgtinMeta(codes=("0104601234567893215PENDINGxxxxx",), pending=True),
        "456789": SgtinMeta(codes=("0104601234567893215NOTFOUNDxxxx",), failed=("sgtinNotFound",)),
    }  # 567890 carries a uin only: no sgtin to check


def test_sgtin_meta_reads_the_2025_reference_answer() -> None:
    answer = example("wb", "orders_meta_2025")
    with replaying({("POST", META): (200, answer)}) as wb, WildberriesClient(wb.url, "t") as c:
        assert c.sgtin_meta([123456, 234567]) == {"123456": SgtinMeta(codes=("123456789012345",))}


def test_moving_an_order_reads_the_reference_refusal() -> None:
    path = "/api/marketplace/v3/supplies/WB-GI-12345678/orders"
    refused = example("wb", "failed_to_add_supply_order")
    with (
        replaying({("PATCH", path): (409, refused)}) as wb,
        WildberriesClient(wb.url, "t") as c,
        pytest.raises(RejectedError) as caught,
    ):
        c.add_to_supply("WB-GI-12345678", ["5632423"])
    assert caught.value.code == "FailedToAddSupplyOrder"
    assert wb.calls[0][3] == {"orders": [5632423]}


# --- the sandbox answers as the reference shows -----------------------------------------------


def raw(sandbox: WbSandbox, method: str, path: str, **kwargs: object) -> httpx.Response:
    headers = {"Authorization": "sandbox"}
    return sandbox.http.request(method, f"{sandbox.base_url}{path}", headers=headers, **kwargs)


def test_sandbox_answers_are_shaped_like_the_reference_refusals(wb_sandbox: WbSandbox) -> None:
    supply = raw(wb_sandbox, "POST", "/api/v3/supplies", json={"name": "s"}).json()["id"]
    empty = raw(wb_sandbox, "PATCH", f"/api/v3/supplies/{supply}/deliver")
    assert empty.status_code == 409
    reference = example("wb", "supply_has_zero_orders")
    assert {k: v for k, v in empty.json().items() if k != "data"} == reference
    early = raw(wb_sandbox, "GET", f"/api/v3/supplies/{supply}/barcode", params={"type": "zplv"})
    assert early.status_code == 409
    assert early.json()["code"] == example("wb", "supply_not_closed")["code"]
    [order_id] = wb_sandbox.control(
        "POST", "orders", {"items": [{"article": SHIRT.article, "requiredMeta": ["sgtin"]}]}
    ).json()["ids"]
    raw(
        wb_sandbox,
        "PATCH",
        f"/api/marketplace/v3/supplies/{supply}/orders",
        json={"orders": [order_id]},
    )
    unmarked = raw(wb_sandbox, "PATCH", f"/api/v3/supplies/{supply}/deliver")
    assert unmarked.status_code == 409
    assert keys(unmarked.json()) == keys(example("wb", "meta_validation_fail"))
    assert unmarked.json()["data"]["orders"][0]["id"] == order_id


def test_sandbox_answers_are_shaped_like_the_reference_answers(wb_sandbox: WbSandbox) -> None:
    [order_id] = wb_sandbox.control(
        "POST", "orders", {"items": [{"article": SHIRT.article, "requiredMeta": ["sgtin"]}]}
    ).json()["ids"]
    supply = raw(wb_sandbox, "POST", "/api/v3/supplies", json={"name": "s"}).json()["id"]
    raw(
        wb_sandbox,
        "PATCH",
        f"/api/marketplace/v3/supplies/{supply}/orders",
        json={"orders": [order_id]},
    )
    missing = raw(wb_sandbox, "POST", META, json={"orders": [order_id]}).json()
    assert missing == {
        "orders": [
            {
                "id": order_id,
                "metaDetails": [{"key": "sgtin", "value": None, "decision": "required"}],
            }
        ]
    }
    raw(wb_sandbox, "PUT", f"/api/v3/orders/{order_id}/meta/sgtin", json={"sgtins": [CODE]})
    meta = raw(wb_sandbox, "POST", META, json={"orders": [order_id]}).json()
    assert keys(meta) == keys(example("wb", "orders_meta_2026"))
    assert raw(wb_sandbox, "PATCH", f"/api/v3/supplies/{supply}/deliver").status_code == 204
    qr = raw(wb_sandbox, "GET", f"/api/v3/supplies/{supply}/barcode", params={"type": "zplh"})
    assert keys(qr.json()) == keys(example("wb", "supply_barcode"))
    assert qr.json()["barcode"] == supply
    assert raw(wb_sandbox, "GET", f"/api/v3/supplies/{supply}/barcode").status_code == 400


# --- the connector against the sandbox: a whole hand-over ------------------------------------


def confirmed(sandbox: WbSandbox, client: WildberriesClient, *items: dict) -> tuple[str, list[str]]:
    ids = [str(i) for i in sandbox.control("POST", "orders", {"items": list(items)}).json()["ids"]]
    supply = client.create_supply("warehouse 2026-12-06")
    client.add_to_supply(supply, ids)
    return supply, ids


def test_a_supply_handed_over_with_its_codes_and_qr(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    marked = {"article": SHIRT.article, "qty": 1, "requiredMeta": ["sgtin"]}
    supply, [shirt, mug] = confirmed(wb_sandbox, wb_client, marked, {"article": MUG.article})

    assert wb_client.sgtin_meta([shirt, mug]) == {shirt: SgtinMeta()}  # the mug needs none
    with pytest.raises(RejectedError) as caught:
        wb_client.supply_qr(supply)
    assert caught.value.code == "SupplyNotClosed"
    with pytest.raises(RejectedError) as caught:
        wb_client.deliver_supply(supply)
    assert caught.value.code == "MetaValidationFail"

    wb_client.set_sgtins(shirt, [CODE])
    assert wb_client.sgtin_meta([shirt]) == {shirt: SgtinMeta(codes=(CODE,))}
    assert wb_client.deliver_supply(supply) is True
    assert wb_client.status_pairs([shirt, mug]) == {
        shirt: ("complete", "waiting"),
        mug: ("complete", "waiting"),
    }

    label = wb_client.supply_qr(supply)
    assert label.barcode == supply and label.format == "zpl"
    assert f"^BQN,2,10^FDQA,{supply}^FS" in label.content.decode()
    image = render(label.content).labels[0].image.convert("L")
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [supply]
    horizontal = wb_client.supply_qr(supply, kind="zplh").content
    [found] = zxingcpp.read_barcodes(render(horizontal).labels[0].image.convert("L"))
    assert found.text == supply


def test_a_delivered_supply_takes_no_orders_and_an_empty_one_has_nothing_to_deliver(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    supply, _ids = confirmed(wb_sandbox, wb_client, {"article": MUG.article})
    wb_client.deliver_supply(supply)
    [late] = wb_sandbox.add_cart((MUG.article, 1))
    with pytest.raises(RejectedError) as caught:
        wb_client.add_to_supply(supply, [late])
    assert caught.value.code == "FailedToAddSupplyOrder"
    assert wb_client.deliver_supply(wb_client.create_supply("empty")) is False


def test_an_order_left_out_moves_to_a_new_supply(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    supply, [going, left] = confirmed(wb_sandbox, wb_client, {"article": MUG.article, "qty": 2})
    later = wb_client.create_supply("next pickup")
    wb_client.add_to_supply(later, [left])
    assert wb_client.supply_order_ids(supply) == [going]
    assert wb_client.supply_order_ids(later) == [left]
    wb_client.deliver_supply(supply)
    assert wb_client.status_pairs([going, left]) == {
        going: ("complete", "waiting"),
        left: ("confirm", "waiting"),
    }


def test_wb_moves_handed_over_orders_on_and_a_buyer_may_still_cancel(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    table = DEFAULTS["wb"]
    supply, [kept, refused] = confirmed(wb_sandbox, wb_client, {"article": MUG.article, "qty": 2})
    wb_client.deliver_supply(supply)
    wb_sandbox.control("POST", f"orders/{refused}/client-cancel")
    statuses = wb_client.order_statuses([kept, refused])
    assert statuses == {kept: "complete/waiting", refused: "complete/canceled_by_client"}
    assert unified(table, statuses[refused]) == "cancelled"

    wb_sandbox.control("POST", "advance")
    assert wb_client.order_statuses([kept]) == {kept: "complete/sorted"}
    assert unified(table, "complete/sorted") == "shipped"
    wb_sandbox.control("POST", "advance", {"steps": 2})
    assert wb_client.order_statuses([kept, refused]) == {
        kept: "complete/sold",
        refused: "complete/canceled_by_client",
    }
    assert unified(table, "complete/sold") == "delivered"
    with pytest.raises(httpx.HTTPStatusError):
        wb_sandbox.control("POST", f"orders/{kept}/client-cancel")  # sold: too late


def test_demo_clock_moves_handed_over_orders(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    supply, [order_id] = confirmed(wb_sandbox, wb_client, {"article": MUG.article})
    wb_client.deliver_supply(supply)
    wb_sandbox.app.config["SANDBOX_ORDERS_PER_MINUTE"] = 6  # a step every ten seconds
    wb_client.order_statuses([order_id])  # the first call starts the clock
    assert wb_client.order_statuses([order_id]) == {order_id: "complete/waiting"}
    # fifteen seconds later: one step, however slow the machine is (up to five seconds)
    with wb_sandbox.app.app_context(), common.begin() as conn:
        clock = common.clock
        conn.execute(update(clock).where(clock.c.name == "wb:progress").values(ts=clock.c.ts - 15))
    assert wb_client.order_statuses([order_id]) == {order_id: "complete/sorted"}


def test_qr_file_is_base64_of_the_zpl(wb_sandbox: WbSandbox, wb_client: WildberriesClient) -> None:
    supply, _ids = confirmed(wb_sandbox, wb_client, {"article": MUG.article})
    wb_client.deliver_supply(supply)
    answer = raw(wb_sandbox, "GET", f"/api/v3/supplies/{supply}/barcode", params={"type": "zplv"})
    assert base64.b64decode(answer.json()["file"]).startswith(b"^XA^CI28^PW580^LL400")
