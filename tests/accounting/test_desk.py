"""The desk's МойСклад page: supervisors only, the token sealed, the connection checked in
words, the assortment imported by the RQ worker from the sandbox."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.accounting.conftest import TOKEN
from tests.factories import make_picker, make_supervisor
from warehouse.infra import db
from warehouse.infra.credentials import unseal
from warehouse.models import AccountingAccount, Product


def _log_in(app, client) -> None:
    with app.app_context():
        make_supervisor(db.session())
        db.session().commit()
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302


def test_a_picker_or_a_stranger_does_not_see_the_page(app, client):
    assert client.get("/settings/accounting/").status_code == 302
    with app.app_context():
        make_picker(db.session(), badge="B-77")
        db.session().commit()
    client.post("/tsd/login", data={"badge": "B-77"})
    assert client.get("/settings/accounting/").status_code == 302  # a picker is not enough
    assert client.post("/settings/accounting/", data={"name": "x"}).status_code == 302


def test_add_check_and_import_an_account(app, client, moysklad_sandbox, worker):
    _log_in(app, client)
    moysklad_sandbox.generate(50)
    empty = client.post("/settings/accounting/", data={"name": "МС", "base_url": "https://x"})
    assert empty.status_code == 422 and "Заполните" in empty.get_data(as_text=True)
    form = {"name": "МС", "base_url": moysklad_sandbox.api_url, "token": TOKEN}
    assert client.post("/settings/accounting/", data=form).status_code == 302
    with app.app_context():
        account = db.session().scalars(select(AccountingAccount)).one()
        assert TOKEN.encode() not in account.credentials_encrypted
        assert unseal(account.credentials_encrypted, app.config["CREDENTIALS_KEY"]) == {
            "token": TOKEN
        }
        account_id = account.id
    assert "Связь есть" in client.post(f"/settings/accounting/{account_id}/test").get_data(
        as_text=True
    )
    assert client.post(f"/settings/accounting/{account_id}/assortment").status_code == 302
    worker()
    with app.app_context():
        assert db.session().scalar(select(func.count(Product.id))) == 50
    page = client.get("/settings/accounting/").get_data(as_text=True)
    assert "готово: 50 из 50" in page and "Загрузить ассортимент" in page
    wrong = {"name": "МС", "base_url": moysklad_sandbox.api_url, "token": "wrong"}
    client.post(f"/settings/accounting/{account_id}", data=wrong)
    refused = client.post(f"/settings/accounting/{account_id}/test").get_data(as_text=True)
    assert "отклонил ключ" in refused and "wrong" not in refused
    assert client.post("/settings/accounting/999999/test").status_code == 404
