"""Webhooks (issue 16, item 3): events found in the transaction that writes them, one
delivery per receiver, signed, sent with backoff until a 2xx, given up after the last
step and sent again from the desk."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.webhook_receiver import WebhookReceiver
from warehouse import jobs
from warehouse.alerts import low_stock
from warehouse.errors import DomainError
from warehouse.floor import picking, shortages
from warehouse.infra import db
from warehouse.integrations import service_accounts, webhooks
from warehouse.models import HandOver, Order, PickTask, WebhookDelivery
from warehouse.shipping import history

MUG = "4607001234562"


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    running = WebhookReceiver().start()
    yield running
    running.stop()


@pytest.fixture
def site(app, session, receiver):  # type: ignore[no-untyped-def]
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    mug = f.make_product(session, "Mug", MUG, article="MUG")
    mug.min_stock = 3
    f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 4)
    admin = f.make_supervisor(session, "root", "root", role="admin")
    service = service_accounts.create(
        session, "1C", ["webhooks", "orders:read", "stock:read", "handovers:read"], admin
    )
    subscription, secret = webhooks.subscribe(
        session,
        service,
        receiver.url,
        ["order.status_changed", "pick.short", "stock.below_minimum", "handover.closed"],
        app.config["CREDENTIALS_KEY"],
    )
    session.commit()
    return {
        "account": account,
        "mug": mug,
        "service": service,
        "secret": secret,
        "subscription": subscription,
    }


def _deliveries(session, event: str | None = None) -> list[WebhookDelivery]:  # type: ignore[no-untyped-def]
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event:
        query = query.where(WebhookDelivery.event == event)
    return list(session.scalars(query))


def test_each_event_is_owed_in_the_transaction_that_writes_it(session, site):
    order = f.import_order(session, site["account"], "9001", (MUG, 2))
    assert _deliveries(session) == []  # not before the commit
    session.commit()
    changed = _deliveries(session, "order.status_changed")
    assert [json.loads(d.body)["data"]["to_status"] for d in changed] == ["reserved"]
    body = json.loads(changed[0].body)
    assert body["event"] == "order.status_changed" and body["id"].startswith("evt_")
    assert body["data"]["external_id"] == "9001" and body["data"]["marketplace"] == "wb"

    low_stock.check(session, [site["mug"].id])  # 4 on hand, 2 reserved: 2 free < 3
    session.commit()
    [below] = _deliveries(session, "stock.below_minimum")
    assert json.loads(below.body)["data"]["article"] == "MUG"

    picker = f.make_picker(session)
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    picking.record_scan(session, task.id, "LOC-A-01", "s1", picker)
    shortages.report_short(session, task.id, picker, "not_in_bin")
    session.commit()
    [short] = _deliveries(session, "pick.short")
    assert json.loads(short.body)["data"]["quantity"] == 2

    handover = HandOver(account_id=site["account"].id, ship_date=date(2026, 12, 7))
    session.add(handover)
    session.flush()
    history.record(session, handover, "closed", "")
    session.commit()
    [closed] = _deliveries(session, "handover.closed")
    assert json.loads(closed.body)["data"]["handover_id"] == handover.id


def test_a_rolled_back_change_owes_nothing_and_a_savepoint_keeps_the_rest(session, site):
    f.import_order(session, site["account"], "9002", (MUG, 1))
    session.rollback()
    session.commit()
    assert _deliveries(session) == []
    order = f.import_order(session, site["account"], "9003", (MUG, 1))
    with pytest.raises(RuntimeError), session.begin_nested():
        order.status = "cancelled"  # undone with its savepoint
        session.flush()
        raise RuntimeError
    session.commit()
    assert [json.loads(d.body)["data"]["to_status"] for d in _deliveries(session)] == ["reserved"]


def test_an_event_is_told_only_to_an_account_that_may_read_it(app, session, site):
    service_accounts.set_scopes(site["service"], ["webhooks", "orders:read"])
    session.commit()
    low_stock.check(session, [site["mug"].id])
    f.import_order(session, site["account"], "9010", (MUG, 1))
    session.commit()
    assert {d.event for d in _deliveries(session)} == {"order.status_changed"}
    with pytest.raises(DomainError) as refused:
        webhooks.subscribe(
            session,
            site["service"],
            "http://127.0.0.1:9/x",
            ["stock.below_minimum"],
            app.config["CREDENTIALS_KEY"],
        )
    assert refused.value.code == "webhook_needs_scope"


def test_a_receiver_on_a_link_local_or_unresolved_address_is_refused(app, session, site):
    for url, why in (
        ("http://169.254.169.254/latest/meta-data", "reserved"),
        ("http://no-such-host.invalid/hook", "unresolved"),
    ):
        with pytest.raises(DomainError) as refused:
            webhooks.subscribe(
                session,
                site["service"],
                url,
                ["order.status_changed"],
                app.config["CREDENTIALS_KEY"],
            )
        assert refused.value.params["why"] == why
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    with pytest.raises(DomainError):
        webhooks.subscribe(
            session,
            site["service"],
            "http://127.0.0.1:9/x",
            ["order.status_changed"],
            app.config["CREDENTIALS_KEY"],
        )


def test_a_savepoint_released_sends_nothing_before_the_real_commit(app, session, site):
    """SQLAlchemy calls a savepoint's release a commit: neither the deliveries nor their
    jobs may go out then (the job would find no row and wait for the sweeper)."""
    enqueued: list[object] = []
    db.after_commit(session, lambda: enqueued.append("outer"))
    order = f.import_order(session, site["account"], "9011", (MUG, 1))
    with session.begin_nested():
        order.status = "picking"
    assert enqueued == [] and _deliveries(session) == []
    session.commit()
    assert enqueued == ["outer"]
    assert [json.loads(d.body)["data"]["to_status"] for d in _deliveries(session)] == [
        "reserved",
        "picking",
    ]


def test_only_live_receivers_of_accounts_holding_the_scope_are_told(session, site):
    service_accounts.set_scopes(site["service"], ["orders:read"])
    session.commit()
    f.import_order(session, site["account"], "9004", (MUG, 1))
    session.commit()
    assert _deliveries(session) == []
    service_accounts.set_scopes(site["service"], ["orders:read", "webhooks"])
    webhooks.unsubscribe(session, site["service"].id, site["subscription"].id)
    session.commit()
    f.import_order(session, site["account"], "9005", (MUG, 1))
    session.commit()
    assert _deliveries(session) == []


def test_a_delivery_is_signed_retried_given_up_and_sent_again(app, session, site, receiver):
    receiver.fail_first = 4  # the test backoff has three steps: four attempts in all
    f.import_order(session, site["account"], "9006", (MUG, 1))
    session.commit()
    [delivery] = _deliveries(session)
    for _ in range(4):
        jobs.deliver_webhook(delivery.id)
    session.expire_all()
    delivery = session.get_one(WebhookDelivery, delivery.id)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", 4, 500)
    assert jobs.deliver_webhook(delivery.id) == "nothing to do"
    signatures = {r.headers["Webhook-Signature"] for r in receiver.received}
    bodies = {r.body for r in receiver.received}
    assert len(bodies) == 1 and bodies == {delivery.body.encode()}  # the same bytes
    assert all(s.startswith("t=") and ",v1=" in s for s in signatures)
    assert {r.headers["Webhook-Event"] for r in receiver.received} == {"order.status_changed"}
    receiver.fail_first = 0
    webhooks.retry(session, site["service"].id, delivery.id)
    session.commit()
    assert jobs.deliver_webhook(delivery.id) == "delivered"
    assert receiver.answered[-1] == 204


def test_no_answer_is_retried_not_lost(app, session, site):
    dead = WebhookReceiver().start()
    url = dead.url
    dead.stop()  # the port answers nothing now
    other = service_accounts.create(
        session, "BI", ["webhooks", "orders:read"], site["service"].created_by
    )
    webhooks.subscribe(session, other, url, ["order.status_changed"], app.config["CREDENTIALS_KEY"])
    session.commit()
    f.import_order(session, site["account"], "9007", (MUG, 1))
    session.commit()
    lost = next(d for d in _deliveries(session) if d.subscription.url == url)
    assert jobs.deliver_webhook(lost.id) == "pending"
    session.expire_all()
    lost = session.get_one(WebhookDelivery, lost.id)
    assert lost.last_status is None and "Connect" in lost.last_error
    assert lost.id in webhooks.due(session)  # the sweeper would send it again


def test_the_desk_lists_deliveries_and_sends_one_again(app, client, site, receiver):
    with app.app_context():
        s = db.session()
        f.import_order(s, s.get_one(type(site["account"]), site["account"].id), "9008", (MUG, 1))
        s.commit()
        delivery_id = s.scalar(select(WebhookDelivery.id))
        service_id = site["service"].id
    receiver.fail_first = 10
    with app.app_context():
        jobs.deliver_webhook(delivery_id)
    client.post("/login", data={"login": "root", "password": "root"})
    page = client.get(f"/integrations/{service_id}/webhooks").get_data(as_text=True)
    assert "изменился статус заказа" in page and "HTTP 500" in page
    receiver.fail_first = 0
    again = client.post(f"/integrations/{service_id}/webhooks/deliveries/{delivery_id}/retry")
    assert again.status_code == 302
    with app.app_context():
        assert jobs.deliver_webhook(delivery_id) == "delivered"
    assert (
        client.post(f"/integrations/{service_id}/webhooks/deliveries/987654/retry").status_code
        == 404
    )
    assert Order  # the model the events are about


def test_the_documented_signature_example_holds():
    """docs/INTEGRATION-1C.md gives integrators this example to check their HMAC with."""
    doc = (Path(__file__).parents[1] / "docs" / "INTEGRATION-1C.md").read_text(encoding="utf-8")
    body = re.search(r"`(\{\"at\": .*?\})`", doc).group(1)  # type: ignore[union-attr]
    expected = re.search(r"`(t=1796634000,v1=[0-9a-f]{64})`", doc).group(1)  # type: ignore[union-attr]
    assert webhooks.sign("whsec_test", 1796634000, body) == expected
