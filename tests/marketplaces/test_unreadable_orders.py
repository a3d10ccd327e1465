"""An order a marketplace sends with a field missing, of another type or in an unexpected
shape is logged and skipped; the others of the same answer are imported (issue #14 item
4). Real HTTP against a loopback server answering the payloads given."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tests.marketplaces.reference_server import replaying
from warehouse.marketplaces.megamarket import MegamarketClient
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.wildberries import WildberriesClient
from warehouse.marketplaces.yandex import YandexClient

MM_ORDER_GET = Path(__file__).parent / "megamarket" / "payloads" / "order_get.json"
WB_GOOD = {
    "id": 101,
    "skus": ["4601234567893"],
    "article": "TSH",
    "price": 99000,
    "createdAt": "2026-12-06T08:00:00Z",
    "orderUid": "u-1",
    "chrtId": 210001,
}
WB_ODD = [
    {"skus": ["4601234567893"], "article": "NO-ID"},  # no id
    {"id": 103, "price": "many", "createdAt": "2026-12-06T08:00:00Z"},  # price not a number
    "not an object",
    {"id": 104, "skus": None, "createdAt": "yesterday", "unexpected": {"deep": [1, 2]}},
]


def test_wb_skips_what_it_cannot_read_and_imports_the_rest(caplog):
    caplog.set_level(logging.WARNING, logger="warehouse.marketplaces.http")
    orders = {"orders": [WB_GOOD, *WB_ODD, {**WB_GOOD, "id": 105}]}
    with (
        replaying({("GET", "/api/v3/orders/new"): (200, orders)}) as server,
        WildberriesClient(server.url, "t", timeout=2) as wb,
    ):
        found = wb.new_orders()
    ids = [order.external_id for order in found]
    assert "101" in ids and "105" in ids and "103" not in ids
    assert "103" in caplog.text and "not readable" in caplog.text


OZON_GOOD = {
    "posting_number": "1-1-1",
    "status": "awaiting_packaging",
    "products": [{"offer_id": "TSH", "quantity": 1, "price": "990.00"}],
}


def test_ozon_skips_an_unreadable_posting_and_reads_every_page(caplog):
    caplog.set_level(logging.WARNING, logger="warehouse.marketplaces.http")
    page = [
        OZON_GOOD,
        {"status": "awaiting_packaging"},
        {
            **OZON_GOOD,
            "posting_number": "1-1-2",
            "products": [{"offer_id": "TSH", "quantity": "two"}],
        },
        {**OZON_GOOD, "posting_number": "1-1-3"},
    ]
    answer = {"result": {"postings": page, "count": len(page)}}
    with (
        replaying({("POST", "/v3/posting/fbs/unfulfilled/list"): (200, answer)}) as server,
        OzonClient(server.url, "c", "k", timeout=2) as ozon,
    ):
        found = ozon.new_orders()
    assert [order.external_id for order in found] == ["1-1-1", "1-1-3"]
    assert "1-1-2" in caplog.text


def test_yandex_skips_an_order_without_its_number(caplog):
    caplog.set_level(logging.WARNING, logger="warehouse.marketplaces.http")
    good = {
        "orderId": 7,
        "status": "PROCESSING",
        "substatus": "STARTED",
        "items": [{"offerId": "TSH", "count": 1, "prices": {"payment": {"value": 990}}}],
    }
    orders = [
        good,
        {"status": "PROCESSING", "items": []},
        {**good, "orderId": 8, "items": [{"count": "x"}]},
        {**good, "orderId": 9},
    ]
    answer = {"orders": orders, "paging": {}}
    with (
        replaying({("POST", "/v1/businesses/1/orders"): (200, answer)}) as server,
        YandexClient(server.url, "k", 1, 1, timeout=2) as ym,
    ):
        found = ym.new_orders()
    assert [order.external_id for order in found] == ["7", "9"]
    assert "not readable" in caplog.text


def test_megamarket_skips_an_odd_shipment_in_the_search_and_in_the_statuses(caplog):
    """Its ``order/get`` shaped from the reference; one shipment without its id, one whose
    lots are not a list, one that is not an object at all."""
    caplog.set_level(logging.WARNING, logger="warehouse.marketplaces.http")
    good = json.loads(MM_ORDER_GET.read_text())["data"]["shipments"][0]
    new = {**good, "shipmentId": "1001", "items": [{**good["items"][0], "status": "NEW"}]}
    odd = [
        {key: value for key, value in new.items() if key != "shipmentId"},
        {**new, "shipmentId": "1002", "items": "three mugs"},
        ["not", "an", "object"],
    ]
    found_ids = {"success": 1, "meta": {}, "data": {"shipments": ["1001", "1002", "1003"]}}
    shipments = {"success": 1, "meta": {}, "data": {"shipments": [new, *odd]}}
    base = "/api/market/v1/orderService"
    with (
        replaying(
            {
                ("POST", f"{base}/order/search"): (200, found_ids),
                ("POST", f"{base}/order/get"): (200, shipments),
            }
        ) as server,
        MegamarketClient(server.url, "t", timeout=2) as mm,
    ):
        orders = mm.new_orders()
        statuses = mm.order_statuses(["1001", "1002", "1003"])
    assert [order.external_id for order in orders] == ["1001"]
    assert statuses == {"1001": "NEW"}
    assert "1002" in caplog.text and "not readable" in caplog.text
