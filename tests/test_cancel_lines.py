"""A short pick ends with only the missing units taken off the order, at the marketplace too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import test_marketplace_flows as flows
from tests.test_marketplace_flows import MUG, SOCKS, import_all, sandbox_cart
from warehouse import jobs
from warehouse.floor import picking, shortages
from warehouse.infra import db
from warehouse.marketplaces.connectors import client_for
from warehouse.models import Order, OutboxCommand, PickTask, Shortage, User

site = flows.site  # the demo warehouse wired to the sandboxes


def short_one(app, external_id: str) -> int:
    """The picker finds the first item and reports the second one missing."""
    with app.app_context():
        session = db.session()
        order = session.scalar(select(Order).where(Order.external_id == external_id))
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
        picking.start_task(session, task.id, picker)
        first, _second = task.items
        picking.record_scan(session, task.id, first.location.barcode, "b1", picker)
        picking.record_scan(session, task.id, first.product.barcodes[0].barcode, "u1", picker)
        shortages.report_short(session, task.id, picker, "not_found")
        session.commit()
        return order.id


@pytest.mark.parametrize("kind", ["ozon", "yandex"])
def test_the_marketplace_keeps_the_picked_unit_and_drops_the_missing_one(
    app,
    site,
    worker,
    kind,
):
    external_id = sandbox_cart(site, kind, SOCKS.article, MUG.article)
    import_all(app, worker)
    order_id = short_one(app, external_id)
    with app.app_context():
        session = db.session()
        shortage = session.scalar(select(Shortage).where(Shortage.order_id == order_id))
        missing = shortage.item.line.external_sku
        shortages.resolve(session, shortage.id, "cancel_lines")
        session.commit()
    worker()
    with app.app_context():
        session = db.session()
        command = session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "cancel_lines"))
        assert command.status == "done", command.last_error
        order = session.get(Order, order_id)
        assert order.status == "picked"
        with client_for(order.account) as client:
            fetch = client.get_posting if kind == "ozon" else client.get_order
            left = {line.external_sku: line.quantity for line in fetch(external_id).lines}
    assert missing not in left and sum(left.values()) == 1
    # delivered again (a lost answer): nothing more is taken off
    with app.app_context():
        session = db.session()
        command = session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "cancel_lines"))
        command.status = "pending"
        session.commit()
        jobs.deliver_outbox(command.id)
        order = session.get(Order, order_id)
        with client_for(order.account) as client:
            fetch = client.get_posting if kind == "ozon" else client.get_order
            again = {line.external_sku: line.quantity for line in fetch(external_id).lines}
    assert again == left
