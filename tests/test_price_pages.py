"""The desk's prices (#17): a list made, a file drafted, a held price confirmed, a weekend
discount planned; roles, CSRF and ids that are not there."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import Workbook
from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.models import (
    Listing,
    OutboxCommand,
    Price,
    PriceDocument,
    PriceList,
    utcnow,
)
from warehouse.shipping.handovers import LOCAL


def _shop(app, client) -> int:  # type: ignore[no-untyped-def]
    """A supervisor logged in; a WB account with two cards of products costing 300 ₽ and
    500 ₽. Returns the account's id."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        f.make_supervisor(s)
        account = f.make_account(s, warehouse)
        mug = f.make_product(s, "Кружка", article="MUG")
        tee = f.make_product(s, "Футболка", article="TEE")
        mug.cost_price, tee.cost_price = 300_00, 500_00
        s.add_all(
            [
                Listing(account_id=account.id, product_id=mug.id, sku="101", marketplace_id="1"),
                Listing(account_id=account.id, product_id=tee.id, sku="201", marketplace_id="2"),
            ]
        )
        s.commit()
        account_id = account.id
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302
    return account_id


def _xlsx(*rows: list[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _new_list(client, account_id: int) -> int:  # type: ignore[no-untyped-def]
    answer = client.post(
        "/prices/lists",
        data={
            "account_id": account_id,
            "name": "Основной",
            "commission": "15",
            "logistics": "50",
            "max_change": "20",
        },
    )
    assert answer.status_code == 302
    return int(answer.headers["Location"].rsplit("/", 1)[1])


def test_a_file_with_a_below_cost_price_waits_until_confirmed(app, client) -> None:  # type: ignore[no-untyped-def]
    account_id = _shop(app, client)
    list_id = _new_list(client, account_id)
    data = _xlsx(["Артикул", "Цена", "Цена до скидки"], ["MUG", 399, ""], ["TEE", 990, 1290])
    form = {"file": (io.BytesIO(data), "prices.xlsx")}
    answer = client.post(
        f"/prices/lists/{list_id}/import", data=form, content_type="multipart/form-data"
    )
    assert answer.status_code == 302
    doc_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/prices/documents/{doc_id}").get_data(as_text=True)
    assert "ниже безубыточной" in page  # the held line says why
    assert "411,77" in page  # the break-even it was held against

    answer = client.post(f"/prices/documents/{doc_id}/submit", data={"when": "now"})
    assert answer.status_code == 302
    with app.app_context():
        s = db.session()
        assert s.get_one(PriceDocument, doc_id).status == "held"
        assert s.scalars(select(Price)).all() == []

    client.post(f"/prices/documents/{doc_id}/confirm", data={"all": "1"})
    with app.app_context():
        s = db.session()
        doc = s.get_one(PriceDocument, doc_id)
        assert doc.status == "applied"
        # WB: 990 ₽ off 1,290 ₽ is its whole 23 %: the buyer pays 993.30 ₽
        assert sorted(p.price for p in s.scalars(select(Price))) == [399_00, 993_30]
        kinds = s.scalars(select(OutboxCommand.kind)).all()
        assert kinds == ["push_prices"]
    listing_page = client.get(f"/prices/lists/{list_id}").get_data(as_text=True)
    assert "399 ₽" in listing_page and "к отправке" in listing_page


def test_a_bad_file_names_its_rows_and_keeps_nothing(app, client) -> None:  # type: ignore[no-untyped-def]
    account_id = _shop(app, client)
    list_id = _new_list(client, account_id)
    data = _xlsx(["SKU", "Цена"], ["101", "сто"], ["999", "100"])
    form = {"file": (io.BytesIO(data), "prices.xlsx")}
    answer = client.post(
        f"/prices/lists/{list_id}/import", data=form, content_type="multipart/form-data"
    )
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "Строка 2" in text and "Строка 3" in text
    with app.app_context():
        assert db.session().scalars(select(PriceDocument)).all() == []


def test_a_weekend_discount_is_planned_with_its_return(app, client) -> None:  # type: ignore[no-untyped-def]
    account_id = _shop(app, client)
    list_id = _new_list(client, account_id)
    answer = client.post(
        f"/prices/lists/{list_id}/rule", data={"markup": "100", "ending": "90", "discount": "0"}
    )
    doc_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/prices/documents/{doc_id}/submit", data={"when": "now"})
    answer = client.post(
        f"/prices/lists/{list_id}/rule", data={"markup": "80", "ending": "90", "discount": "10"}
    )
    sale_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    friday = (utcnow() + timedelta(days=2)).astimezone(LOCAL).replace(second=0, microsecond=0)
    monday = friday + timedelta(days=3)
    answer = client.post(
        f"/prices/documents/{sale_id}/submit",
        data={
            "when": "later",
            "run_at": friday.strftime("%Y-%m-%dT%H:%M"),
            "restore_at": monday.strftime("%Y-%m-%dT%H:%M"),
            "weekly": "on",
        },
    )
    assert answer.status_code == 302
    overview = client.get("/prices/").get_data(as_text=True)
    upcoming = overview.split("Что изменится дальше")[1].split("</table>")[0]
    assert re.findall(r"№(\d+)", upcoming) == [str(sale_id), str(sale_id + 1)]
    assert friday.strftime("%d.%m %H:%M") in upcoming
    with app.app_context():
        sale = db.session().get_one(PriceDocument, sale_id)
        assert (sale.status, sale.repeat_days) == ("scheduled", 7)
        assert sale.run_at == friday


def test_prices_pages_are_the_desks_and_unknown_ids_are_404(app, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/prices/").status_code == 302  # to the login
    account_id = _shop(app, client)
    assert client.get("/prices/lists/999").status_code == 404
    assert client.get("/prices/documents/999").status_code == 404
    assert client.post("/prices/documents/999/submit", data={"when": "now"}).status_code == 404
    assert client.get("/prices/lists/2147483648").status_code == 404
    list_id = _new_list(client, account_id)
    assert client.get(f"/prices/lists/{list_id}/export.pdf").status_code == 404
    with app.app_context():
        assert db.session().get_one(PriceList, list_id).commission_bp == 1500


def test_a_price_post_without_its_csrf_token_is_refused(app, client) -> None:  # type: ignore[no-untyped-def]
    account_id = _shop(app, client)
    answer = client.post(
        "/prices/lists",
        data={"account_id": account_id, "name": "X", "max_change": "20"},
        headers={"X-CSRFToken": ""},
    )
    assert answer.status_code == 400
    with app.app_context():
        assert db.session().scalars(select(PriceList)).all() == []


def test_the_desk_forms_take_their_own_defaults_and_refuse_unclear_plans(app, client) -> None:  # type: ignore[no-untyped-def]
    account_id = _shop(app, client)
    answer = client.post(
        "/prices/lists",
        data={"account_id": account_id, "name": "Ноль", "commission": "0", "logistics": "0"},
    )
    assert answer.status_code == 302  # «0» logistics is a sum
    list_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/prices/lists/{list_id}", data={"logistics": "0.00"}).status_code == 302
    assert client.get(f"/prices/lists/{list_id}?page=10000000000000000000").status_code == 200
    answer = client.post(f"/prices/lists/{list_id}/rule", data={"markup": "100"})
    doc_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    answer = client.post(
        f"/prices/documents/{doc_id}/submit",
        data={"when": "now", "run_at": "2030-01-04T18:00"},
    )
    assert answer.status_code == 422
    assert "отметьте «Запланировать»" in answer.get_data(as_text=True)
    answer = client.post(f"/prices/documents/{doc_id}/submit", data={"when": "later"})
    assert answer.status_code == 422
    with app.app_context():
        assert db.session().get_one(PriceDocument, doc_id).status == "draft"
    answer = client.post("/prices/documents/999/submit", data={"when": "now\x00"})
    assert answer.status_code in (400, 404)  # refused input to a document that is not there


def test_one_products_price_and_a_rule_for_chosen_articles(app, client) -> None:  # type: ignore[no-untyped-def]
    account_id = _shop(app, client)
    list_id = _new_list(client, account_id)
    answer = client.post(
        f"/prices/lists/{list_id}/one",
        data={"card": "TEE", "price": "990", "discount": "20", "reason": "сезон"},
    )
    assert answer.status_code == 302
    doc_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        doc = db.session().get_one(PriceDocument, doc_id)
        # 990 ₽ after 20 % is 1,237.50 ₽ before, 1,238 ₽ in whole roubles; WB takes a whole
        # 20 % of it: the buyer pays 990.40 ₽
        assert [(line.price, line.old_price) for line in doc.lines] == [(990_40, 1238_00)]
        assert (doc.source, doc.reason) == ("manual", "сезон")
    answer = client.post(f"/prices/lists/{list_id}/one", data={"card": "101", "price": "490"})
    assert answer.status_code == 302  # by the card's SKU
    answer = client.post(f"/prices/lists/{list_id}/one", data={"card": "NOPE", "price": "1"})
    assert answer.status_code == 422

    answer = client.post(f"/prices/lists/{list_id}/rule", data={"markup": "100", "articles": "MUG"})
    rule_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        lines = db.session().get_one(PriceDocument, rule_id).lines
        assert [line.listing.sku for line in lines] == ["101"]  # the mug only
    answer = client.post(
        f"/prices/lists/{list_id}/rule", data={"markup": "100", "articles": "MUG, GHOST"}
    )
    assert answer.status_code == 422
    assert "GHOST" in answer.get_data(as_text=True)


def test_odd_times_and_ids_are_refusals_not_errors(app, client) -> None:  # type: ignore[no-untyped-def]
    account_id = _shop(app, client)
    list_id = _new_list(client, account_id)
    answer = client.post(f"/prices/lists/{list_id}/rule", data={"markup": "100"})
    doc_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    for moment in ("0001-01-01T00:00", "9999-12-31T23:59-05:00", "2030-02-30T10:00"):
        answer = client.post(
            f"/prices/documents/{doc_id}/submit", data={"when": "later", "run_at": moment}
        )
        assert answer.status_code == 422, moment
    answer = client.post(f"/prices/documents/{doc_id}/confirm", data={"line": "9" * 5000})
    assert answer.status_code == 422  # nothing to confirm: no row has such an id
    answer = client.post(
        f"/prices/lists/{list_id}/showcase", data={"listing": "99999999999", "hidden": "1"}
    )
    assert answer.status_code in (302, 422)
    answer = client.post(f"/prices/lists/{list_id}/one", data={"card": "MUG", "price": "1e30"})
    assert answer.status_code == 422
