"""Closing a Megamarket pickup through the outbox, against the sandbox over HTTP.

Packed and loaded shipments get ``order/shipping`` with every box code and the pickup's
date; a second run sends nothing again; the sandbox clock then delivers them and status
polling shows it; a shipment MM ended is named, not shipped, and blocks nothing.
"""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlalchemy import select

from tests.test_marketplace_flows import import_all, pack, pick_all, sandbox_cart, site  # noqa: F401
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.marketplaces.connectors import client_for
from warehouse.marketplaces.megamarket_shapes import MSK
from warehouse.models import HandOver, HandOverEvent, Order, Parcel, User
from warehouse.shipping import close_megamarket, handovers

MUG, SOCKS = PRODUCTS[2], PRODUCTS[3]


def packed_and_loaded(app, site, worker, *articles: str) -> tuple[str, int]:  # noqa: F811
    """A sandbox cart imported, picked, packed (label printed) and loaded: (id, pickup id)."""
    external_id = sandbox_cart(site, "megamarket", *articles)
    import_all(app, worker)
    with app.app_context():
        session = db.session()
        order_id = session.scalar(select(Order.id).where(Order.external_id == external_id))
    task_id = pick_all(app, order_id)
    pack(app, task_id)
    worker()
    with app.app_context():
        session = db.session()
        order = session.get_one(Order, order_id)
        parcel = session.scalar(select(Parcel).where(Parcel.order_id == order_id))
        assert order.status == "labelled" and parcel.label_barcode.startswith("5401*")
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        handovers.load(session, order.handover_id, parcel.label_barcode, picker)
        session.commit()
        return external_id, order.handover_id


def close(app, handover_id: int) -> None:
    with app.app_context():
        session = db.session()
        admin = session.scalar(select(User).where(User.login == "admin"))
        handovers.close(session, handover_id, admin)
        session.commit()


def mm_shipment(site, shipment_id: str) -> dict:  # noqa: F811
    state = httpx.get(f"{site.url}/sandbox/megamarket/_control/state").json()
    return next(s for s in state["orders"] if s["shipmentId"] == shipment_id)


def test_closing_ships_every_box_once_and_polling_sees_it_delivered(
    app,
    site,  # noqa: F811
    zebra,
    worker,
):
    shipment_id, handover_id = packed_and_loaded(app, site, worker, MUG.article, SOCKS.article)
    close(app, handover_id)
    worker()

    shipped = mm_shipment(site, shipment_id)
    assert {item["status"] for item in shipped["items"]} == {"SHIPPED"}
    with app.app_context():
        session = db.session()
        handover = session.get_one(HandOver, handover_id)
        assert handover.status == "closed", handover.marketplace_state
        assert handover.marketplace_state == "1 of 1 shipments shipped"
        assert datetime.fromisoformat(shipped["shippingDate"]).astimezone(MSK).date() == (
            handover.ship_date
        )
        lines = [e.text for e in session.scalars(select(HandOverEvent).order_by(HandOverEvent.id))]
        assert f"POST order/shipping {shipment_id} [5401*{shipment_id}*1]" in "\n".join(lines)
        order = session.scalar(select(Order).where(Order.external_id == shipment_id))
        assert order.status == "handed_over"

        with client_for(handover.account) as client:  # run again: nothing is sent twice
            close_megamarket.close(session, client, handover)
        assert (
            f"{shipment_id}: already SHIPPED"
            in session.scalars(select(HandOverEvent.text).order_by(HandOverEvent.id.desc())).first()
        )
        session.commit()

    url = f"{site.url}/sandbox/megamarket/_control/orders/{shipment_id}/shipped-at"
    httpx.post(url, json={"ageSeconds": 7 * 3600}).raise_for_status()
    import_all(app, worker)
    with app.app_context():
        order = db.session().scalar(select(Order).where(Order.external_id == shipment_id))
        assert (order.status, order.marketplace_status) == ("delivered", "DELIVERED")


def test_a_shipment_mm_ended_is_named_and_blocks_nothing(
    app,
    site,  # noqa: F811
    zebra,
    worker,
):
    shipment_id, handover_id = packed_and_loaded(app, site, worker, MUG.article)
    url = f"{site.url}/sandbox/megamarket/_control/orders/{shipment_id}/status"
    httpx.post(url, json={"status": "SHIPPING_EXPIRED"}).raise_for_status()
    close(app, handover_id)
    worker()
    assert {item["status"] for item in mm_shipment(site, shipment_id)["items"]} == {
        "SHIPPING_EXPIRED"
    }
    with app.app_context():
        handover = db.session().get_one(HandOver, handover_id)
        assert handover.status == "closed"
        assert f"{shipment_id} is SHIPPING_EXPIRED (ended at MM)" in handover.marketplace_state
