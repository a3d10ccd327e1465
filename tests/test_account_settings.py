"""A cabinet's hand-over settings: its pickup cutoff (every marketplace) and, for Ozon, the
delivery method its acts are made for, chosen from what Ozon lists over HTTP (the Ozon
sandbox on the live server) or typed when Ozon cannot list them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import load_demo
from tests.test_accounts import account
from tests.test_settings import login_admin
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.marketplaces.sandbox import ozon_state
from warehouse.models import MarketplaceAccount
from warehouse.shipping import handovers


@pytest.fixture
def site(app, live_server, zebra):
    """The demo warehouse with its WB and Ozon cabinets on the sandboxes over HTTP."""
    return load_demo(app, live_server, zebra, ("wb", "ozon"))


def cabinet(app, kind: str) -> MarketplaceAccount:
    with app.app_context():
        found = db.session().scalar(
            select(MarketplaceAccount).where(MarketplaceAccount.kind == kind)
        )
        assert found is not None
        return found


def edit_form(found: MarketplaceAccount, **settings: str) -> dict[str, str]:
    return {"name": found.name, "base_url": found.base_url, **(found.settings or {}), **settings}


def feedback(page: str) -> str:
    said = re.search(r'id="feedback"[^>]*>([^<]*)<', page)
    assert said, page
    return said[1]


def test_a_cutoff_is_kept_checked_and_shown_on_the_desk(app, client, site):
    login_admin(client)
    wb = cabinet(app, "wb")
    saved = client.post(f"/settings/accounts/{wb.id}", data=edit_form(wb, cutoff="9:30"))
    assert saved.status_code == 302
    assert account(app, wb.id).settings["cutoff"] == "09:30"
    with app.app_context():
        pickup = handovers.open_for(db.session(), db.session().get_one(MarketplaceAccount, wb.id))
        db.session().commit()
        pickup_id = pickup.id
    assert "09:30" in client.get(f"/handovers/{pickup_id}").get_data(as_text=True)
    assert "09:30" in client.get("/handovers").get_data(as_text=True)

    for bad in ("25:00", "12:60", "noon", "12-30"):
        refused = client.post(f"/settings/accounts/{wb.id}", data=edit_form(wb, cutoff=bad))
        assert refused.status_code == 422
        page = refused.get_data(as_text=True)
        said = feedback(page)
        assert "Время отгрузки" in said and f"«{bad}»" in said and "00:00" in said
        assert f'value="{bad}"' in page  # what was typed is shown again, not lost
    assert account(app, wb.id).settings["cutoff"] == "09:30"


def test_a_new_cabinet_with_a_bad_cutoff_is_refused_and_keeps_what_was_typed(client, site):
    login_admin(client)
    form = {"kind": "megamarket", "name": "MM two", "base_url": "https://x", "token": "t"}
    refused = client.post("/settings/accounts", data=form | {"cutoff": "24:00"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "«24:00»" in feedback(page) and 'value="MM two"' in page
    assert client.post("/settings/accounts", data=form | {"cutoff": "23:59"}).status_code == 302


def test_the_ozon_form_offers_the_cabinets_delivery_methods(app, client, site):
    login_admin(client)
    ozon = cabinet(app, "ozon")
    page = client.get("/settings/accounts").get_data(as_text=True)
    url = f"/settings/accounts/{ozon.id}/delivery-methods"
    assert f'hx-get="{url}' in page  # asked for when the edit form is opened
    listed = client.get(url)
    assert listed.status_code == 200
    fragment = listed.get_data(as_text=True)
    method = str(ozon_state.DELIVERY_METHOD_ID)
    assert '<select name="delivery_method_id">' in fragment
    assert f'<option value="{method}">{ozon_state.DELIVERY_METHOD_NAME} · {method}</option>' in (
        fragment
    )
    chosen = client.get(url, query_string={"chosen": method}).get_data(as_text=True)
    assert f'<option value="{method}" selected>' in chosen
    kept = client.get(url, query_string={"chosen": "777"}).get_data(as_text=True)
    assert '<option value="777" selected>' in kept  # a saved id Ozon no longer lists stays

    saved = client.post(
        f"/settings/accounts/{ozon.id}", data=edit_form(ozon, delivery_method_id=method)
    )
    assert saved.status_code == 302
    assert account(app, ozon.id).settings["delivery_method_id"] == method
    refused = client.post(
        f"/settings/accounts/{ozon.id}", data=edit_form(ozon, delivery_method_id="Ozon")
    )
    assert refused.status_code == 422 and "«Ozon» — не число" in feedback(
        refused.get_data(as_text=True)
    )


def test_when_ozon_cannot_list_its_methods_the_id_is_typed(app, client, site):
    login_admin(client)
    ozon = cabinet(app, "ozon")
    with app.app_context():
        wrong = db.session().get_one(MarketplaceAccount, ozon.id)
        keys = {"client_id": "sandbox", "api_key": "wrong"}
        wrong.credentials_encrypted = seal(keys, app.config["CREDENTIALS_KEY"])
        db.session().commit()
    answer = client.get(
        f"/settings/accounts/{ozon.id}/delivery-methods", query_string={"chosen": "5"}
    )
    assert answer.status_code == 200
    fragment = answer.get_data(as_text=True)
    assert "<select" not in fragment and 'name="delivery_method_id" value="5"' in fragment
    assert "Ozon отклонил ключ" in fragment
    assert account(app, ozon.id).problem is None  # showing a form changes nothing

    with app.app_context():
        away = db.session().get_one(MarketplaceAccount, ozon.id)
        away.base_url = "http://127.0.0.1:9/sandbox/ozon"  # nothing listens there
        db.session().commit()
    fragment = client.get(f"/settings/accounts/{ozon.id}/delivery-methods").get_data(as_text=True)
    assert "<select" not in fragment and "Ozon не отвечает" in fragment


def test_delivery_methods_only_for_ozon_and_only_for_a_supervisor(app, client, site):
    wb, ozon = cabinet(app, "wb"), cabinet(app, "ozon")
    assert client.get(f"/settings/accounts/{ozon.id}/delivery-methods").status_code == 302
    login_admin(client)
    assert client.get(f"/settings/accounts/{wb.id}/delivery-methods").status_code == 404
    assert client.get("/settings/accounts/999999/delivery-methods").status_code == 404
