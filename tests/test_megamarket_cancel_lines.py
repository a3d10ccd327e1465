"""A short pick on Megamarket: ``order/reject`` of just the missing lots, through the outbox."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.test_marketplace_flows import import_all, sandbox_cart, site  # noqa: F401
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.marketplaces import commands, outbox
from warehouse.marketplaces.connectors import client_for
from warehouse.models import Order, OutboxCommand

MUG, SOCKS = PRODUCTS[2], PRODUCTS[3]


def test_cancel_lines_rejects_the_missing_lots_once(app, site, worker):  # noqa: F811
    shipment_id = sandbox_cart(site, "megamarket", MUG.article, MUG.article, SOCKS.article)
    import_all(app, worker)  # imported, reserved and confirmed at MM
    with app.app_context():
        session = db.session()
        order = session.scalar(select(Order).where(Order.external_id == shipment_id))
        lines = [{"line": 0, "sku": MUG.article, "quantity": 1}]
        command = outbox.queue_command(
            session, order.account, "cancel_lines", order=order, payload={"lines": lines}
        )
        session.commit()
        command_id = command.id
    worker()

    state = httpx.get(f"{site.url}/sandbox/megamarket/_control/state").json()
    shipment = next(s for s in state["orders"] if s["shipmentId"] == shipment_id)
    assert [(i["offerId"], i["status"], i["subStatus"]) for i in shipment["items"]] == [
        (MUG.article, "CONFIRMED", None),
        (MUG.article, "MERCHANT_CANCELED", "LATE_REJECT"),
        (SOCKS.article, "CONFIRMED", None),
    ]
    with app.app_context():
        session = db.session()
        command = session.get_one(OutboxCommand, command_id)
        assert command.status == "done", command.last_error
        assert command.payload["item_indexes"] == ["2"]
        order = session.get_one(Order, command.order_id)
        assert order.raw["itemIndexes"] == ["1", "3"]
        assert order.raw["itemIndexesByOffer"] == {MUG.article: ["1"], SOCKS.article: ["3"]}
        with client_for(order.account) as client:  # delivered again: nothing more rejected
            commands.HANDLERS[("megamarket", "cancel_lines")](session, client, command)
        session.rollback()
    state = httpx.get(f"{site.url}/sandbox/megamarket/_control/state").json()
    shipment = next(s for s in state["orders"] if s["shipmentId"] == shipment_id)
    assert [i["status"] for i in shipment["items"]].count("MERCHANT_CANCELED") == 1
