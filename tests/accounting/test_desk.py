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


def test_the_account_page_names_what_documents_go_to_and_compares_stock(
    app, client, moysklad_sandbox, worker
):
    _log_in(app, client)
    moysklad_sandbox.generate(5)
    form = {"name": "МС", "base_url": moysklad_sandbox.api_url, "token": TOKEN}
    client.post("/settings/accounting/", data=form)
    with app.app_context():
        account_id = db.session().scalars(select(AccountingAccount.id)).one()
    client.post(f"/settings/accounting/{account_id}/assortment")
    worker()
    page = client.get(f"/settings/accounting/{account_id}").get_data(as_text=True)
    assert "Документы в МойСклад" in page and "Остатки МойСклад ещё не читали" in page

    choices = client.get(f"/settings/accounting/{account_id}/choices").get_data(as_text=True)
    stores, counterparties = moysklad_sandbox.ids("store"), moysklad_sandbox.ids("counterparty")
    assert f'<option value="{stores["Основной склад"]}">Основной склад</option>' in choices
    assert f'<option value="{counterparties["Wildberries"]}">Wildberries</option>' in choices

    organization = next(iter(moysklad_sandbox.ids("organization").values()))
    chosen = {
        "write": "1",
        "organization_id": organization,
        "store_id": stores["Основной склад"],
        "agent_wb": counterparties["Wildberries"],
    }
    bad = client.post(
        f"/settings/accounting/{account_id}/documents", data={**chosen, "agent_ozon": "Ozon"}
    )
    assert bad.status_code == 422
    assert "Не похоже на id МойСклад" in bad.get_data(as_text=True)
    assert "Контрагент для Ozon" in bad.get_data(as_text=True)
    no_store = client.post(
        f"/settings/accounting/{account_id}/documents", data={**chosen, "store_id": ""}
    )
    assert no_store.status_code == 422 and "Заполните" in no_store.get_data(as_text=True)
    saved = client.post(f"/settings/accounting/{account_id}/documents", data=chosen)
    assert saved.status_code == 302
    with app.app_context():
        account = db.session().get(AccountingAccount, account_id)
        assert account.settings["documents"]["agents"]["wb"] == counterparties["Wildberries"]
    choices = client.get(f"/settings/accounting/{account_id}/choices").get_data(as_text=True)
    assert f'<option value="{stores["Основной склад"]}" selected>' in choices

    assert client.post(f"/settings/accounting/{account_id}/stock").status_code == 302
    worker()
    page = client.get(f"/settings/accounting/{account_id}").get_data(as_text=True)
    assert "Сравниваем с остатком склада «Основной склад»" in page
    assert page.count('class="differs"') >= 1  # nothing of ours on hand, МойСклад has stock

    moysklad_sandbox.app.config["SANDBOX_MOYSKLAD_TOKEN"] = "another"
    typed = client.get(f"/settings/accounting/{account_id}/choices").get_data(as_text=True)
    assert "<select" not in typed and f'value="{stores["Основной склад"]}"' in typed
    assert "МойСклад отклонил ключ" in typed
    with app.app_context():  # showing the form recorded nothing on the account
        assert db.session().get(AccountingAccount, account_id).problem is None
