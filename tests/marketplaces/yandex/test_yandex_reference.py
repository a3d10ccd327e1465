"""The connector fed answers shaped as Yandex Market's reference shows them (see reference.py).

A loopback server replays the payloads; each test also checks what the connector sent
against the reference's request schema.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.marketplaces.yandex import reference
from warehouse.marketplaces.base import AuthError, RejectedError, TransientError
from warehouse.marketplaces.yandex import MARKET_TZ, YandexClient

if TYPE_CHECKING:
    from conftest import Replay

Replayed = tuple["Replay", YandexClient]


def test_status_polling_walks_back_30_day_creation_windows(ym_replay: Replayed) -> None:
    """The search sees only the last 30 days unless told: older orders come from older windows."""
    replay, client = ym_replay
    recent = reference.business_order(
        11, "DELIVERED", "DELIVERY_SERVICE_DELIVERED", "2026-01-05T10:00:00+03:00"
    )
    old = reference.business_order(22, "RETURNED", "UNKNOWN", "2025-11-20T10:00:00+03:00")
    replay.answer(reference.orders_page(recent))  # the last 30 days: only the recent one
    replay.answer(reference.orders_page())  # 30…60 days back: nothing
    replay.answer(reference.orders_page(old))  # 60…90 days back: the returned one

    assert client.order_statuses(["11", "22"]) == {
        "11": "DELIVERED/DELIVERY_SERVICE_DELIVERED",
        "22": "RETURNED/UNKNOWN",
    }
    windows = [r["json"]["dates"] for r in replay.requests]
    tomorrow = datetime.now(MARKET_TZ).date() + timedelta(days=1)
    assert windows[0]["creationDateTo"] == tomorrow.isoformat()  # the end is excluded
    for window in windows:
        start = date.fromisoformat(window["creationDateFrom"])
        assert date.fromisoformat(window["creationDateTo"]) - start == timedelta(days=30)
    assert windows[1]["creationDateTo"] == windows[0]["creationDateFrom"]
    assert [r["json"]["orderIds"] for r in replay.requests] == [[11, 22], [22], [22]]
    assert replay.requests[0]["path"] == "/v1/businesses/1/orders"


def test_status_polling_gives_up_after_180_days(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    for _ in range(6):
        replay.answer(reference.orders_page())
    assert client.order_statuses(["33"]) == {}
    assert len(replay.requests) == 6


def test_remove_items_sends_the_smaller_layout_with_allow_remove(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    order = reference.business_order(44, "PROCESSING", "STARTED", "2026-01-05T10:00:00+03:00")
    order["items"].append(
        {"id": 654321, "offerId": "SOCKS-1", "offerName": "Носки", "count": 1, "prices": {}}
    )
    replay.answer(reference.orders_page(order))
    replay.answer({"status": "OK", "result": {"boxes": []}})

    client.remove_items("44", {"MUG-01": 1, "SOCKS-1": 1})

    sent = replay.requests[-1]
    assert (sent["method"], sent["path"]) == ("PUT", "/v2/campaigns/1/orders/44/boxes")
    assert sent["json"] == {
        "boxes": [{"items": [{"id": 123456, "fullCount": 1}]}],
        "allowRemove": True,
    }


def test_remove_items_refuses_to_empty_the_order(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    replay.answer(
        reference.orders_page(
            reference.business_order(44, "PROCESSING", "STARTED", "2026-01-05T10:00:00+03:00")
        )
    )
    with pytest.raises(RejectedError, match="cancel it instead") as caught:
        client.remove_items("44", {"MUG-01": 2})
    assert caught.value.code == "CANNOT_REMOVE_LAST_ITEM"
    assert len(replay.requests) == 1  # nothing was sent to change the order


def test_remove_items_refusal_from_the_market(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    order = reference.business_order(44, "PROCESSING", "STARTED", "2026-01-05T10:00:00+03:00")
    order["items"].append({"id": 2, "offerId": "GIFT", "count": 1, "prices": {}})
    replay.answer(reference.orders_page(order))
    replay.answer(reference.error("PROMO_PROHIBITS_DELETE", "Item is part of a promo"), 400)
    with pytest.raises(RejectedError) as caught:
        client.remove_items("44", {"GIFT": 1})
    assert caught.value.code == "PROMO_PROHIBITS_DELETE"


def test_search_shipments_reads_every_page(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    replay.answer(
        reference.shipments_page(
            reference.shipment_info(501, [11, 12], "OUTBOUND_READY_FOR_CONFIRMATION"),
            next_token="abc",
        )
    )
    replay.answer(reference.shipments_page(reference.shipment_info(502, [13], "OUTBOUND_CREATED")))

    found = client.shipments(date(2026, 1, 6), date(2026, 1, 6), order_ids=["11", 13])

    assert [(s.id, s.status, s.order_ids) for s in found] == [
        (501, "OUTBOUND_READY_FOR_CONFIRMATION", (11, 12)),
        (502, "OUTBOUND_CREATED", (13,)),
    ]
    assert found[0].plan_from is not None and found[0].plan_from.utcoffset() == timedelta(hours=3)
    first, second = replay.requests
    assert (first["method"], first["path"]) == ("PUT", "/v2/campaigns/1/first-mile/shipments")
    assert first["json"] == {
        "dateFrom": "2026-01-06",
        "dateTo": "2026-01-06",
        "cancelledOrders": False,
        "orderIds": [11, 13],
    }
    assert first["args"] == {"limit": "30"} and second["args"]["page_token"] == "abc"


def test_one_shipment_reads_current_status_and_actions(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    replay.answer(reference.shipment(501, [11], "OUTBOUND_READY_FOR_CONFIRMATION", ["CONFIRM"]))
    found = client.shipment(501)
    assert (found.status, found.available_actions, found.confirmed) == (
        "OUTBOUND_READY_FOR_CONFIRMATION",
        ("CONFIRM",),
        False,
    )
    assert replay.requests[0]["args"] == {"cancelledOrders": "false"}


def test_confirm_sends_our_id_and_a_repeat_is_done(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    replay.answer({"status": "OK"})
    client.confirm_shipment(501, "HO-7")
    assert replay.requests[0]["json"] == {"externalShipmentId": "HO-7"}

    replay.answer(reference.error("ALREADY_CONFIRMED", "Shipment already confirmed"), 400)
    client.confirm_shipment(501, "HO-7")


def test_confirm_before_cutoff_is_refused_with_its_code(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    replay.answer(
        reference.error("CUTOFF_NOT_REACHED", "Cutoff time for shipments has not been reached yet"),
        400,
    )
    replay.answer(reference.shipment(501, [11], "OUTBOUND_CREATED", []))
    with pytest.raises(RejectedError) as caught:
        client.confirm_shipment(501)
    assert caught.value.code == "CUTOFF_NOT_REACHED"


def test_acts_are_pdfs(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    replay.answer(b"%PDF-1.4 act")
    replay.answer(b"%PDF-1.4 reception")
    assert client.shipment_act(501) == b"%PDF-1.4 act"
    assert client.reception_transfer_act(77001) == b"%PDF-1.4 reception"
    act, reception = replay.requests
    assert act["path"] == "/v2/campaigns/1/first-mile/shipments/501/act"
    assert reception["path"] == "/v2/campaigns/1/shipments/reception-transfer-act"
    assert reception["args"] == {"warehouse_id": "77001"}


def test_an_act_that_is_not_a_pdf_is_transient(ym_replay: Replayed) -> None:
    replay, client = ym_replay
    replay.answer({"status": "OK"})
    with pytest.raises(TransientError):
        client.shipment_act(501)


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (401, "UNAUTHORIZED", AuthError),
        (403, "FORBIDDEN", AuthError),
        (500, "INTERNAL_ERROR", TransientError),
    ],
)
def test_error_bodies_from_the_reference(
    ym_replay: Replayed, status: int, code: str, error: type[Exception]
) -> None:
    replay, client = ym_replay
    replay.answer(reference.error(code, "refused"), status)
    with pytest.raises(error):
        client.shipments(date(2026, 1, 6), date(2026, 1, 6))


def test_transfer_orders_sends_their_ids(ym_replay: Replayed) -> None:
    """``TransferOrdersFromShipmentRequest``: ``{orderIds}``; the answer is an empty OK."""
    replay, client = ym_replay
    replay.answer({"status": "OK"})
    client.transfer_orders(501, ["12", 13, "12"])
    [sent] = replay.requests
    assert (sent["method"], sent["path"]) == (
        "POST",
        "/v2/campaigns/1/first-mile/shipments/501/orders/transfer",
    )
    assert sent["json"] == {"orderIds": [12, 13]}

    replay.answer(reference.error("BAD_REQUEST", "Orders [99] are not in shipment 501"), 400)
    with pytest.raises(RejectedError, match="not in shipment"):
        client.transfer_orders(501, [99])
