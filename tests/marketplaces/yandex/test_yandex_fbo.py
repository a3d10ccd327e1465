"""Yandex Market's FBO (FBY) stock: ``POST /v2/campaigns/{fby}/offers/stocks`` of the
business's FBY shop, all pages, against the sandbox shaped from YM's partner OpenAPI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import FboRow
from warehouse.marketplaces.yandex import YandexClient

if TYPE_CHECKING:
    from tests.marketplaces.yandex.conftest import YmSandbox

SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]
FBY = 2


def fby_client(sandbox: YmSandbox, campaign: int | None = FBY) -> YandexClient:
    return YandexClient(sandbox.base_url, "sandbox", 1, 1, timeout=2.0, fby_campaign_id=campaign)


def test_available_is_free_and_freeze_is_held_in_each_market_warehouse(
    ym_sandbox: YmSandbox,
) -> None:
    rows = [
        {"warehouse": "145", "article": SHIRT.article, "available": 7, "reserved": 1},
        {"warehouse": "147", "article": SHIRT.article, "available": 3},
        {"warehouse": "147", "article": MUG.article, "available": 0, "reserved": 2},
    ]
    ym_sandbox.control("POST", "fbo", {"rows": rows})
    with fby_client(ym_sandbox) as ym:
        found = ym.fbo_stock()
    assert found is not None
    assert sorted(found, key=lambda row: (row.warehouse, row.sku)) == [
        FboRow("Yandex Market 145", SHIRT.article, available=7, reserved=1),
        FboRow("Yandex Market 147", MUG.article, available=0, reserved=2),
        FboRow("Yandex Market 147", SHIRT.article, available=3),
    ]


def test_every_page_is_read(ym_sandbox: YmSandbox) -> None:
    rows = [
        {"warehouse": str(100 + n), "article": product.article, "available": 1}
        for n in range(60)
        for product in PRODUCTS
    ]
    ym_sandbox.control("POST", "fbo", {"rows": rows})
    with fby_client(ym_sandbox) as ym:
        found = ym.fbo_stock()
    assert found is not None and len(found) == len(rows) > 200


def test_no_fby_shop_no_read(ym_sandbox: YmSandbox) -> None:
    with fby_client(ym_sandbox, campaign=None) as ym:
        assert ym.fbo_stock() is None


def test_another_shop_is_forbidden(ym_sandbox: YmSandbox) -> None:
    answer = ym_sandbox.call("POST", "/v2/campaigns/3/offers/stocks", json={})
    assert answer.status_code == 403
    # the FBY shop answers its stocks only, not FBS orders
    assert ym_sandbox.call("GET", "/v2/campaigns/2/orders/1/delivery/labels").status_code == 403
