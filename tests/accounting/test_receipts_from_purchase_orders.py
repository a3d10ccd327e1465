"""A delivery expected from a МойСклад purchase order, on the desk, against the sandbox over
loopback HTTP: the deliveries page lists each account's open orders live, «Принять по
заказу» opens a delivery of the positions linked to our products and names the others,
one order opens one delivery, and a МойСклад that is down or refuses the key is said in
words while the rest of the page keeps working."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests import factories as f
from tests.accounting.conftest import TOKEN, MoySkladSandbox
from tests.conftest import CREDENTIALS_KEY
from warehouse import jobs
from warehouse.accounting import accounts, assortment, purchase_orders
from warehouse.infra import db
from warehouse.models import AccountingAccount, Product, Receipt
from warehouse.stock import receiving

SUPPLIER = 'ООО "Поставщик"'
SHIRT, MUG, KETTLE, DELIVERY = (str(uuid.UUID(int=n)) for n in (101, 102, 103, 104))


def _item(item_id: str, name: str, article: str, kind: str = "product") -> dict[str, Any]:
    return {
        "meta": {"type": kind},
        "id": item_id,
        "name": name,
        "code": article,
        "article": article,
    }


@pytest.fixture
def shop(app, moysklad_sandbox: MoySkladSandbox) -> dict[str, Any]:
    """A warehouse and a supervisor; МойСклад's shirt and mug imported (so linked to our
    products), its kettle and its delivery service added after the import (linked to none)."""
    moysklad_sandbox.add_rows(_item(SHIRT, "Рубашка", "SHIRT-1"), _item(MUG, "Кружка", "MUG-1"))
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        f.make_supervisor(s)
        f.make_picker(s, badge="B-9")
        account = accounts.create(
            s,
            name="МойСклад",
            base_url=moysklad_sandbox.api_url,
            token=TOKEN,
            credentials_key=CREDENTIALS_KEY,
        )
        sync = assortment.start(s, account)
        s.commit()
        assert jobs.sync_assortment(sync.id) == "done"
        found = {"warehouse": warehouse.id, "account": account.id}
    moysklad_sandbox.add_rows(
        _item(KETTLE, "Чайник", "KETTLE-1"), _item(DELIVERY, "Доставка", "DLV", kind="service")
    )
    return found


def _log_in(client) -> None:
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302


def _receive(client, shop, order_id: str, request_id: str = "", account_id: int | None = None):
    account_id = account_id or shop["account"]
    form = {"warehouse_id": str(shop["warehouse"]), "request_id": request_id or uuid.uuid4().hex}
    return client.post(f"/receipts/moysklad/{account_id}/{order_id}", data=form)


def _receipts(app) -> list[Receipt]:
    with app.app_context():
        found = db.session().scalars(select(Receipt).order_by(Receipt.id)).all()
        for receipt in found:
            _ = [(line.product.article, line.expected) for line in receipt.lines]
        db.session().expunge_all()
        return list(found)


def test_an_order_opens_a_delivery_of_its_linked_positions_and_names_the_rest(
    app, client, shop, moysklad_sandbox
):
    order_id = moysklad_sandbox.purchase_order(
        SUPPLIER,
        (SHIRT, 3, 120_000.0),
        (MUG, 2.0, 35_000.0),
        (KETTLE, 1, 99_000.0),
        moment="2026-12-05 11:30:00",
    )
    _log_in(client)
    page = client.get("/receipts").get_data(as_text=True)
    listed = f"/receipts/moysklad/{shop['account']}"
    assert "Заказы поставщику в МойСклад" in page and f'hx-get="{listed}"' in page
    fragment = client.get(listed).get_data(as_text=True)
    assert "00001" in fragment and "05.12.2026" in fragment and "Принять по заказу" in fragment
    assert "ООО &#34;Поставщик&#34;" in fragment and "<td>3</td>" in fragment

    opened = _receive(client, shop, order_id)
    assert opened.status_code == 302
    [receipt] = _receipts(app)
    assert (receipt.supplier, receipt.blind) == (SUPPLIER, False)
    assert (receipt.purchase_order_account_id, receipt.purchase_order_id) == (
        shop["account"],
        order_id,
    )
    assert receipt.purchase_order_name == "00001"
    assert sorted((line.product.article, line.expected) for line in receipt.lines) == [
        ("MUG-1", 2),
        ("SHIRT-1", 3),
    ]
    assert [(r["position"], r["name"], r["reason"]) for r in receipt.purchase_order_refused] == [
        (3, "Чайник", "not_linked")
    ]
    shown = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "по заказу поставщику №00001" in shown
    assert "Позиция 3: Чайник (KETTLE-1), 1 — её товар в МойСклад не связан" in shown
    fragment = client.get(listed).get_data(as_text=True)
    assert f"Поставка №{receipt.id}" in fragment and "Принять по заказу" not in fragment
    assert "по заказу поставщику №00001" in client.get("/receipts").get_data(as_text=True)


def test_one_order_opens_one_delivery(app, client, shop, moysklad_sandbox):
    order_id = moysklad_sandbox.purchase_order(SUPPLIER, (SHIRT, 1, 100.0))
    _log_in(client)
    first = _receive(client, shop, order_id, request_id="form-1")
    assert first.status_code == 302
    again = _receive(client, shop, order_id, request_id="form-1")  # a double click
    assert again.headers["Location"] == first.headers["Location"]
    second = _receive(client, shop, order_id, request_id="form-2")  # another press, later
    assert second.status_code == 422
    [receipt] = _receipts(app)
    assert f"По заказу поставщику №00001 уже открыта поставка №{receipt.id}" in second.get_data(
        as_text=True
    )
    with app.app_context():  # and the database holds it, whatever the code above does
        s = db.session()
        s.add(
            Receipt(
                warehouse_id=shop["warehouse"],
                supplier="x",
                purchase_order_account_id=shop["account"],
                purchase_order_id=order_id,
                purchase_order_name="00001",
            )
        )
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()


def test_an_order_nothing_of_which_can_be_expected_opens_nothing_and_says_why(
    app, client, shop, moysklad_sandbox
):
    order_id = moysklad_sandbox.purchase_order(
        SUPPLIER, (KETTLE, 2, 100.0), (DELIVERY, 1, 50_000.0), (SHIRT, 2.5, 100.0), (MUG, 4, 10.0)
    )
    head = moysklad_sandbox.get(f"/entity/purchaseorder/{order_id}").json()
    supply = {
        "organization": head["organization"],
        "agent": head["agent"],
        "store": moysklad_sandbox.meta("store", moysklad_sandbox.ids("store")["Основной склад"]),
        "purchaseOrder": {"meta": head["meta"]},
        "positions": [
            {"quantity": 4, "price": 10.0, "assortment": moysklad_sandbox.meta("product", MUG)}
        ],
    }
    assert moysklad_sandbox.post("/entity/supply", supply).status_code == 200  # mugs came
    _log_in(client)
    refused = _receive(client, shop, order_id)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Ни одну позицию заказа поставщику №00001 склад ждать не может" in text
    for words in (
        "Позиция 1: Чайник (KETTLE-1), 2 — её товар в МойСклад не связан",
        "Позиция 2: Доставка (DLV), 1 — это услуга, а не товар",
        "Позиция 3: Рубашка (SHIRT-1), 2.5 — количество не целое",
        "Позиция 4: Кружка (MUG-1), 4 — МойСклад уже принял её полностью",
    ):
        assert words in text
    assert _receipts(app) == []
    assert "Открыть поставку" in text  # the page itself still works


def test_a_partly_received_order_expects_what_is_still_awaited(app, client, shop, moysklad_sandbox):
    order_id = moysklad_sandbox.purchase_order(SUPPLIER, (SHIRT, 5, 100.0))
    head = moysklad_sandbox.get(f"/entity/purchaseorder/{order_id}").json()
    supply = {
        "organization": head["organization"],
        "agent": head["agent"],
        "store": moysklad_sandbox.meta("store", moysklad_sandbox.ids("store")["Основной склад"]),
        "purchaseOrder": {"meta": head["meta"]},
        "positions": [
            {"quantity": 2, "price": 100.0, "assortment": moysklad_sandbox.meta("product", SHIRT)}
        ],
    }
    moysklad_sandbox.post("/entity/supply", supply)
    _log_in(client)
    assert order_id in client.get(f"/receipts/moysklad/{shop['account']}").get_data(as_text=True)
    assert _receive(client, shop, order_id).status_code == 302
    [receipt] = _receipts(app)
    assert [(line.product.article, line.expected) for line in receipt.lines] == [("SHIRT-1", 3)]


def test_moysklad_down_or_refusing_the_key_is_said_and_the_page_still_works(
    app, client, shop, moysklad_sandbox
):
    order_id = moysklad_sandbox.purchase_order(SUPPLIER, (SHIRT, 1, 100.0))
    _log_in(client)
    listed = f"/receipts/moysklad/{shop['account']}"

    moysklad_sandbox.faults("500", "500", retry_after=0.01)
    down = client.get(listed)
    assert down.status_code == 200
    assert "МойСклад сейчас не отвечает, поэтому заказы поставщику не показаны" in down.get_data(
        as_text=True
    )
    refused = _receive(client, shop, order_id)
    assert refused.status_code == 422
    assert "МойСклад сейчас не отвечает: заказ не прочитан" in refused.get_data(as_text=True)

    with app.app_context():
        db.session().get(
            AccountingAccount, shop["account"]
        ).base_url = "http://127.0.0.1:9/api/remap/1.2"  # nothing listens there
        db.session().commit()
    assert "МойСклад сейчас не отвечает" in client.get(listed).get_data(as_text=True)

    with app.app_context():
        db.session().get(AccountingAccount, shop["account"]).base_url = moysklad_sandbox.api_url
        db.session().commit()
    moysklad_sandbox.app.config["SANDBOX_MOYSKLAD_TOKEN"] = "another"
    text = client.get(listed).get_data(as_text=True)
    assert "МойСклад отклонил ключ, поэтому заказы поставщику не показаны" in text
    assert "МойСклад отклонил ключ: заказ не прочитан" in _receive(client, shop, order_id).get_data(
        as_text=True
    )
    with app.app_context():  # showing the list recorded nothing on the account
        assert db.session().get(AccountingAccount, shop["account"]).problem is None

    page = client.get("/receipts")
    assert page.status_code == 200 and "Открыть поставку" in page.get_data(as_text=True)
    blind = client.post(
        "/receipts", data={"supplier": "Посуда", "warehouse_id": str(shop["warehouse"])}
    )
    assert blind.status_code == 302  # a delivery opens without МойСклад
    assert [r.blind for r in _receipts(app)] == [True]


def test_roles_csrf_and_ids_that_do_not_exist(app, client, shop, moysklad_sandbox):
    order_id = moysklad_sandbox.purchase_order(SUPPLIER, (SHIRT, 1, 100.0))
    listed = f"/receipts/moysklad/{shop['account']}"
    assert client.get(listed).status_code == 302  # nobody logged in
    assert _receive(client, shop, order_id).status_code == 302
    client.post("/tsd/login", data={"badge": "B-9"})
    assert client.get(listed).status_code == 302  # a picker is not enough
    assert _receive(client, shop, order_id).status_code == 302
    _log_in(client)
    forged = client.post(
        f"/receipts/moysklad/{shop['account']}/{order_id}",
        data={"warehouse_id": str(shop["warehouse"])},
        headers={"X-CSRFToken": ""},
    )
    assert forged.status_code == 400
    assert client.get("/receipts/moysklad/999999").status_code == 404
    assert _receive(client, shop, order_id, account_id=999999).status_code == 404
    assert _receive(client, shop, str(uuid.uuid4())).status_code == 404  # МойСклад: 1021
    assert _receive(client, shop, "not-an-id").status_code == 404
    assert _receipts(app) == []


def test_closing_the_delivery_owes_its_supply_and_both_pages_say_so(
    app, client, shop, moysklad_sandbox
):
    order_id = moysklad_sandbox.purchase_order(SUPPLIER, (SHIRT, 2, 100.0))
    with app.app_context():
        s = db.session()
        accounts.set_document_settings(
            s,
            shop["account"],
            write=True,
            organization_id=next(iter(moysklad_sandbox.ids("organization").values())),
            store_id=moysklad_sandbox.ids("store")["Основной склад"],
            agents={},
        )
        s.commit()
    _log_in(client)
    url = _receive(client, shop, order_id).headers["Location"]
    [receipt] = _receipts(app)
    with app.app_context():
        s = db.session()
        shirt = s.scalar(select(Product).where(Product.article == "SHIRT-1"))
        receiving.receive(s, s.get(Receipt, receipt.id), shirt, 2, user=None, scan_id="scan-1")
        s.commit()
    assert client.post(f"/receipts/{receipt.id}/close").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Приёмка в МойСклад:" in page and "ждёт отправки" in page
    desk = client.get(f"/settings/accounting/{shop['account']}").get_data(as_text=True)
    assert "Приёмка" in desk and f"Поставка №{receipt.id}" in desk
    assert f"wh-supply-{order_id}" in desk


def test_an_order_longer_than_a_page_of_positions_is_read_whole(app, shop, moysklad_sandbox):
    moysklad_sandbox.generate(120)
    with app.app_context():
        s = db.session()
        sync = assortment.start(s, s.get(AccountingAccount, shop["account"]))
        s.commit()
        assert jobs.sync_assortment(sync.id) == "done"
    rows = moysklad_sandbox.get("/entity/assortment").json()["rows"]
    generated = [row["id"] for row in rows if row.get("article", "").startswith("MS-")]
    order_id = moysklad_sandbox.purchase_order(SUPPLIER, *((i, 1, 10.0) for i in generated))
    with app.app_context():
        s = db.session()
        receipt = purchase_orders.open_receipt(
            s, shop["account"], order_id, shop["warehouse"], user=None
        )
        assert len(generated) == 120 and len(receipt.lines) == 120  # pages of 100: two read
        assert receipt.purchase_order_refused == []
        s.rollback()
