"""Closing a Wildberries pickup through the outbox, against the WB sandbox over HTTP.

Import → confirm (the supply) → pick (a marked shirt and two mugs) → pack and WB's
sticker on the virtual Zebra → the loader scans two parcels, one mug is left for the
next pickup → closing: the left-out mug moves to a new supply, the shirt's code that WB
lost is sent again, the supply is delivered and its QR kept (and decoded) — then WB
moves the orders on and the status poll follows.
"""

from __future__ import annotations

import httpx
import pytest
import zxingcpp
from sqlalchemy import select

from printers.preview import render
from tests.test_marketplace_flows import import_all, pick_all, unit_code
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import packing, picking
from warehouse.infra import db
from warehouse.marketplaces.connectors import client_for
from warehouse.models import HandOver, HandOverEvent, Order, Parcel, PickTask, User
from warehouse.shipping import close_wb, closing, documents, handovers

SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]  # the shirt carries a Честный знак code


def wb(site, method: str, path: str, **kwargs) -> httpx.Response:
    response = httpx.request(method, f"{site.url}/sandbox/wb{path}", timeout=10, **kwargs)
    response.raise_for_status()
    return response


def sandbox_orders(site) -> dict[str, dict]:
    return {str(o["id"]): o for o in wb(site, "GET", "/_control/state").json()["orders"]}


def pick_marked(app, order_id: int) -> None:
    with app.app_context():
        session = db.session()
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order_id))
        picking.start_task(session, task.id, picker)
        item = task.items[0]
        picking.record_scan(session, task.id, item.location.barcode, "m-bin", picker)
        assert picking.record_scan(session, task.id, unit_code(1), "m-unit", picker).ok
        session.commit()


@pytest.fixture
def packed_pickup(app, demo_site, worker):
    """Three WB orders confirmed into one supply, picked, packed and labelled."""
    item = {"article": SHIRT.article, "qty": 1, "requiredMeta": ["sgtin"]}
    [shirt] = wb(demo_site, "POST", "/_control/orders", json={"items": [item]}).json()["ids"]
    mugs = wb(
        demo_site, "POST", "/_control/orders", json={"items": [{"article": MUG.article, "qty": 2}]}
    )
    external = [str(shirt), *(str(i) for i in mugs.json()["ids"])]
    import_all(app, worker)
    with app.app_context():
        session = db.session()
        orders = [session.scalar(select(Order).where(Order.external_id == e)) for e in external]
        ids = [order.id for order in orders]
    pick_marked(app, ids[0])
    for order_id in ids[1:]:
        pick_all(app, order_id)
    with app.app_context():
        session = db.session()
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        for task in session.scalars(select(PickTask).where(PickTask.order_id.in_(ids))):
            packing.pack_task(session, task.id, picker, None)
        session.commit()
    worker()
    with app.app_context():
        statuses = [db.session().get(Order, i).status for i in ids]
    assert statuses == ["labelled"] * 3
    return external, ids


def load(app, order_ids: list[int]) -> int:
    with app.app_context():
        session = db.session()
        loader = session.scalar(select(User).where(User.badge == "PICKER-001"))
        for order_id in order_ids:
            parcel = session.scalar(select(Parcel).where(Parcel.order_id == order_id))
            handover_id = session.get(Order, order_id).handover_id
            handovers.load(session, handover_id, parcel.label_barcode, loader, f"load-{order_id}")
        session.commit()
        return handover_id


def close(app, handover_id: int) -> None:
    with app.app_context():
        session = db.session()
        boss = session.scalar(select(User).where(User.login == "admin"))
        handovers.close(session, handover_id, boss, decision=handovers.LEAVE)
        session.commit()


def test_closing_delivers_the_supply_moves_the_left_out_and_keeps_its_qr(
    app, demo_site, worker, packed_pickup
):
    (shirt, mug, left_mug), ids = packed_pickup
    supply = sandbox_orders(demo_site)[shirt]["supplyId"]
    wb(
        demo_site,
        "DELETE",
        f"/api/v3/orders/{shirt}/meta",
        params={"key": "sgtin"},
        headers={"Authorization": "sandbox"},
    )  # WB lost the code sent at pack
    handover_id = load(app, ids[:2])
    close(app, handover_id)
    worker()

    at_wb = sandbox_orders(demo_site)
    assert [at_wb[i]["supplierStatus"] for i in (shirt, mug, left_mug)] == [
        "complete",
        "complete",
        "confirm",
    ]
    assert at_wb[shirt]["sgtins"] == [unit_code(1)]  # sent again before delivering
    with app.app_context():
        session = db.session()
        handover = session.get(HandOver, handover_id)
        lines = [
            e.text
            for e in session.scalars(
                select(HandOverEvent).where(HandOverEvent.handover_id == handover_id)
            )
        ]
        assert handover.status == "closed", lines
        assert handover.external_id == supply
        assert f"PATCH /api/v3/supplies/{supply}/deliver → 204" in lines
        assert f"PUT /api/v3/orders/{shirt}/meta/sgtin → 204" in lines
        later = session.get(HandOver, session.get(Order, ids[2]).handover_id)
        assert later.status == "open" and later.external_id not in ("", supply)
        assert at_wb[left_mug]["supplyId"] == later.external_id
        [paper] = documents.of(session, handover_id)
        assert (paper.kind, paper.content_type) == ("supply_qr", documents.ZPL)
        image = render(paper.content).labels[0].image.convert("L")
        assert [found.text for found in zxingcpp.read_barcodes(image)] == [supply]
        assert [session.get(Order, i).status for i in ids] == ["handed_over"] * 2 + ["labelled"]
        assert handover.marketplace_state == f"{supply}: in delivery, QR {supply}"

        # run again (a success nobody recorded): nothing is sent twice, the QR is kept again
        calls = len(lines)
        with client_for(handover.account) as client:
            close_wb.close(session, client, handover)
        again = session.scalars(
            select(HandOverEvent.text).where(HandOverEvent.handover_id == handover_id)
        ).all()[calls:]
        assert [line.split(" → ")[0] for line in again] == [
            f"GET /api/v3/supplies/{supply}",
            f"GET /api/v3/supplies/{supply}/barcode?type=zplv",
        ]
        session.rollback()


def test_wb_moves_the_handed_over_orders_on_and_a_late_client_cancel_is_read(
    app, demo_site, worker, packed_pickup
):
    (shirt, mug, _other), ids = packed_pickup
    close(app, load(app, ids))
    worker()
    import_all(app, worker)
    with app.app_context():
        shirt_order = db.session().get(Order, ids[0])
        # in delivery by our own call, not yet received by WB: still waiting for WB
        assert (shirt_order.marketplace_status, shirt_order.status) == (
            "complete/waiting",
            "handed_over",
        )
    wb(demo_site, "POST", f"/_control/orders/{mug}/client-cancel")
    wb(demo_site, "POST", "/_control/advance")
    import_all(app, worker)
    with app.app_context():
        session = db.session()
        orders = {o.external_id: o for o in session.scalars(select(Order).where(Order.id.in_(ids)))}
        assert orders[shirt].marketplace_status == "complete/sorted"
        assert orders[shirt].status == "shipped"
        # the buyer refused it at the pickup point: WB says cancelled; the parcel left us
        assert orders[mug].marketplace_status == "complete/canceled_by_client"
        assert orders[mug].status == "handed_over"


def test_an_empty_supply_is_nothing_to_deliver(app, demo_site, worker, packed_pickup):
    (shirt, mug, left_mug), ids = packed_pickup
    handover_id = load(app, ids)
    for external_id in (shirt, mug, left_mug):  # the seller cancelled them at WB meanwhile
        wb(
            demo_site,
            "PATCH",
            f"/api/v3/orders/{external_id}/cancel",
            headers={"Authorization": "sandbox"},
        )
    close(app, handover_id)
    worker()
    with app.app_context():
        handover = db.session().get(HandOver, handover_id)
        assert handover.status == "closed"
        assert handover.marketplace_state.endswith("no orders to deliver")
        assert documents.of(db.session(), handover_id) == []
    assert closing.HANDLERS["wb"] is close_wb.close
