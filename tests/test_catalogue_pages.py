"""The catalogue on the desk: upload → preview → apply, export, products and bins by hand."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from tests import factories as f
from warehouse.catalog import catalogue_files
from warehouse.infra import db
from warehouse.models import CatalogueUpload, Location, Product, Warehouse


def boss(app, client) -> None:
    with app.app_context():
        f.make_warehouse(db.session())
        f.make_supervisor(db.session())
        db.session().commit()
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302


def xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, kind: str, name: str, data: bytes):
    form = {"kind": kind, "file": (io.BytesIO(data), name)}
    return client.post("/catalogue/uploads", data=form, content_type="multipart/form-data")


def articles(app) -> list[str]:
    with app.app_context():
        return db.session().scalars(select(Product.article).order_by(Product.article)).all()


def test_catalogue_needs_a_supervisor(client):
    assert client.get("/catalogue/").status_code == 302
    assert upload(client, "products", "p.csv", b"article,name\nA,B\n").status_code == 302
    assert articles(client.application) == []


def test_xlsx_with_two_bad_rows_is_shown_not_applied_then_fixed_and_applied(app, client):
    boss(app, client)
    head = ["article", "name", "barcodes"]
    bad = xlsx(
        head,
        ["A-1", "Кружка", 4601234567893],
        ["", "Без артикула", ""],
        ["B-1", "X", "4601234567894"],
    )
    response = upload(client, "products", "cat.xlsx", bad)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 создать" in page and "2 отклонено" in page
    assert "article: пусто" in page and "неверная контрольная цифра (должна быть 3)" in page
    assert "/apply" not in page  # no Apply button while a row is refused
    token = response.headers["Location"].rsplit("/", 1)[-1]
    refused = client.post(f"/catalogue/uploads/{token}/apply")
    assert refused.status_code == 422 and articles(app) == []  # nothing half-applied
    good = xlsx(head, ["A-1", "Кружка", 4601234567893], ["B-1", "X", "4601234567909"])
    preview = upload(client, "products", "cat.xlsx", good).headers["Location"]
    assert "Применить" in client.get(preview).get_data(as_text=True)
    assert client.post(preview + "/apply").status_code == 302
    assert articles(app) == ["A-1", "B-1"]
    assert client.post(preview + "/apply").status_code == 404  # applied once, then gone
    with app.app_context():
        assert db.session().scalars(select(CatalogueUpload.token)).all() == [
            token
        ]  # the refused one


def test_wrong_files_are_refused_in_words(app, client):
    boss(app, client)
    unknown = upload(client, "products", "p.csv", b"article,name,colour\nA,B,red\n")
    assert unknown.status_code == 422 and "Неизвестная колонка colour" in unknown.get_data(
        as_text=True
    )
    formula = upload(client, "products", "p.xlsx", xlsx(["article", "name"], ["A", "=1+1"]))
    assert "Строка 2, колонка B: формула" in formula.get_data(as_text=True)
    huge = upload(client, "products", "p.csv", b"article,name\n" + b"x" * (50 * 1024 * 1024))
    assert huge.status_code == 413 and "больше 10 МБ" in huge.get_data(as_text=True)
    assert client.get("/catalogue/uploads/no-such-token").status_code == 404
    assert articles(app) == []


def test_export_xlsx_has_the_import_columns(app, client):
    boss(app, client)
    client.post(
        "/catalogue/products", data={"article": "A-1", "name": "=Кружка", "cost_price": "9,90"}
    )
    response = client.get("/catalogue/export/products.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("article", "name") and rows[1][:2] == ("A-1", "=Кружка")
    assert rows[1][5] == "9.90"
    table = catalogue_files.read("p.csv", client.get("/catalogue/export/products.csv").data)
    assert table.rows[0][1]["cost_price"] == "9.90"
    assert client.get("/catalogue/export/orders.csv").status_code == 404


def test_products_and_bins_are_created_edited_and_deactivated_on_the_desk(app, client):
    boss(app, client)
    form = {"article": "A-1", "name": "Кружка", "barcodes": "4601234567893", "needs_marking": "yes"}
    assert client.post("/catalogue/products", data=form).status_code == 302
    edit = form | {"name": "Кружка 330", "pack_barcodes": "14601234567890:6", "min_stock": "4"}
    edit.pop("needs_marking")
    assert client.post("/catalogue/products", data=edit).status_code == 302
    clash = client.post(
        "/catalogue/products",
        data={"article": "B-1", "name": "Другой", "barcodes": "4601234567893"},
    )
    assert clash.status_code == 422
    assert "штрихкод 4601234567893 принадлежит другому товару, A-1" in clash.get_data(as_text=True)
    assert client.post("/catalogue/bins", data={"code": "A-01", "zone": "A"}).status_code == 302
    again = client.post("/catalogue/products", data={"new": "1", "article": "A-1", "name": "X"})
    assert again.status_code == 422 and "A-1 уже есть" in again.get_data(as_text=True)
    with app.app_context():
        mug = db.session().scalar(select(Product).where(Product.article == "A-1"))
        assert (mug.name, mug.needs_marking, mug.min_stock) == ("Кружка 330", False, 4)
        assert {(b.barcode, b.quantity) for b in mug.barcodes} == {
            ("4601234567893", 1),
            ("14601234567890", 6),
        }
        bin_id = db.session().scalar(select(Location.id).where(Location.code == "A-01"))
        mug_id = mug.id
    assert (
        client.post(f"/catalogue/products/{mug_id}/active", data={"active": "0"}).status_code == 302
    )
    assert client.post(f"/catalogue/bins/{bin_id}/active", data={"active": "0"}).status_code == 302
    assert client.post("/catalogue/bins/999999/active", data={"active": "0"}).status_code == 404
    page = client.get("/catalogue/").get_data(as_text=True)
    assert page.count("отключён") == 2 and "LOC-A-01" in page
    with app.app_context():
        assert db.session().get(Product, mug_id).active is False
        assert articles(app) == ["A-1"]


def test_a_1c_exchange_zip_is_previewed_like_a_products_file(app, client):
    from tests.test_commerceml import exchange

    boss(app, client)
    response = upload(client, "products", "1c.zip", exchange())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 создать" in page and "1 отклонено" in page and "MUG-1" in page


def test_warehouses_are_added_renamed_and_the_last_active_one_stays(app, client):
    boss(app, client)
    assert (
        client.post("/catalogue/warehouses", data={"code": "NORTH", "name": "Север"}).status_code
        == 302
    )
    taken = client.post("/catalogue/warehouses", data={"code": "NORTH", "name": "Ещё"})
    assert taken.status_code == 422 and "NORTH уже занят" in taken.get_data(as_text=True)
    with app.app_context():
        first, north = db.session().scalars(select(Warehouse.id).order_by(Warehouse.id)).all()
    assert (
        client.post(
            f"/catalogue/warehouses/{north}", data={"code": "N", "name": "Север-2"}
        ).status_code
        == 302
    )
    assert (
        client.post(f"/catalogue/warehouses/{first}/active", data={"active": "0"}).status_code
        == 302
    )
    client.post("/catalogue/bins", data={"new": "1", "code": "N-01"})  # into the first active
    last = client.post(f"/catalogue/warehouses/{north}/active", data={"active": "0"})
    assert last.status_code == 422 and "единственный действующий склад" in last.get_data(
        as_text=True
    )
    assert (
        client.post("/catalogue/warehouses/999999", data={"code": "X", "name": "Y"}).status_code
        == 404
    )
    with app.app_context():
        s = db.session()
        assert s.scalar(select(Location.warehouse_id).where(Location.code == "N-01")) == north
        assert s.get(Warehouse, north).name == "Север-2" and s.get(Warehouse, first).active is False


def test_an_apply_that_meets_a_concurrent_write_of_the_same_article_updates_it(app, client):
    """Another desk writes article A-1 between our plan and our write, the moment our
    session flushes: on PostgreSQL from a second connection, committed (ours then updates
    it); SQLite lets one writer at a time, so there the row is written in our own
    transaction and the unique key refuses ours the same way (ours then creates it)."""
    boss(app, client)
    preview = upload(client, "products", "p.csv", b"article,name\nA-1,Kruzhka\n")
    location = preview.headers["Location"]
    with app.app_context():
        engine = db.session().get_bind()
    raced = []

    @event.listens_for(Session, "before_flush")
    def race(session, flush_context, instances):  # type: ignore[no-untyped-def]
        if raced or not any(isinstance(o, Product) for o in session.new):
            return
        raced.append(True)
        row = insert(Product).values(article="A-1", name="другой стол")
        if engine.dialect.name == "sqlite":
            session.connection().execute(row)
            return
        with engine.begin() as other:
            other.execute(row)

    try:
        assert client.post(location + "/apply").status_code == 302
    finally:
        event.remove(Session, "before_flush", race)
    assert raced == [True]
    with app.app_context():
        names = db.session().execute(select(Product.article, Product.name)).all()
        assert [tuple(row) for row in names] == [("A-1", "Kruzhka")]
