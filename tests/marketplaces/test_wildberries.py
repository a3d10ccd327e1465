"""The WB connector against the running sandbox: real HTTP, real errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from warehouse import demo
from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import AuthError, RejectedError, TransientError
from warehouse.marketplaces.connectors import wb_content_url
from warehouse.marketplaces.wildberries import WildberriesClient

if TYPE_CHECKING:
    from conftest import WbSandbox

TOKEN = "sandbox"
SHIRT = PRODUCTS[0]
MUG = PRODUCTS[2]


def test_wrong_token_is_an_auth_error_without_the_token(wb_sandbox: WbSandbox) -> None:
    with (
        WildberriesClient(wb_sandbox.base_url, "s3cret-wrong", timeout=2) as client,
        pytest.raises(AuthError) as caught,
    ):
        client.new_orders()
    assert str(caught.value) == "token rejected by Wildberries (401)"
    assert "s3cret" not in repr(client)


def test_bearer_prefix_is_refused(wb_sandbox: WbSandbox) -> None:
    with (
        WildberriesClient(wb_sandbox.base_url, "Bearer sandbox") as client,
        pytest.raises(AuthError),
    ):
        client.ping()


def test_ping_and_warehouses(wb_client: WildberriesClient) -> None:
    wb_client.ping()
    [warehouse] = wb_client.warehouses()
    assert warehouse["id"] > 0 and warehouse["isDeleting"] is False


def test_new_orders_are_one_unit_each_grouped_by_cart(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    ids = wb_sandbox.add_cart((SHIRT.article, 2), (MUG.article, 1))
    other = wb_sandbox.add_cart((MUG.article, 1))

    incoming = {order.external_id: order for order in wb_client.new_orders()}

    assert set(incoming) == {*ids, *other}
    assert len({incoming[order_id].group_id for order_id in ids}) == 1
    assert incoming[other[0]].group_id != incoming[ids[0]].group_id
    shirt = incoming[ids[0]]
    assert shirt.status == "new"
    assert shirt.created_at.tzinfo is not None
    assert abs(shirt.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    [line] = shirt.lines
    assert line.barcodes == SHIRT.barcodes
    assert line.article == SHIRT.article
    assert line.quantity == 1
    assert line.external_sku == str(SHIRT.wb_chrt_id)
    assert line.price_kopecks == SHIRT.price_kopecks


def test_whole_life_new_supply_sticker_deliver(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    [order_id] = wb_sandbox.add_cart((SHIRT.article, 1))
    assert wb_client.status_pairs([order_id]) == {order_id: ("new", "waiting")}

    supply_id = wb_client.create_supply("warehouse 2024-06-01")
    assert supply_id.startswith("WB-GI-")
    wb_client.add_to_supply(supply_id, [order_id])
    wb_client.add_to_supply(supply_id, [order_id])  # again: a no-op

    assert wb_client.status_pairs([order_id]) == {order_id: ("confirm", "waiting")}
    assert wb_client.new_orders() == []
    assert wb_client.supply_order_ids(supply_id) == [order_id]

    label = wb_client.sticker(order_id)
    text = label.content.decode()
    assert label.format == "zpl"
    assert text.startswith("^XA") and text.rstrip().endswith("^XZ")
    assert "^PW464^LL320" in text and "^BC" in text
    assert label.barcode and f"^FD{label.barcode}^FS" in text
    part_a, part_b = label.caption.split()
    assert part_a in text and part_b in text

    wb_client.deliver_supply(supply_id)
    assert wb_client.status_pairs([order_id]) == {order_id: ("complete", "waiting")}
    assert wb_client.supply(supply_id)["done"] is True
    assert wb_client.sticker(order_id, kind="zplh", width=40, height=30).content.startswith(
        b"^XA^CI28^PW320^LL240"
    )


def test_sticker_for_a_new_order_is_rejected(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    [order_id] = wb_sandbox.add_cart((MUG.article, 1))
    with pytest.raises(RejectedError, match="no sticker"):
        wb_client.sticker(order_id)


def test_cancel_and_cancelling_twice(wb_sandbox: WbSandbox, wb_client: WildberriesClient) -> None:
    [order_id] = wb_sandbox.add_cart((MUG.article, 1))
    wb_client.cancel_order(order_id)
    assert wb_client.status_pairs([order_id]) == {order_id: ("cancel", "canceled")}
    with pytest.raises(RejectedError) as caught:
        wb_client.cancel_order(order_id)
    assert caught.value.code == "StatusMismatch"


def test_conflict_409_maps_to_rejected_with_code(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    [order_id] = wb_sandbox.add_cart((MUG.article, 1))
    wb_client.cancel_order(order_id)
    supply_id = wb_client.create_supply("s")
    with pytest.raises(RejectedError) as caught:
        wb_client.add_to_supply(supply_id, [order_id])
    assert caught.value.code == "FailedToAddSupplyOrder"
    assert wb_client.deliver_supply(supply_id) is False  # 409 SupplyHasZeroOrders: nothing to do
    with pytest.raises(RejectedError) as caught:
        wb_client.supply("WB-GI-999999")
    assert caught.value.code == "NotFound"


def test_rate_limit_is_transient_with_retry_after(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    wb_sandbox.faults("429", retry_after=2)
    with pytest.raises(TransientError) as caught:
        wb_client.new_orders()
    assert caught.value.retry_after == 2.0
    assert wb_client.new_orders() == []  # one fault per queued entry


def test_server_error_is_transient(wb_sandbox: WbSandbox, wb_client: WildberriesClient) -> None:
    wb_sandbox.faults("500")
    with pytest.raises(TransientError) as caught:
        wb_client.create_supply("s")
    assert caught.value.retry_after is None
    assert wb_sandbox.state()["supplies"] == []


def test_slow_answer_is_transient(wb_sandbox: WbSandbox) -> None:
    wb_sandbox.faults("timeout")
    started = time.monotonic()
    with (
        WildberriesClient(wb_sandbox.base_url, "sandbox", timeout=0.2) as client,
        pytest.raises(TransientError, match="in time"),
    ):
        client.ping()
    assert time.monotonic() - started < 0.6


def test_dropped_answer_is_transient_but_the_work_was_done(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    [order_id] = wb_sandbox.add_cart((SHIRT.article, 1))
    supply_id = wb_client.create_supply("s")
    wb_sandbox.faults("drop")
    with pytest.raises(TransientError, match="connection"):
        wb_client.add_to_supply(supply_id, [order_id])
    assert wb_client.status_pairs([order_id]) == {order_id: ("confirm", "waiting")}


def test_dropped_json_answer_is_transient(
    wb_sandbox: WbSandbox, wb_client: WildberriesClient
) -> None:
    wb_sandbox.add_cart((SHIRT.article, 1))
    wb_sandbox.faults("drop")
    with pytest.raises(TransientError):
        wb_client.new_orders()


def test_stock_push_is_stored(wb_sandbox: WbSandbox, wb_client: WildberriesClient) -> None:
    [warehouse] = wb_client.warehouses()
    wb_client.push_stocks(warehouse["id"], {SHIRT.wb_chrt_id: 7, str(MUG.wb_chrt_id): 0, 999: 5})
    stored = {(s["chrtId"], s["amount"]) for s in wb_sandbox.state()["stocks"]}
    assert stored == {(SHIRT.wb_chrt_id, 7), (MUG.wb_chrt_id, 0)}
    wb_client.push_stocks(warehouse["id"], {SHIRT.wb_chrt_id: 3})
    assert wb_client.stocks(warehouse["id"], [SHIRT.wb_chrt_id, 999]) == {SHIRT.wb_chrt_id: 3}


def test_sgtins_only_while_confirmed(wb_sandbox: WbSandbox, wb_client: WildberriesClient) -> None:
    [order_id] = wb_sandbox.add_cart((SHIRT.article, 1))
    code = "0104601234567893215ABCDEfghIJKL"
    with pytest.raises(RejectedError) as caught:
        wb_client.set_sgtins(order_id, [code])
    assert caught.value.code == "FailedToUpdateMeta"
    supply_id = wb_client.create_supply("s")
    wb_client.add_to_supply(supply_id, [order_id])
    wb_client.set_sgtins(order_id, [code])
    assert wb_sandbox.order_state(order_id)["sgtins"] == [code]


def test_orders_follow_the_next_cursor(wb_sandbox: WbSandbox, wb_client: WildberriesClient) -> None:
    ids = wb_sandbox.add_cart((MUG.article, 5))
    now = datetime.now(UTC)
    found = wb_client.orders(now - timedelta(hours=1), now + timedelta(minutes=1), limit=2)
    assert [str(order["id"]) for order in found] == ids


def test_unreachable_marketplace_is_transient() -> None:
    with (
        WildberriesClient("http://127.0.0.1:9", "sandbox", timeout=1) as client,
        pytest.raises(TransientError),
    ):
        client.ping()


def test_product_cards_one_per_size_with_barcodes(wb_client):
    cards = wb_client.product_cards()
    assert len(cards) == 5
    shirt = next(card for card in cards if card.article == "TSH-WHT-L")
    assert shirt.sku == "210002" and shirt.barcodes == ("4601234567008", "4601234567015")
    assert shirt.marketplace_id == "110002"


def test_cards_asked_on_the_marketplace_host_are_refused(wb_sandbox: WbSandbox) -> None:
    """WB serves cards only on content-api; the sandbox's marketplace host answers 404."""
    wrong = wb_sandbox.base_url  # what the connector did when no content host was given
    with (
        WildberriesClient(wb_sandbox.base_url, TOKEN, timeout=2, content_url=wrong) as client,
        pytest.raises(RejectedError, match="404"),
    ):
        client.product_cards()


@pytest.mark.parametrize(
    ("base_url", "settings", "expected"),
    [
        ("https://marketplace-api.wildberries.ru", {}, "https://content-api.wildberries.ru"),
        (
            "https://marketplace-api-sandbox.wildberries.ru",
            {},
            "https://content-api-sandbox.wildberries.ru",
        ),
        ("https://proxy.example/wb", {}, "https://content-api.wildberries.ru"),
        ("http://x/sandbox/wb", {"content_url": "http://x/sandbox/wb/content-api"}, None),
    ],
)
def test_production_wiring_asks_cards_on_the_content_host(
    base_url: str, settings: dict[str, str], expected: str | None
) -> None:
    assert wb_content_url(base_url, settings) == (expected or settings["content_url"])


def test_demo_cabinet_content_host_follows_the_run_site() -> None:
    """``make run`` may change ports: the demo's content_url moves with the site."""
    old = {"warehouse_id": "1000001", "content_url": "http://127.0.0.1:8000/sandbox/wb/content-api"}
    moved = demo.sandbox_settings(old, "http://127.0.0.1:8123/")
    assert moved == {
        "warehouse_id": "1000001",
        "content_url": "http://127.0.0.1:8123/sandbox/wb/content-api",
    }
    assert demo.sandbox_settings({"content_url": "https://content-api.wildberries.ru"}, "x") == {
        "content_url": "https://content-api.wildberries.ru"
    }


def test_uniform_order_status_is_one_string(wb_client, wb_sandbox):
    order_id = wb_sandbox.add_cart(("MUG-330", 1))[0]
    assert wb_client.order_statuses([order_id]) == {order_id: "new/waiting"}


def test_duplicate_page_fault_repeats_the_entries(wb_client, wb_sandbox):
    wb_sandbox.add_cart(("MUG-330", 1))
    wb_sandbox.faults("duplicate")
    orders = wb_client.new_orders()
    assert len(orders) == 2 and orders[0].external_id == orders[1].external_id
