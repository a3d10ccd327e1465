"""Issue 16, "Done when": an analytics service plugs in.

An admin makes its service account on the desk; it reads orders page by page while new
ones arrive (nothing skipped, nothing twice), receives signed webhooks at a local
receiver that fails its first two deliveries, and posts cost prices and a stock
correction that show up on the desk and in the stock ledger."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.webhook_receiver import WebhookReceiver
from warehouse.infra import db
from warehouse.models import MarketplaceAccount, StockMove, WebhookDelivery
from warehouse.stock import ledger

TOKEN_RE = re.compile(r"wh_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")
MUG, KETTLE = "4600000000015", "4600000000022"


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    running = WebhookReceiver(fail_first=2).start()
    yield running
    running.stop()


def _warehouse(app) -> int:
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        mug = f.make_product(s, "Кружка", MUG, article="MUG")
        kettle = f.make_product(s, "Чайник", KETTLE, article="KETTLE")
        shelf = f.make_location(s, warehouse, "A-01")
        f.put_stock(s, mug, shelf, 100)
        f.put_stock(s, kettle, shelf, 100)
        f.make_location(s, warehouse, "B-02")
        f.make_supervisor(s, "root", "root", role="admin")
        s.commit()
        return account.id


def _import(app, account_id: int, *numbers: str) -> None:
    with app.app_context():
        s = db.session()
        account = s.get_one(MarketplaceAccount, account_id)
        for number in numbers:
            f.import_order(s, account, number, (MUG, 1), (KETTLE, 1))
        s.commit()


def _verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["Webhook-Signature"].split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256)
    fresh = abs(time.time() - int(fields["t"])) < 300
    return fresh and hmac.compare_digest(expected.hexdigest(), fields["v1"])


def test_an_analytics_service_plugs_in(app, client, worker, receiver):
    account_id = _warehouse(app)
    _import(app, account_id, "7001", "7002", "7003")

    # 1. the admin makes the service's account on the desk and issues its token
    client.post("/login", data={"login": "root", "password": "root"})
    scopes = ["orders:read", "stock:read", "stock:write", "products:write", "webhooks"]
    assert (
        client.post("/integrations/", data={"name": "Аналитика", "scope": scopes}).status_code
        == 302
    )
    page = client.get("/integrations/").get_data(as_text=True)
    service_id = int(re.search(r'id="account-(\d+)"', page).group(1))  # type: ignore[union-attr]
    issued = client.post(f"/integrations/{service_id}/tokens", data={"label": "analytics"})
    token = TOKEN_RE.findall(issued.get_data(as_text=True))[0]
    api = {"Authorization": f"Bearer {token}"}

    # 2. the service subscribes its receiver to status changes
    subscribed = client.post(
        "/api/v1/webhooks",
        headers={**api, "Idempotency-Key": str(uuid.uuid4())},
        json={"url": receiver.url, "events": ["order.status_changed"]},
    )
    assert subscribed.status_code == 201, subscribed.get_data(as_text=True)
    secret = subscribed.get_json()["secret"]

    # 3. it reads orders page by page while imports land between its pages
    seen: list[str] = []
    cursor, arriving = 0, iter(["8001", "8002", "8003", "8004"])
    while True:
        body = client.get(f"/api/v1/orders?limit=2&after={cursor}", headers=api).get_json()
        seen += [order["external_id"] for order in body["items"]]
        cursor = body["next"]
        number = next(arriving, None)
        if number is not None:
            _import(app, account_id, number)
        elif not body["has_more"]:
            break
    assert sorted(seen) == ["7001", "7002", "7003", "8001", "8002", "8003", "8004"]
    assert len(seen) == len(set(seen))

    # 4. the orders imported after the subscription were reserved: signed webhooks, the
    # first two refused by the receiver and delivered on the next attempts
    for _ in range(10):
        worker()
        with app.app_context():
            pending = (
                db.session()
                .scalars(select(WebhookDelivery).where(WebhookDelivery.status == "pending"))
                .all()
            )
        if not pending:
            break
    with app.app_context():
        deliveries = db.session().scalars(select(WebhookDelivery)).all()
        assert deliveries and {d.status for d in deliveries} == {"delivered"}
        assert max(d.attempts for d in deliveries) >= 2
    assert receiver.answered[:2] == [500, 500] and len(receiver.delivered()) == len(deliveries)
    events = [r.payload for r in receiver.delivered()]
    assert all(_verified(secret, r.headers, r.body) for r in receiver.received)
    assert not _verified("whsec_wrong", receiver.received[0].headers, receiver.received[0].body)
    reserved = {e["data"]["external_id"] for e in events if e["data"]["to_status"] == "reserved"}
    assert reserved == {"8001", "8002", "8003", "8004"}
    assert len({e["id"] for e in events}) == len(events)  # each event once

    # 5. it posts cost prices and a stock correction
    prices = client.post(
        "/api/v1/products",
        headers={**api, "Idempotency-Key": "prices-2026-12"},
        json={
            "items": [
                {"article": "MUG", "cost_price_kopecks": 15050},
                {"article": "KETTLE", "cost_price_kopecks": 99900},
            ]
        },
    )
    assert prices.status_code == 200, prices.get_data(as_text=True)
    correction = client.post(
        "/api/v1/stock/corrections",
        headers={**api, "Idempotency-Key": "inv-12"},
        json={
            "number": "ИНВ-12",
            "reason": "пересчёт в 1С",
            "lines": [{"article": "MUG", "bin": "B-02", "counted": 5}],
        },
    )
    assert correction.status_code == 201, correction.get_data(as_text=True)

    # ... and the desk shows both, the ledger holds the movement
    catalogue = client.get("/catalogue/?q=MUG").get_data(as_text=True)
    assert "150.50" in catalogue or "150,50" in catalogue
    with app.app_context():
        s = db.session()
        move = s.scalar(select(StockMove).where(StockMove.reason == "correction"))
        document = correction.get_json()["document"]
        assert move is not None and move.quantity == 5 and move.document == document
        assert ledger.disagreements(s) == []
        mug_id = move.product_id
    history = client.get(f"/products/{mug_id}/history").get_data(as_text=True)
    assert "корректировка из учётной системы" in history and document in history
    log = client.get(f"/integrations/{service_id}/webhooks").get_data(as_text=True)
    assert "доставлен" in log and "изменился статус заказа" in log
