"""Megamarket's own shapes read by the connector, fed the reference payloads in ``payloads/``.

``order_get.json`` follows the typed clients of the fact sheet §7 (boxIndex only, goodsData.name,
string itemIndex); the pushes are the wiki's order-new-standart / order-cancel-standart as the
baks-dev/megamarket-orders controllers receive them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from warehouse.marketplaces.base import RejectedError
from warehouse.marketplaces.megamarket_shapes import (
    incoming,
    push_cancellations,
    push_orders,
    shipping_point,
)

MSK = timezone(timedelta(hours=3))


def payload(name: str) -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "payloads" / f"{name}.json").read_text())


def test_order_get_lots_fold_into_lines_without_box_codes() -> None:
    [raw] = payload("order_get")["data"]["shipments"]
    order = incoming(raw)
    assert order.external_id == "946224580" and order.status == "PACKED"
    [line] = order.lines  # the cancelled lot (LATE_REJECT) is not goods to ship
    assert (line.external_sku, line.quantity, line.price_kopecks) == (
        "PL02-19-235-40-96W",
        2,
        744600,
    )
    assert order.raw["itemIndexes"] == ["1", "2"]
    assert order.raw["namesByOffer"] == {"PL02-19-235-40-96W": raw["items"][0]["goodsData"]["name"]}
    assert order.ship_by == datetime(2024, 6, 5, 12, tzinfo=MSK)
    assert order.created_at == datetime(2024, 6, 3, 10, tzinfo=MSK)


def test_order_new_push_is_a_new_order_without_the_delivery_lot() -> None:
    [order] = push_orders(payload("order_new_push"))
    assert order.external_id == "9324005526611" and order.status == "NEW"
    [line] = order.lines
    assert (line.article, line.quantity, line.price_kopecks) == ("PL02-19-235-40-96W", 2, 744600)
    assert order.raw["itemIndexes"] == ["1", "2"]
    assert order.ship_by == datetime(2024, 8, 9, 19, tzinfo=MSK)  # handover.packingDate
    assert order.raw["merchantId"] == 175306


def test_order_cancel_push_names_the_lots() -> None:
    assert push_cancellations(payload("order_cancel_push")) == {"9324005526611": ["1", "2"]}


@pytest.mark.parametrize("body", [{}, {"data": {}}, {"data": {"shipments": [{"items": []}]}}])
def test_a_malformed_push_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(RejectedError) as caught:
        push_orders(body)
    assert caught.value.code == "BAD_PUSH"


def test_shipping_point_is_an_integer_or_nothing() -> None:
    assert shipping_point(1234567) == 1234567 and shipping_point("1234567") == 1234567
    assert shipping_point("") is None and shipping_point(None) is None
    assert shipping_point("Склад") is None and shipping_point(True) is None
