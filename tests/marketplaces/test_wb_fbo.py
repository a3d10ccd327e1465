"""WB's FBO stock: the «warehouse remains» report on the analytics host, made on request,
polled and downloaded, against the sandbox shaped from WB's reports OpenAPI."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import AuthError, FboRow, RejectedError, TransientError
from warehouse.marketplaces.wildberries import WildberriesClient

if TYPE_CHECKING:
    from conftest import WbSandbox

TOKEN = "sandbox"
SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]
ROWS = [
    {"warehouse": "Коледино", "article": SHIRT.article, "available": 12, "reserved": 2},
    {"warehouse": "Казань", "article": SHIRT.article, "available": 5, "incoming": 4},
    {"warehouse": "Коледино", "article": MUG.article, "available": 0, "reserved": 1},
]


def client(sandbox: WbSandbox, *, token: str = TOKEN, analytics: str = "") -> WildberriesClient:
    return WildberriesClient(
        sandbox.base_url,
        token,
        timeout=2.0,
        analytics_url=analytics or f"{sandbox.base_url}/seller-analytics-api",
        report_poll_seconds=0.01,
    )


def test_the_report_gives_each_warehouse_and_the_units_on_the_way(wb_sandbox: WbSandbox) -> None:
    wb_sandbox.control("POST", "fbo", {"rows": ROWS})
    with client(wb_sandbox) as wb:
        rows = wb.fbo_stock()
    keys = {
        "article": SHIRT.article,
        "barcode": SHIRT.barcodes[0],
        "marketplace_id": str(SHIRT.wb_nm_id),
    }
    assert FboRow("Казань", available=5, **keys) in rows
    assert FboRow("Коледино", available=12, **keys) in rows
    # WB's «В пути до получателей» / «В пути возвраты на склад WB» rows, not warehouses
    assert FboRow("", reserved=2, incoming=4, **keys) in rows
    mug = [row for row in rows if row.article == MUG.article]
    assert mug == [
        FboRow("", "", MUG.article, MUG.barcodes[0], str(MUG.wb_nm_id), reserved=1)
    ]  # nothing free in a warehouse: WB lists only non-zero amounts
    assert not any(row.warehouse == "Всего находится на складах" for row in rows)


def test_a_report_made_too_often_is_refused_with_the_wait(wb_sandbox: WbSandbox) -> None:
    """WB makes one report a minute (5 at once); the sixth call in a row is a 429."""
    for _ in range(5):
        assert (
            wb_sandbox.http.get(
                f"{wb_sandbox.base_url}/seller-analytics-api/api/v1/warehouse_remains",
                headers={"Authorization": TOKEN},
            ).status_code
            == 200
        )
    answer = wb_sandbox.http.get(
        f"{wb_sandbox.base_url}/seller-analytics-api/api/v1/warehouse_remains",
        headers={"Authorization": TOKEN},
    )
    assert answer.status_code == 429
    assert float(answer.headers["X-Ratelimit-Retry"]) > 50
    with client(wb_sandbox) as wb, pytest.raises(TransientError) as caught:
        wb.fbo_stock()
    assert caught.value.retry_after is not None and caught.value.retry_after > 50


def test_unknown_and_malformed_task_ids_are_wbs_own_errors(wb_sandbox: WbSandbox) -> None:
    base = f"{wb_sandbox.base_url}/seller-analytics-api/api/v1/warehouse_remains/tasks"
    auth = {"Authorization": TOKEN}
    bad = wb_sandbox.http.get(f"{base}/not-a-uuid/status", headers=auth)
    assert bad.status_code == 400 and bad.json()["title"] == "Bad Request"
    missing = wb_sandbox.http.get(
        f"{base}/06e06887-9d9f-491f-b16a-bb1766fcb8d2/download", headers=auth
    )
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("application/problem+json")


def test_an_empty_report_is_no_rows(wb_sandbox: WbSandbox) -> None:
    wb_sandbox.control(
        "POST", "fbo", {"rows": [{"warehouse": "Коледино", "article": "NONE", "available": 1}]}
    )
    with client(wb_sandbox) as wb:
        assert wb.fbo_stock() == []


def test_a_refused_token_is_an_auth_error(wb_sandbox: WbSandbox) -> None:
    with client(wb_sandbox, token="wrong") as wb, pytest.raises(AuthError):
        wb.fbo_stock()


def test_the_marketplace_host_has_no_report(wb_sandbox: WbSandbox) -> None:
    """The report lives on the analytics host only; asking the marketplace host fails."""
    with client(wb_sandbox, analytics=wb_sandbox.base_url) as wb, pytest.raises(RejectedError):
        wb.fbo_stock()
