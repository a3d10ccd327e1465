"""Ozon's hand-over calls: the connector against the sandbox and the reference's examples."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
import zxingcpp
from PIL import Image

from tests.marketplaces.ozon.reference_server import ReferenceServer, example
from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.sandbox import ozon_state

if TYPE_CHECKING:
    from conftest import OzonSandbox

MUG = PRODUCTS[2]
METHOD = ozon_state.DELIVERY_METHOD_ID


def shipped(sandbox: OzonSandbox, client: OzonClient) -> str:
    number = sandbox.add_cart((MUG.article, 1))
    client.ship(number, [[(MUG.article, 1)]])
    return number


def test_the_act_forms_then_gives_its_papers(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.app.config["SANDBOX_OZON_ACT_SECONDS"] = 30
    going = shipped(ozon_sandbox, ozon_client)
    late = shipped(ozon_sandbox, ozon_client)

    act_id = ozon_client.create_act(METHOD, date.today())
    ozon_sandbox.control("POST", f"orders/{late}/client-cancel")  # while the act forms
    forming = ozon_client.act_status(act_id)
    assert (forming.status, forming.added, forming.removed) == ("in_process", (), ())
    with pytest.raises(RejectedError) as caught:
        ozon_client.act_pdf(act_id)
    assert caught.value.code == "Incorrect_carriage_status"
    with pytest.raises(TransientError):  # a second act while one is forming: later
        ozon_client.create_act(METHOD, date.today())

    ozon_sandbox.app.config["SANDBOX_OZON_ACT_SECONDS"] = 0
    ready = ozon_client.act_status(act_id)
    assert (ready.status, ready.added, ready.removed) == ("ready", (going,), (late,))
    assert ready.more_to_ship and not ready.digital
    papers = ozon_client.act_pdf(act_id)
    assert papers.startswith(b"%PDF") and going.encode() in papers
    assert b"waybill" in papers
    text = ozon_client.act_barcode_text(act_id)
    assert text == f"%303%{act_id}"
    png = ozon_client.act_barcode(act_id)
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found.text == text
    [listed] = ozon_client.acts(date.today(), date.today())
    assert listed["id"] == act_id and listed["delivery_method_id"] == METHOD


def test_postings_due_but_not_packed_are_left_out(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.app.config["SANDBOX_OZON_ACT_SECONDS"] = 0
    going = shipped(ozon_sandbox, ozon_client)
    unpacked = ozon_sandbox.add_cart((MUG.article, 1))  # due in two days
    act_id = ozon_client.create_act(METHOD, date.today() + timedelta(days=2))
    status = ozon_client.act_status(act_id)
    assert (status.added, status.removed) == ((going,), (unpacked,))


def test_the_courier_takes_the_acts_postings(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.app.config["SANDBOX_OZON_ACT_SECONDS"] = 0
    number = shipped(ozon_sandbox, ozon_client)
    act_id = ozon_client.create_act(METHOD, date.today())
    assert ozon_client.act_status(act_id).added == (number,)
    ozon_sandbox.control("POST", f"acts/{act_id}/pickup")
    assert ozon_client.order_statuses([number]) == {number: "driver_pickup"}
    ozon_sandbox.control("POST", f"orders/{number}/handover")
    assert ozon_client.order_statuses([number]) == {number: "delivering"}


def test_act_refusals_carry_the_references_codes(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    with pytest.raises(RejectedError) as caught:
        ozon_client.create_act(METHOD, date.today())
    assert caught.value.code == "no_postings"
    with pytest.raises(RejectedError) as caught:
        ozon_client.create_act(7, date.today())
    assert caught.value.code == "DELIVERY_METHOD_NOT_FOUND"
    with pytest.raises(RejectedError) as caught:
        ozon_client.create_act(METHOD, date(2020, 1, 1))
    assert caught.value.code == "outdated"
    shipped(ozon_sandbox, ozon_client)
    with pytest.raises(RejectedError) as caught:  # no trusted acceptance in the sandbox
        ozon_client.create_act(METHOD, date.today(), containers_count=2)
    assert "ContainersCount" in str(caught.value)


def test_digital_acts_are_read_from_the_digital_calls(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.app.config.update(SANDBOX_OZON_ACT_SECONDS=0, SANDBOX_OZON_DIGITAL_ACTS=True)
    shipped(ozon_sandbox, ozon_client)
    act_id = ozon_client.create_act(METHOD, date.today())
    assert ozon_client.act_status(act_id).digital
    assert ozon_client.digital_act_status(act_id) == "FORMED"
    assert ozon_client.digital_act_pdf(act_id).startswith(b"%PDF")


def test_delivery_methods_for_the_settings(ozon_client: OzonClient) -> None:
    [method] = ozon_client.delivery_methods(warehouse_id=1)
    assert method["id"] == METHOD and method["status"] == "ACTIVE"


# --- the reference's own examples ---------------------------------------------------------


def test_reference_act_create_and_check_status(ozon_reference: ReferenceServer) -> None:
    ozon_reference.answer("/v2/posting/fbs/act/create", example("act_create.json"))
    ozon_reference.answer("/v2/posting/fbs/act/check-status", example("act_check_status.json"))
    with ozon_reference.client() as client:
        act_id = client.create_act(230039077005, date(2022, 6, 10))
        status = client.act_status(act_id)
    assert act_id == 5819327210249
    [sent] = ozon_reference.sent("/v2/posting/fbs/act/create")
    assert sent == {"delivery_method_id": 230039077005, "departure_date": "2022-06-10T09:00:00Z"}
    assert status.status == "ready" and status.added == ("23713478-0018-3",)
    assert status.removed == ("33920113-1231-1",) and status.more_to_ship


def test_reference_act_refusal_to_wait_is_transient(ozon_reference: ReferenceServer) -> None:
    refusal = {"code": 3, "message": "posting_statuses_not_ready", "details": []}
    ozon_reference.answer("/v2/posting/fbs/act/create", refusal, status=400)
    with ozon_reference.client() as client, pytest.raises(TransientError):
        client.create_act(230039077005, date(2022, 6, 10))


def test_reference_barcode_text_and_delivery_methods(ozon_reference: ReferenceServer) -> None:
    ozon_reference.answer("/v2/posting/fbs/act/get-barcode/text", example("act_barcode_text.json"))
    ozon_reference.answer("/v1/delivery-method/list", example("delivery_method_list.json"))
    with ozon_reference.client() as client:
        assert client.act_barcode_text(295662811) == "%303%24276481394"
        [method] = client.delivery_methods()
    assert method["name"] == "Ozon Логистика курьеру, Есипово"
    assert ozon_reference.sent("/v1/delivery-method/list") == [
        {"filter": {}, "limit": 50, "offset": 0}
    ]
