"""The Ozon sandbox itself: Ozon's paths, bodies, errors and its control endpoints."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import httpx

from printers import graphics
from tests.printers.decode import decode_all
from warehouse.demo_catalogue import PRODUCTS

if TYPE_CHECKING:
    from conftest import OzonSandbox

SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]
WINDOW = {"cutoff_from": "2000-01-01T00:00:00Z", "cutoff_to": "2100-01-01T00:00:00Z"}


def _unfulfilled(sandbox: OzonSandbox) -> dict:
    body = {"dir": "ASC", "filter": WINDOW, "limit": 100, "offset": 0}
    response = sandbox.call("/v3/posting/fbs/unfulfilled/list", body)
    assert response.status_code == 200
    return response.json()["result"]


def test_credentials_are_checked_with_ozons_errors(ozon_sandbox: OzonSandbox) -> None:
    url = f"{ozon_sandbox.base_url}/v1/warehouse/list"
    missing = ozon_sandbox.http.post(url, json={})
    assert missing.status_code == 401 and missing.json()["code"] == 16
    wrong = ozon_sandbox.call("/v1/warehouse/list", {}, key="other")
    assert wrong.status_code == 403 and wrong.json()["code"] == 7
    assert set(wrong.json()) == {"code", "message", "details"}


def test_switched_off_sandbox_is_not_found(ozon_sandbox: OzonSandbox) -> None:
    ozon_sandbox.app.config["SANDBOX_ENABLED"] = False
    assert ozon_sandbox.call("/v1/warehouse/list", {}).status_code == 404


def test_unfulfilled_list_needs_a_window_and_counts(ozon_sandbox: OzonSandbox) -> None:
    refused = ozon_sandbox.call("/v3/posting/fbs/unfulfilled/list", {"limit": 10, "filter": {}})
    assert refused.status_code == 400 and refused.json()["code"] == 3

    numbers = [ozon_sandbox.add_cart((MUG.article, 1)) for _ in range(3)]
    body = {"filter": WINDOW, "limit": 2, "offset": 2, "with": {"barcodes": True}}
    result = ozon_sandbox.call("/v3/posting/fbs/unfulfilled/list", body).json()["result"]
    assert result["count"] == 3
    [posting] = result["postings"]
    assert posting["posting_number"] == numbers[2]
    assert re.fullmatch(r"\d{8}-\d{4}-1", posting["posting_number"])
    assert posting["available_actions"] == ["ship", "cancel"]
    assert posting["barcodes"]["upper_barcode"]


def test_posting_list_by_period_has_next(ozon_sandbox: OzonSandbox) -> None:
    for _ in range(3):
        ozon_sandbox.add_cart((MUG.article, 1))
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 30 * 86400))
    period = {"since": since, "to": now}
    first = ozon_sandbox.call("/v3/posting/fbs/list", {"filter": period, "limit": 2, "offset": 0})
    last = ozon_sandbox.call("/v3/posting/fbs/list", {"filter": period, "limit": 2, "offset": 2})
    assert first.json()["result"]["has_next"] is True
    assert last.json()["result"]["has_next"] is False
    assert len(last.json()["result"]["postings"]) == 1


def test_rate_limit_answer_has_code_8_and_retry_after(ozon_sandbox: OzonSandbox) -> None:
    ozon_sandbox.faults("429", retry_after=3)
    assert ozon_sandbox.state()["faults"] == ["429"]
    response = ozon_sandbox.call("/v1/warehouse/list", {})
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert response.json()["code"] == 8


def test_unknown_posting_is_404(ozon_sandbox: OzonSandbox) -> None:
    response = ozon_sandbox.call("/v3/posting/fbs/get", {"posting_number": "1-2-3"})
    assert response.status_code == 404 and response.json()["message"] == "POSTING_NOT_FOUND"


def test_marking_check_takes_its_time(ozon_sandbox: OzonSandbox) -> None:
    ozon_sandbox.app.config["SANDBOX_OZON_MARK_CHECK_SECONDS"] = 30
    number = ozon_sandbox.add_cart((SHIRT.article, 1), marked=True)
    known = ozon_sandbox.call(
        "/v6/fbs/posting/product/exemplar/create-or-get", {"posting_number": number}
    ).json()
    [product] = known["products"]
    assert product["is_mandatory_mark_needed"] is True
    [unit] = product["exemplars"]
    mark = {"mark": "0104601234567893215abc", "mark_type": "mandatory_mark"}
    body = {
        "posting_number": number,
        "products": [
            {"product_id": product["product_id"], "exemplars": [{**unit, "marks": [mark]}]}
        ],
    }
    assert ozon_sandbox.call("/v6/fbs/posting/product/exemplar/set", body).status_code == 200
    status = ozon_sandbox.call(
        "/v5/fbs/posting/product/exemplar/status", {"posting_number": number}
    ).json()
    assert status["status"] == "validation_in_process"
    partial = {**body, "products": [{"product_id": 1, "exemplars": []}]}
    assert ozon_sandbox.call("/v6/fbs/posting/product/exemplar/set", partial).status_code == 400


def test_label_pdf_has_correct_xref_and_refuses_unready_batches(
    ozon_sandbox: OzonSandbox,
) -> None:
    shipped = ozon_sandbox.add_cart((MUG.article, 1))
    waiting = ozon_sandbox.add_cart((MUG.article, 1))
    sku = ozon_sandbox.posting(shipped)["products"][0]["sku"]
    packages = [{"products": [{"product_id": sku, "quantity": 1}]}]
    ship = ozon_sandbox.call(
        "/v4/posting/fbs/ship", {"posting_number": shipped, "packages": packages}
    )
    assert ship.json()["result"] == [shipped]

    both = ozon_sandbox.call(
        "/v2/posting/fbs/package-label", {"posting_number": [shipped, waiting]}
    )
    assert both.status_code == 409 and "aren't ready" in both.json()["message"]
    label = ozon_sandbox.call("/v2/posting/fbs/package-label", {"posting_number": [shipped]})
    assert label.headers["Content-Type"] == "application/pdf"
    _check_xref(label.content)
    # the posting number's barcode survives rasterising for a 203-dpi printer
    zpl = graphics.pdf_to_zpl(label.content, dpi=203, width_mm=75, height_mm=120)
    assert decode_all(zpl, 203) == [("Code128", shipped)]


def _check_xref(pdf: bytes) -> None:
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert pdf[start:].startswith(b"xref\n")
    entries = pdf[start:].split(b"\n")[3:]
    for number, entry in enumerate(entries, start=1):
        if not entry.endswith(b" n "):
            break
        offset = int(entry[:10])
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())


def test_seller_cancel_needs_a_message_for_reason_402(ozon_sandbox: OzonSandbox) -> None:
    number = ozon_sandbox.add_cart((MUG.article, 1))
    body = {"posting_number": number, "cancel_reason_id": 402, "cancel_reason_message": ""}
    assert ozon_sandbox.call("/v2/posting/fbs/cancel", body).status_code == 400
    reasons = ozon_sandbox.call("/v2/posting/fbs/cancel-reason/list", {}).json()["result"]
    assert {reason["id"] for reason in reasons} >= {352, 402}
    body = {"posting_number": number, "cancel_reason_id": 352}
    assert ozon_sandbox.call("/v2/posting/fbs/cancel", body).json() == {"result": True}
    assert ozon_sandbox.posting(number)["status"] == "cancelled"


def test_handover_only_from_awaiting_deliver(ozon_sandbox: OzonSandbox) -> None:
    number = ozon_sandbox.add_cart((MUG.article, 1))
    response = httpx.post(f"{ozon_sandbox.base_url}/_control/orders/{number}/handover")
    assert response.status_code == 400
    assert ozon_sandbox.posting(number)["status"] == "awaiting_packaging"


def test_control_orders_by_count_and_demo_generation(ozon_sandbox: OzonSandbox) -> None:
    ids = ozon_sandbox.control("POST", "orders", {"count": 3}).json()["ids"]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert _unfulfilled(ozon_sandbox)["count"] == 3

    ozon_sandbox.app.config["SANDBOX_ORDERS_PER_MINUTE"] = 60
    _unfulfilled(ozon_sandbox)  # starts the demo clock
    ozon_sandbox.backdate_generation(2.5)
    assert _unfulfilled(ozon_sandbox)["count"] == 5
