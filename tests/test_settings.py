"""Supervisor settings pages: cabinets, connection checks, card links, the status map."""

from __future__ import annotations

from sqlalchemy import select

from warehouse.infra import db
from warehouse.infra.credentials import unseal
from warehouse.models import Listing, MarketplaceAccount, Product, StatusMap


def login_admin(client) -> None:
    assert client.post("/login", data={"login": "admin", "password": "admin"}).status_code == 302


def test_settings_need_a_supervisor(client, demo_site):
    assert client.get("/settings/accounts").status_code == 302
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    assert client.get("/settings/accounts").status_code == 302  # a picker is not enough


def test_add_account_seals_credentials_and_test_connection_speaks_plainly(app, client, demo_site):
    login_admin(client)
    page = client.get("/settings/accounts").get_data(as_text=True)
    assert "Проверить связь" in page
    for token, name in (("sandbox", "WB second"), ("wrong-token", "WB broken")):
        response = client.post(
            "/settings/accounts",
            data={
                "kind": "wb",
                "name": name,
                "base_url": f"{demo_site.url}/sandbox/wb",
                "token": token,
                "warehouse_id": "1000001",
            },
        )
        assert response.status_code == 302
    with app.app_context():
        accounts = db.session().scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.id))
        second, broken = list(accounts)[1:]
        assert b"sandbox" not in second.credentials_encrypted
        assert unseal(second.credentials_encrypted, app.config["CREDENTIALS_KEY"]) == {
            "token": "sandbox"
        }
        assert second.settings == {"warehouse_id": "1000001"}
    ok = client.post(f"/settings/accounts/{second.id}/test").get_data(as_text=True)
    assert "Связь есть" in ok
    refused = client.post(f"/settings/accounts/{broken.id}/test").get_data(as_text=True)
    assert "отклонил ключ" in refused and "wrong-token" not in refused


def test_incomplete_account_is_refused_with_what_is_missing(client, demo_site):
    login_admin(client)
    response = client.post(
        "/settings/accounts", data={"kind": "ozon", "name": "Ozon", "base_url": "https://x"}
    )
    assert response.status_code == 422
    assert "Client-Id" in response.get_data(as_text=True)


def test_unlinked_card_is_listed_and_linked_by_hand(app, client, demo_site):
    login_admin(client)
    with app.app_context():
        account_id = db.session().scalar(select(MarketplaceAccount.id))
        db.session().add(
            Listing(account_id=account_id, sku="999", article="NEW-ONE", name="Новинка")
        )
        db.session().commit()
    assert "Новинка" in client.get("/settings/cards").get_data(as_text=True)
    with app.app_context():
        listing_id = db.session().scalar(select(Listing.id))
        product_id = db.session().scalar(select(Product.id))
    client.post(f"/settings/cards/{listing_id}/link", data={"product_id": product_id})
    assert "Новинка" not in client.get("/settings/cards").get_data(as_text=True)


def test_status_map_is_editable_and_validated(app, client, demo_site):
    login_admin(client)
    assert "awaiting_packaging" in client.get("/settings/statuses").get_data(as_text=True)
    client.post(
        "/settings/statuses",
        data={"marketplace": "ozon", "external": "arbitration", "status": "cancelled"},
    )
    bad = client.post(
        "/settings/statuses", data={"marketplace": "ozon", "external": "x", "status": "lost"}
    )
    assert bad.status_code == 422
    with app.app_context():
        rows = db.session().scalars(select(StatusMap)).all()
        assert [(r.external_status, r.status) for r in rows] == [("arbitration", "cancelled")]
