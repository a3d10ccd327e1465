"""Megamarket's order/new and order/cancel pushes, sent by the sandbox to our receiver.

The sandbox posts reference-shaped pushes (the wiki's order-new-standart / order-cancel-
standart, as baks-dev/megamarket-orders receives them) over HTTP to the running app.
"""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from tests.conftest import CREDENTIALS_KEY
from tests.test_marketplace_flows import account, sandbox_cart, site  # noqa: F401
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.infra.credentials import seal, unseal
from warehouse.models import Order

MUG, SOCKS = PRODUCTS[2], PRODUCTS[3]
LOGIN, PASSWORD = "mm-push", "s3cret-push"


def with_push_password(app) -> int:
    with app.app_context():
        cabinet = account(app, "megamarket")
        cabinet = db.session().merge(cabinet)
        secrets = unseal(cabinet.credentials_encrypted, CREDENTIALS_KEY)
        secrets.update(push_login=LOGIN, push_password=PASSWORD)
        cabinet.credentials_encrypted = seal(secrets, CREDENTIALS_KEY)
        db.session().commit()
        return cabinet.id


def push(site, account_id: int, kind: str, shipment_id: str, **extra) -> dict:  # noqa: F811
    url = f"{site.url}/push/megamarket/{account_id}/order/{kind}"
    body = {"kind": kind, "shipmentId": shipment_id, "url": url, **extra}
    body.setdefault("login", LOGIN)
    body.setdefault("password", PASSWORD)
    response = httpx.post(f"{site.url}/sandbox/megamarket/_control/push", json=body, timeout=20)
    response.raise_for_status()
    return response.json()


def orders(app, shipment_id: str) -> list[dict]:
    """The orders of the shipment, read while the session is open."""
    with app.app_context():
        found = db.session().scalars(select(Order).where(Order.external_id == shipment_id))
        return [
            {
                "status": order.status,
                "marketplace_status": order.marketplace_status,
                "articles": sorted(line.article for line in order.lines),
                "itemIndexes": (order.raw or {}).get("itemIndexes"),
                "ship_by": order.ship_by,
            }
            for order in found
        ]


def test_order_new_push_makes_one_order_without_the_delivery_lot(app, site):  # noqa: F811
    account_id = with_push_password(app)
    shipment_id = sandbox_cart(site, "megamarket", MUG.article, SOCKS.article)

    first = push(site, account_id, "new", shipment_id, delivery=True)
    assert first["status"] == 200 and first["answer"] == {"data": {}, "meta": {}, "success": 1}
    assert first["sent"]["data"]["shipments"][0]["items"][-1]["offerId"] == "delivery"
    again = push(site, account_id, "new", shipment_id, delivery=True)
    assert again["answer"]["success"] == 1

    [order] = orders(app, shipment_id)
    assert (order["status"], order["marketplace_status"]) == ("reserved", "NEW")
    assert order["articles"] == sorted([MUG.article, SOCKS.article])
    assert order["itemIndexes"] == ["1", "2"]  # the delivery lot (3) is not goods
    sent = first["sent"]["data"]["shipments"][0]["handover"]["packingDate"]
    assert order["ship_by"].isoformat()[:16] == _utc(sent)[:16]


def test_order_cancel_push_cancels_and_is_idempotent(app, site):  # noqa: F811
    account_id = with_push_password(app)
    shipment_id = sandbox_cart(site, "megamarket", MUG.article)
    push(site, account_id, "new", shipment_id)

    cancelled = push(site, account_id, "cancel", shipment_id)
    assert cancelled["answer"] == {"data": {}, "meta": {}, "success": 1}
    [order] = orders(app, shipment_id)
    assert (order["status"], order["marketplace_status"]) == ("cancelled", "CUSTOMER_CANCELED")
    assert push(site, account_id, "cancel", shipment_id)["answer"]["success"] == 1

    unknown = sandbox_cart(site, "megamarket", SOCKS.article)  # never reached us
    assert push(site, account_id, "cancel", unknown)["answer"]["success"] == 1
    assert orders(app, unknown) == []


def test_pushes_need_the_cabinets_login_and_password(app, site):  # noqa: F811
    account_id = with_push_password(app)
    shipment_id = sandbox_cart(site, "megamarket", MUG.article)
    refused = push(site, account_id, "new", shipment_id, password="wrong")
    assert refused["status"] == 401 and refused["answer"]["success"] == 0
    assert push(site, account_id + 99, "new", shipment_id)["status"] == 404
    assert orders(app, shipment_id) == []
    bad = httpx.post(
        f"{site.url}/push/megamarket/{account_id}/order/new",
        json={"meta": {}, "data": {}},
        auth=(LOGIN, PASSWORD),
    )
    assert bad.status_code == 400 and bad.json()["success"] == 0
    with app.app_context():
        assert db.session().scalar(select(func.count(Order.id))) == 0


def _utc(moment: str) -> str:
    from datetime import UTC, datetime

    return datetime.fromisoformat(moment).astimezone(UTC).replace(tzinfo=None).isoformat()
