"""Megamarket offers come from the cabinet's export file (MM's API lists none)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.factories import make_account, make_product, make_supervisor, make_warehouse
from warehouse.catalog import megamarket_offers
from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.models import Listing

# Columns in Russian, in the cabinet's order, with one more we do not need.
EXPORT = (
    "Идентификатор оффера;Наименование;Штрихкод;Goods ID;Цена\n"
    "MUG-01;Кружка белая;4601234500017, 4601234500024;600003;499\n"
    "NEW-99;Новинка;;;100\n"
)


def test_export_is_read_by_column_names() -> None:
    mug, new = megamarket_offers.read(EXPORT)
    assert (mug.sku, mug.name, mug.marketplace_id) == ("MUG-01", "Кружка белая", "600003")
    assert mug.barcodes == ("4601234500017", "4601234500024")
    assert (new.sku, new.barcodes, new.marketplace_id) == ("NEW-99", (), "")
    [card] = megamarket_offers.read("offerId,name\nA-1,Товар\n")
    assert (card.sku, card.name) == ("A-1", "Товар")


def test_a_line_without_an_offer_id_refuses_the_file() -> None:
    with pytest.raises(DomainError) as caught:
        megamarket_offers.read("offerId;name\n;Без id\n")
    assert caught.value.params == {"line": 2, "column": "offerId"}
    with pytest.raises(DomainError):
        megamarket_offers.read("name;price\nТовар;1\n")


def test_load_links_the_offers_to_our_products(session) -> None:
    account = make_account(session, make_warehouse(session))
    account.kind = "megamarket"
    product = make_product(session, "Кружка", "4601234500024")
    result = megamarket_offers.load(session, account, EXPORT)
    assert (result.created, result.linked, result.unlinked) == (2, 1, 1)
    listing = session.scalar(select(Listing).where(Listing.sku == "MUG-01"))
    assert listing.product_id == product.id
    again = megamarket_offers.load(session, account, EXPORT)
    assert (again.created, again.updated) == (0, 2)


def test_a_supervisor_loads_the_export_on_the_cards_page(app, client) -> None:
    with app.app_context():
        session = db.session()
        account = make_account(session, make_warehouse(session))
        account.kind = "megamarket"
        make_supervisor(session)
        account_id = account.id
        session.commit()
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/settings/cards").get_data(as_text=True)
    assert f"/settings/cards/megamarket/{account_id}" in page
    loaded = client.post(
        f"/settings/cards/megamarket/{account_id}",
        data={"file": (io.BytesIO(EXPORT.encode("utf-8-sig")), "offers.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Офферы загружены: 2 новых" in loaded.get_data(as_text=True)
    bad = client.post(
        f"/settings/cards/megamarket/{account_id}",
        data={"file": (io.BytesIO("offerId;name\n;x\n".encode("cp1251")), "o.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Строка 2" in bad.get_data(as_text=True)
    broken = client.post(
        f"/settings/cards/megamarket/{account_id}",
        data={"file": (io.BytesIO("offerId;name\nA;Кружка\n".encode("cp1251")), "o.csv")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and "UTF-8" in broken.get_data(as_text=True)
    with app.app_context():
        assert len(db.session().scalars(select(Listing)).all()) == 2
    assert client.post("/settings/cards/megamarket/999999").status_code == 404
