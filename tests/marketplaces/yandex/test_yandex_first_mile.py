"""First-mile shipments, returns, old orders and item removal against the running sandbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.marketplaces.yandex import reference
from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.base import RejectedError
from warehouse.marketplaces.yandex import MARKET_TZ, YandexClient

if TYPE_CHECKING:
    from conftest import YmSandbox

MUG, SOCKS = PRODUCTS[2], PRODUCTS[3]
TOMORROW = datetime.now(MARKET_TZ).date() + timedelta(days=1)


def _ready(client: YandexClient, sandbox: YmSandbox, *items: tuple[str, int]) -> str:
    order_id = sandbox.add_order(*items)
    client.set_boxes(order_id, [[(article, qty, []) for article, qty in items]])
    client.ready_to_ship(order_id)
    return order_id


def test_old_orders_need_a_creation_window(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    """The search alone shows 30 days (as YM); status polling still finds a 100-day-old order."""
    body = {"items": [{"article": MUG.article, "qty": 1}], "createdDaysAgo": 100}
    [old] = ym_sandbox.control("POST", "orders", body).json()["ids"]
    search = ym_sandbox.call(
        "POST", "/v1/businesses/1/orders", json={"orderIds": [int(old)], "campaignIds": [1]}
    )
    assert search.json()["orders"] == []
    assert ym_client.order_statuses([str(old)]) == {str(old): "PROCESSING/STARTED"}


def test_a_window_over_30_days_is_refused(ym_sandbox: YmSandbox) -> None:
    dates = {"creationDateFrom": "2026-01-01", "creationDateTo": "2026-02-15"}
    answer = ym_sandbox.call("POST", "/v1/businesses/1/orders", json={"dates": dates})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(("partial", "status"), [(False, "RETURNED"), (True, "PARTIALLY_RETURNED")])
def test_returns_on_demand(
    ym_sandbox: YmSandbox, ym_client: YandexClient, partial: bool, status: str
) -> None:
    order_id = _ready(ym_client, ym_sandbox, (MUG.article, 1))
    ym_sandbox.control("POST", f"orders/{order_id}/ship")
    ym_sandbox.control("POST", f"orders/{order_id}/ship")
    ym_sandbox.control("POST", f"orders/{order_id}/return", {"partial": partial})
    assert ym_client.order_statuses([order_id]) == {order_id: f"{status}/UNKNOWN"}


def test_remove_items_shrinks_the_order(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 2), (SOCKS.article, 1))
    ym_client.remove_items(order_id, {MUG.article: 1})
    lines = {line.article: line.quantity for line in ym_client.get_order(order_id).lines}
    assert lines == {MUG.article: 1, SOCKS.article: 1}
    ym_client.set_boxes(order_id, [[(MUG.article, 1, []), (SOCKS.article, 1, [])]])
    ym_client.ready_to_ship(order_id)


def test_a_short_layout_without_allow_remove_is_refused(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 2), (SOCKS.article, 1))
    with pytest.raises(RejectedError) as caught:
        ym_client.set_boxes(order_id, [[(MUG.article, 1, []), (SOCKS.article, 1, [])]])
    assert caught.value.code == "BAD_REQUEST"
    assert ym_client.get_order(order_id).lines[0].quantity == 2


def test_the_only_item_cannot_be_reduced(ym_sandbox: YmSandbox, ym_client: YandexClient) -> None:
    order_id = ym_sandbox.add_order((MUG.article, 2))
    with pytest.raises(RejectedError) as caught:
        ym_client.remove_items(order_id, {MUG.article: 1})
    assert caught.value.code == "CANNOT_REMOVE_LAST_ITEM"


def test_shipment_of_the_day_confirm_acts_pickup(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    first = _ready(ym_client, ym_sandbox, (MUG.article, 1))
    second = ym_sandbox.add_order((SOCKS.article, 1))

    [shipment] = ym_client.shipments(TOMORROW, TOMORROW)
    assert shipment.status == "OUTBOUND_CREATED"  # an order is still being assembled
    assert set(shipment.order_ids) == {int(first), int(second)}
    with pytest.raises(RejectedError) as caught:
        ym_client.confirm_shipment(shipment.id)
    assert caught.value.code == "CUTOFF_NOT_REACHED"
    with pytest.raises(RejectedError):
        ym_client.shipment_act(shipment.id)

    ym_sandbox.control("POST", f"orders/{second}/client-cancel")
    assert ym_client.shipment(shipment.id).available_actions == ("CONFIRM",)
    assert ym_client.shipment(shipment.id).order_ids == (int(first),)  # cancelled left out
    ym_client.confirm_shipment(shipment.id, "HO-1")
    ym_client.confirm_shipment(shipment.id, "HO-1")  # a repeat is done
    confirmed = ym_client.shipment(shipment.id)
    assert (confirmed.status, confirmed.external_id) == ("OUTBOUND_CONFIRMED", "HO-1")

    act = ym_client.shipment_act(shipment.id)
    assert act.startswith(b"%PDF") and first.encode() in act and second.encode() not in act
    reception = ym_client.reception_transfer_act()
    assert reception.startswith(b"%PDF") and str(shipment.id).encode() in reception

    ym_sandbox.control("POST", f"shipments/{shipment.id}/accept")
    assert ym_client.order_statuses([first]) == {first: "DELIVERY/DELIVERY_SERVICE_RECEIVED"}
    assert ym_client.shipment(shipment.id).status == "ACCEPTED"


def test_reception_transfer_act_confirms_the_closest_shipment(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    answer = ym_sandbox.call("GET", "/v2/campaigns/1/shipments/reception-transfer-act")
    assert answer.status_code == 400
    assert "Closest shipment" in answer.json()["errors"][0]["message"]
    _ready(ym_client, ym_sandbox, (MUG.article, 1))
    assert ym_client.reception_transfer_act().startswith(b"%PDF")
    [shipment] = ym_client.shipments(TOMORROW, TOMORROW)
    assert shipment.confirmed


def test_the_sandbox_clock_picks_confirmed_shipments_up(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    order_id = _ready(ym_client, ym_sandbox, (MUG.article, 1))
    [shipment] = ym_client.shipments(TOMORROW, TOMORROW)
    ym_client.confirm_shipment(shipment.id)
    ym_sandbox.app.config["SANDBOX_YANDEX_PICKUP_SECONDS"] = 0
    assert ym_client.order_statuses([order_id]) == {order_id: "DELIVERY/DELIVERY_SERVICE_RECEIVED"}


def test_sandbox_shipment_shapes_hold_the_references_fields(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    """Every field (and nesting) of the reference's shapes is in the sandbox's answers."""
    order_id = _ready(ym_client, ym_sandbox, (MUG.article, 1))
    day = TOMORROW.isoformat()
    found = ym_sandbox.call(
        "PUT", "/v2/campaigns/1/first-mile/shipments", json={"dateFrom": day, "dateTo": day}
    ).json()
    want = reference.keys_of(reference.shipments_page(reference.shipment_info(1, [1], "X")))
    _assert_holds(reference.keys_of(found), want)
    one = ym_sandbox.call(
        "GET", f"/v2/campaigns/1/first-mile/shipments/{found['result']['shipments'][0]['id']}"
    ).json()
    _assert_holds(reference.keys_of(one), reference.keys_of(reference.shipment(1, [1], "X", ["A"])))
    order = ym_client.get_order(order_id).raw
    required = reference.business_order(1, "PROCESSING", "READY_TO_SHIP", "2020-01-01")
    assert set(required) - {"programType", "updateDate"} <= set(order)


def test_shipment_search_needs_its_dates(ym_sandbox: YmSandbox) -> None:
    answer = ym_sandbox.call("PUT", "/v2/campaigns/1/first-mile/shipments", json={})
    assert answer.status_code == 400
    assert answer.json() == reference.error("BAD_REQUEST", "dateFrom and dateTo are required")


def _assert_holds(got: object, want: object, where: str = "") -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        for key, value in want.items():
            if key in ("paging",):  # empty on the last page
                continue
            assert key in got, f"{where}.{key} missing"
            _assert_holds(got[key], value, f"{where}.{key}")
    elif isinstance(want, list) and want:
        assert isinstance(got, list) and got, where
        _assert_holds(got[0], want[0], where + "[0]")


def test_transfer_moves_orders_to_the_next_shipment(
    ym_sandbox: YmSandbox, ym_client: YandexClient
) -> None:
    staying = _ready(ym_client, ym_sandbox, (MUG.article, 1))
    late = ym_sandbox.add_order((SOCKS.article, 1))  # not assembled in time
    [shipment] = ym_client.shipments(TOMORROW, TOMORROW)
    with pytest.raises(RejectedError):  # all or nothing: one stranger refuses the list
        ym_client.transfer_orders(shipment.id, [late, "52999999"])
    ym_client.transfer_orders(shipment.id, [late])

    assert ym_client.shipment(shipment.id).order_ids == (int(staying),)
    assert ym_client.shipment(shipment.id).available_actions == ("CONFIRM",)
    later = TOMORROW + timedelta(days=1)
    [next_one] = ym_client.shipments(later, later)
    assert next_one.order_ids == (int(late),)
    shipment_day = ym_client.get_order(late).raw["delivery"]["shipment"]["shipmentDate"]
    assert shipment_day == later.isoformat()
