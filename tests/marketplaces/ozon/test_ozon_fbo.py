"""Ozon's FBO stock: ``/v2/analytics/stock_on_warehouses`` page by page, against the sandbox
shaped from Ozon's analytics reference (analyticsStockOnWarehouseResultRows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import FboRow
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.sandbox import ozon_state

if TYPE_CHECKING:
    from tests.marketplaces.ozon.conftest import OzonSandbox

SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]
SKU = {item.product.article: str(item.sku) for item in ozon_state.ITEMS}


def test_rows_carry_free_reserved_and_promised_per_warehouse(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    rows = [
        {
            "warehouse": "ХОРУГВИНО_РФЦ",
            "article": SHIRT.article,
            "available": 9,
            "reserved": 2,
            "incoming": 30,
        },
        {"warehouse": "ТВЕРЬ_РФЦ", "article": MUG.article, "available": 4},
    ]
    ozon_sandbox.control("POST", "fbo", {"rows": rows})
    found = ozon_client.fbo_stock()
    assert sorted(found, key=lambda row: row.warehouse) == [
        FboRow("ТВЕРЬ_РФЦ", MUG.article, MUG.article, "", SKU[MUG.article], 4, 0, 0),
        FboRow("ХОРУГВИНО_РФЦ", SHIRT.article, SHIRT.article, "", SKU[SHIRT.article], 9, 2, 30),
    ]


def test_every_page_is_read(ozon_sandbox: OzonSandbox) -> None:
    rows = [
        {"warehouse": f"СКЛАД_{n:02}", "article": product.article, "available": n}
        for n, product in enumerate(PRODUCTS * 3)
    ]
    ozon_sandbox.control("POST", "fbo", {"rows": rows})
    with OzonClient(ozon_sandbox.base_url, "sandbox", "sandbox", timeout=2.0, page_size=4) as ozon:
        found = ozon.fbo_stock()
    assert len(found) == len(rows)
    assert sum(row.available for row in found) == sum(row["available"] for row in rows)


def test_the_sandbox_refuses_a_call_without_limit(ozon_sandbox: OzonSandbox) -> None:
    answer = ozon_sandbox.call("/v2/analytics/stock_on_warehouses", {"offset": 0})
    assert answer.status_code == 400
    assert "limit" in answer.json()["message"]
