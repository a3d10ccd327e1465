"""Closing an Ozon hand-over through the outbox, against the Ozon sandbox over HTTP.

Pack → load → close: the act is created once, asked after until Ozon has formed it,
its PDF (act + waybill) and barcode kept, the order handed over; later the courier
takes it and status polling reads it shipped. Also a stock push with a product Ozon
refuses: the rest counts as pushed.
"""

from __future__ import annotations

import time

import httpx
from sqlalchemy import select

from tests import test_marketplace_flows as flows
from tests.printers.decode import decode_all
from tests.test_marketplace_flows import MUG, account, import_all, pack, pick_all, sandbox_cart
from warehouse import jobs
from warehouse.infra import db
from warehouse.marketplaces.connectors import client_for
from warehouse.models import (
    HandOver,
    HandOverEvent,
    Listing,
    MarketplaceAccount,
    Order,
    OutboxCommand,
    Parcel,
    User,
    utcnow,
)
from warehouse.shipping import close_ozon, documents, handovers

site = flows.site  # the demo warehouse wired to the sandboxes


def packed_ozon_order(app, site, worker) -> int:
    external_id = sandbox_cart(site, "ozon", MUG.article)
    import_all(app, worker)
    with app.app_context():
        order_id = db.session().scalar(select(Order.id).where(Order.external_id == external_id))
    task_id = pick_all(app, order_id)
    pack(app, task_id)
    worker()
    return order_id


def run_outbox(app, worker, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            session = db.session()
            pending = session.scalars(
                select(OutboxCommand).where(OutboxCommand.status == "pending")
            ).all()
            if not pending:
                return
            for command in pending:
                command.next_attempt_at = utcnow()
            session.commit()
            jobs.sweep_outbox()
        worker()
        time.sleep(0.3)


def test_closing_makes_one_act_keeps_its_papers_and_hands_the_order_over(app, site, worker):
    app.config["SANDBOX_OZON_ACT_SECONDS"] = 1.5  # the first check finds it still forming
    order_id = packed_ozon_order(app, site, worker)
    with app.app_context():
        session = db.session()
        order = session.get(Order, order_id)
        boss = session.scalar(select(User).where(User.role == "admin"))
        parcel = session.scalar(select(Parcel).where(Parcel.order_id == order_id))
        parcel.loaded_at, parcel.loaded_by_id = utcnow(), boss.id
        handover_id = order.handover_id
        handovers.close(session, handover_id, boss)
        session.commit()

    run_outbox(app, worker)

    with app.app_context():
        session = db.session()
        handover = session.get(HandOver, handover_id)
        assert handover.status == "closed", handover.marketplace_state
        act_id = handover.external_id
        assert act_id and "ready, 1 postings" in handover.marketplace_state
        papers = {d.kind: d for d in documents.of(session, handover_id)}
        assert papers["act"].content.startswith(b"%PDF")
        assert papers["act_barcode"].content_type == documents.ZPL
        assert ("Code128", f"%303%{act_id}") in decode_all(papers["act_barcode"].content)
        calls = session.scalars(
            select(HandOverEvent.text).where(
                HandOverEvent.handover_id == handover_id, HandOverEvent.kind == "call"
            )
        ).all()
        assert sum("act/create" in text for text in calls) == 1
        assert any("check-status" in text and "in_process" in text for text in calls)
        assert session.get(Order, order_id).status == "handed_over"
        # asked again after it succeeded (a lost commit): the same act, nothing new at Ozon
        with client_for(handover.account) as client:
            close_ozon.close(session, client, handover)
        assert handover.external_id == act_id
        external_id = session.get(Order, order_id).external_id

    acts = httpx.get(f"{site.url}/sandbox/ozon/_control/state").json()
    assert acts["orders"][0]["status"] == "awaiting_deliver"
    httpx.post(f"{site.url}/sandbox/ozon/_control/acts/{act_id}/pickup").raise_for_status()
    import_all(app, worker)
    with app.app_context():
        order = db.session().scalar(select(Order).where(Order.external_id == external_id))
        assert order.status == "shipped"


def test_a_stock_push_keeps_only_refused_products_unpushed(app, site, worker):
    with app.app_context():
        ozon = account(app, "ozon")
        jobs.import_cards(ozon.id)
    worker()
    with app.app_context():
        session = db.session()
        listings = session.scalars(
            select(Listing).join(MarketplaceAccount).where(MarketplaceAccount.kind == "ozon")
        ).all()
        known, unknown = listings[0], listings[1]
        unknown.sku = "NOT-AT-OZON"  # a card Ozon does not know (offer_id_not_found)
        known.last_pushed = unknown.last_pushed = None  # both owed to Ozon
        session.commit()
    sandbox_cart(site, "ozon", MUG.article)
    import_all(app, worker)
    run_outbox(app, worker)
    with app.app_context():
        session = db.session()
        assert session.get(Listing, known.id).last_pushed is not None
        assert session.get(Listing, unknown.id).last_pushed is None
        pushes = session.scalars(
            select(OutboxCommand).where(OutboxCommand.kind == "push_stock")
        ).all()
        assert pushes and {c.status for c in pushes} == {"done"}


def test_a_posting_left_out_of_the_act_moves_to_the_next_pickup(app, site, worker, client):
    app.config["SANDBOX_OZON_ACT_SECONDS"] = 1.5
    going, dropped = packed_ozon_order(app, site, worker), packed_ozon_order(app, site, worker)
    with app.app_context():
        session = db.session()
        boss = session.scalar(select(User).where(User.role == "admin"))
        for parcel in session.scalars(select(Parcel)):
            parcel.loaded_at, parcel.loaded_by_id = utcnow(), boss.id
        handover_id = session.get(Order, going).handover_id
        handovers.close(session, handover_id, boss)
        session.commit()
        jobs.sweep_outbox()
    worker()  # the act is created, still forming
    with app.app_context():
        number = db.session().get(Order, dropped).external_id
    httpx.post(f"{site.url}/sandbox/ozon/_control/orders/{number}/client-cancel")
    run_outbox(app, worker)
    with app.app_context():
        session = db.session()
        handover = session.get(HandOver, handover_id)
        assert handover.status == "closed" and handover.details["removed"] == [number]
        assert "1 left out" in handover.marketplace_state
        assert session.get(Order, going).status == "handed_over"
        left = session.get(Order, dropped)
        assert left.handover_id != handover_id and left.status != "handed_over"
        texts = session.scalars(
            select(HandOverEvent.text).where(HandOverEvent.kind == "removed")
        ).all()
        assert texts == [f"Ozon left out of the act: {number}"]
    client.post("/login", data={"login": "admin", "password": "admin"})
    page = client.get(f"/handovers/{handover_id}").get_data(as_text=True)
    assert f"Маркетплейс не включил в акт (перенесены в следующую отгрузку): {number}" in page
