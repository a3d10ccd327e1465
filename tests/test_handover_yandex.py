"""Closing a Yandex Market pickup through the outbox, against the YM sandbox over HTTP.

Import → pick → pack (READY_TO_SHIP) → the loader scans the parcel → the supervisor closes
→ the ``hand_over`` command finds the day's first-mile shipment, confirms it and keeps its
acts; a pickup whose orders are not in the shipment is refused and says which.
"""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from tests.test_marketplace_flows import (  # the same site, worker and picking as the flows
    MUG,
    SOCKS,
    import_all,
    marketplace_status,
    pick_all,
    sandbox_cart,
    site,  # noqa: F401 (a fixture)
)
from warehouse import jobs
from warehouse.floor import packing
from warehouse.infra import db
from warehouse.marketplaces.connectors import client_for
from warehouse.models import (
    HandOver,
    HandOverEvent,
    Order,
    OutboxCommand,
    Parcel,
    User,
    utcnow,
)
from warehouse.orders import statuses
from warehouse.shipping import close_yandex, documents, handovers


def _packed_order(app, site, worker, *articles: str) -> tuple[str, int]:  # noqa: F811
    """A YM order imported, picked and packed (READY_TO_SHIP at YM); (its id, our order id)."""
    external_id = sandbox_cart(site, "yandex", *articles)
    import_all(app, worker)
    with app.app_context():
        order_id = db.session().scalar(select(Order.id).where(Order.external_id == external_id))
    task_id = pick_all(app, order_id)
    with app.app_context():
        session = db.session()
        packing.pack_task(session, task_id, _user(session, "PICKER-001"), None)
        session.commit()
    # the boxes go to the Market and the label comes back through the outbox: a command
    # that waits for an earlier one is due a second later, past one burst of the worker
    # on a loaded machine (CI once read the parcel before its label)
    for _ in range(20):
        worker()
        with app.app_context():
            labels = (
                db.session()
                .scalars(select(Parcel.label_barcode).where(Parcel.order_id == order_id))
                .all()
            )
        if labels and all(labels):
            break
        time.sleep(0.5)
    return external_id, order_id


def _user(session, badge: str) -> User:
    return session.scalar(select(User).where(User.badge == badge))


def _load_and_close(app, order_id: int, close: bool = True) -> int:
    """The loader scans every parcel of the order, the supervisor closes; the hand-over id."""
    with app.app_context():
        session = db.session()
        order = session.get(Order, order_id)
        user = _user(session, "PICKER-001")
        for parcel in session.scalars(select(Parcel).where(Parcel.order_id == order_id)):
            handovers.load(session, order.handover_id, parcel.label_barcode, user)
        if close:
            handovers.close(session, order.handover_id, user)
        session.commit()
        return order.handover_id


def _deliver(app, worker, seconds: float = 20) -> OutboxCommand:
    """Run the worker until the hand-over command is no longer pending."""
    deadline = time.monotonic() + seconds
    while True:
        worker()
        with app.app_context():
            command = db.session().scalar(
                select(OutboxCommand).where(OutboxCommand.kind == "hand_over")
            )
            if command.status != "pending" or time.monotonic() > deadline:
                db.session().expunge(command)
                return command
        time.sleep(0.2)


def _history(session, handover_id: int) -> list[str]:
    events = session.scalars(
        select(HandOverEvent)
        .where(HandOverEvent.handover_id == handover_id)
        .order_by(HandOverEvent.id)
    )
    return [f"{event.kind}: {event.text}" for event in events]


def test_closing_confirms_the_shipment_and_keeps_both_acts(app, site, worker):  # noqa: F811
    external_id, order_id = _packed_order(app, site, worker, SOCKS.article, MUG.article)
    handover_id = _load_and_close(app, order_id)

    command = _deliver(app, worker)
    assert command.status == "done", command.last_error

    with app.app_context():
        session = db.session()
        handover = session.get(HandOver, handover_id)
        assert handover.status == "closed"
        assert handover.marketplace_state == "OUTBOUND_CONFIRMED"
        shipment_id = handover.external_id
        papers = {d.kind: d for d in documents.of(session, handover_id)}
        assert set(papers) == {"shipment_act", "reception_act"}
        assert all(d.content.startswith(b"%PDF") for d in papers.values())
        assert all(d.content_type == "application/pdf" for d in papers.values())
        assert external_id.encode() in papers["shipment_act"].content
        lines = _history(session, handover_id)
        assert any(f"/first-mile/shipments/{shipment_id}/confirm → OK" in ln for ln in lines)
        assert any("reception-transfer-act → PDF" in ln for ln in lines)
        assert session.get(Order, order_id).status == "handed_over"
        session.expunge(handover)

    shipment = httpx.get(
        f"{site.url}/sandbox/yandex/v2/campaigns/1/first-mile/shipments/{shipment_id}",
        headers={"Api-Key": "sandbox"},
    ).json()["result"]
    assert shipment["currentStatus"]["status"] == "OUTBOUND_CONFIRMED"
    assert shipment["externalId"] == handovers.number(handover)

    # the Market picks it up; status polling then reads the order as shipped
    httpx.post(f"{site.url}/sandbox/yandex/_control/shipments/{shipment_id}/accept")
    assert marketplace_status(app, "yandex", external_id) == "DELIVERY/DELIVERY_SERVICE_RECEIVED"


def test_closing_again_after_success_repeats_nothing(app, site, worker):  # noqa: F811
    """A resumed close (the worker died after the Market confirmed) finds it confirmed."""
    _, order_id = _packed_order(app, site, worker, MUG.article)
    handover_id = _load_and_close(app, order_id)
    assert _deliver(app, worker).status == "done"
    with app.app_context():
        session = db.session()
        handover = session.get(HandOver, handover_id)
        before = len(_history(session, handover_id))
        with client_for(handover.account) as client:
            close_yandex.close(session, client, handover)  # runs again: no error, no confirm
        lines = _history(session, handover_id)[before:]
        assert not any("/confirm" in line for line in lines)
        assert len(documents.of(session, handover_id)) == 2
        session.rollback()


def test_an_order_missing_from_the_shipment_is_refused_by_name(app, site, worker):  # noqa: F811
    external_id, order_id = _packed_order(app, site, worker, MUG.article)
    _, other_id = _packed_order(app, site, worker, SOCKS.article)
    _load_and_close(app, other_id, close=False)
    handover_id = _load_and_close(app, order_id)
    # the buyer cancels at YM after we closed: the shipment no longer holds the order
    httpx.post(f"{site.url}/sandbox/yandex/_control/orders/{external_id}/client-cancel")

    command = _deliver(app, worker)
    assert command.status == "failed"
    assert f"orders {external_id} are not in" in (command.last_error or "")
    with app.app_context():
        session = db.session()
        assert session.get(HandOver, handover_id).status == "failed"
        assert any(
            line.startswith("refused: not in shipment") and external_id in line
            for line in _history(session, handover_id)
        )


@pytest.mark.parametrize(
    ("external", "unified"),
    [
        ("RETURNED/UNKNOWN", "returned"),
        ("PARTIALLY_RETURNED/UNKNOWN", "returned"),
        ("CANCELLED/USER_CHANGED_MIND", "cancelled"),
        ("DELIVERY/DELIVERY_SERVICE_RECEIVED", "shipped"),
        ("PROCESSING/READY_TO_SHIP", "new"),
    ],
)
def test_yandex_returns_are_returns_not_cancellations(external: str, unified: str) -> None:
    assert statuses.unified(statuses.DEFAULTS["yandex"], external) == unified


def test_a_shipment_not_formed_yet_is_waited_for(app, site, worker):  # noqa: F811
    """Before the Market forms the shipment (an order of the day still assembling), the
    confirm is refused with CUTOFF_NOT_REACHED: the command waits and tries again."""
    _, order_id = _packed_order(app, site, worker, MUG.article)
    straggler = sandbox_cart(site, "yandex", SOCKS.article)  # still PROCESSING/STARTED
    handover_id = _load_and_close(app, order_id)

    command = _deliver(app, worker, seconds=1)
    assert command.status == "pending" and "not formed yet" in (command.last_error or "")
    with app.app_context():
        assert db.session().get(HandOver, handover_id).status == "closing"

    httpx.post(f"{site.url}/sandbox/yandex/_control/orders/{straggler}/client-cancel")
    with app.app_context():
        session = db.session()
        session.execute(OutboxCommand.__table__.update().values(next_attempt_at=utcnow()))
        session.commit()
        jobs.sweep_outbox()
    assert _deliver(app, worker).status == "done"
    with app.app_context():
        lines = _history(db.session(), handover_id)
        assert any("CUTOFF_NOT_REACHED" in line for line in lines)
        assert any(line.endswith("/confirm → OK") for line in lines)


def test_orders_left_for_the_next_pickup_leave_the_shipment(app, site, worker):  # noqa: F811
    _, loaded_id = _packed_order(app, site, worker, MUG.article)
    left_external, left_id = _packed_order(app, site, worker, SOCKS.article)
    with app.app_context():
        session = db.session()
        order = session.get(Order, loaded_id)
        user = _user(session, "PICKER-001")
        parcel = session.scalar(select(Parcel).where(Parcel.order_id == loaded_id))
        handovers.load(session, order.handover_id, parcel.label_barcode, user)
        handovers.close(session, order.handover_id, user, decision=handovers.LEAVE)
        session.commit()
        handover_id = order.handover_id

    assert _deliver(app, worker).status == "done"
    with app.app_context():
        session = db.session()
        act = {d.kind: d for d in documents.of(session, handover_id)}["shipment_act"].content
        assert left_external.encode() not in act
        lines = _history(session, handover_id)
        assert any(line.endswith(f"/orders/transfer → OK: {left_external}") for line in lines)
        assert session.get(Order, left_id).handover_id != handover_id
