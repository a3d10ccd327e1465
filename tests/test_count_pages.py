"""Counts and returns through the web: the ТСД's scans, the desk's pages, who may do what."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from tests.test_handovers import make_site
from tests.test_returns import shipped
from warehouse.infra import db
from warehouse.models import Location, Order, ReturnUnit, Stock, StockCount, StockMove
from warehouse.stock import ledger

MUG = "4607001234562"


def _count_site(app):
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        mug = f.make_product(session, "Mug", MUG)
        f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 5)
        f.make_picker(session)
        f.make_supervisor(session)
        session.commit()


def _scan(client, url, *codes, prefix="s"):
    return [
        client.post(url, data={"barcode": code, "scan_id": f"{prefix}-{n}"})
        for n, code in enumerate(codes)
    ]


def test_a_count_opened_on_the_desk_is_counted_on_the_tsd_recounted_and_approved(app, client):
    _count_site(app)
    client.post("/login", data={"login": "boss", "password": "boss"})
    refused = client.post("/counts", data={"kind": "bins", "scope": "A-01 Z-9"})
    assert refused.status_code == 422 and "Таких ячеек нет: Z-9" in refused.get_data(as_text=True)
    opened = client.post("/counts", data={"kind": "zone", "scope": "A-"})
    assert opened.status_code == 302
    count_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    client.post("/logout")

    client.post("/tsd/login", data={"badge": "B-1"})
    assert "Инвентаризация" in client.get("/tsd/").get_data(as_text=True)
    assert f"/tsd/counts/{count_id}" in client.get("/tsd/counts").get_data(as_text=True)
    url = f"/tsd/counts/{count_id}/scan"
    first = _scan(client, url, "LOC-A-01", MUG, "3", "LOC-A-01")
    assert [a.status_code for a in first] == [200, 200, 200, 422]
    told = first[3].get_data(as_text=True)
    assert "не сходится: пересчитайте" in told and "5" not in told  # blind: no expected
    again = client.post(url, data={"barcode": "LOC-A-01", "scan_id": "s-3"})  # resent
    assert "не сходится" in again.get_data(as_text=True)
    second = _scan(client, url, "LOC-A-01", MUG, "3", "LOC-A-01", prefix="r")
    assert "Все ячейки посчитаны" in second[3].get_data(as_text=True)
    assert client.get(f"/counts/{count_id}").status_code == 302  # a picker is not the desk

    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get(f"/counts/{count_id}").get_data(as_text=True)
    assert "A-01" in page and "-2" in page
    approved = client.post(f"/counts/{count_id}/approve")
    assert approved.status_code == 302
    assert "Пересчёт утверждён" in client.get(f"/counts/{count_id}").get_data(as_text=True)
    assert client.post(f"/counts/{count_id}/approve").status_code == 422  # closed
    assert client.get("/counts/999").status_code == 404
    with app.app_context():
        session = db.session()
        assert session.scalar(select(Stock.on_hand)) == 3
        assert session.scalar(select(StockCount.status)) == "approved"
        moves = session.scalars(select(StockMove.quantity).where(StockMove.reason == "count"))
        assert moves.all() == [-2]
        assert ledger.disagreements(session) == []


def test_a_count_cannot_be_approved_before_every_bin_is_counted(app, client):
    _count_site(app)
    client.post("/login", data={"login": "boss", "password": "boss"})
    opened = client.post("/counts", data={"kind": "bins", "scope": "A-01"})
    count_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    answer = client.post(f"/counts/{count_id}/approve")
    assert answer.status_code == 422
    assert "Ещё не посчитано ячеек: 1" in answer.get_data(as_text=True)


def test_pickers_and_strangers_cannot_open_or_see_counts_and_returns(app, client):
    _count_site(app)
    for url in ("/counts", "/returns", "/tsd/counts", "/tsd/returns"):
        assert client.get(url).status_code == 302, url
    assert client.post("/counts", data={"kind": "zone", "scope": "A"}).status_code == 302
    client.post("/tsd/login", data={"badge": "B-1"})
    assert client.get("/returns").status_code == 302
    assert client.post("/counts", data={"kind": "zone", "scope": "A"}).status_code == 302
    assert client.get("/tsd/counts/12345").status_code == 404
    assert client.get("/tsd/returns/12345").status_code == 404
    with app.app_context():
        assert db.session().scalar(select(StockCount.id)) is None


def test_a_returned_parcel_is_received_on_the_tsd_and_shows_on_the_desk(app, client):
    with app.app_context():
        session = db.session()
        site = make_site(session)
        shipped(session, site, "wb-7", ("4601234567893", 2))
        session.commit()
    client.post("/tsd/login", data={"badge": "B-1"})
    wrong = client.post("/tsd/returns", data={"barcode": "no-such-sticker"})
    assert wrong.status_code == 422 and "no-such-sticker" in wrong.get_data(as_text=True)
    opened = client.post("/tsd/returns", data={"barcode": "STICKER-wb-7"})
    assert opened.status_code == 302
    page_url = opened.headers["Location"]
    return_id = int(page_url.rsplit("/", 1)[1])
    assert "Заказ wb-7: сканируйте единицу" in client.get(page_url).get_data(as_text=True)
    url = f"/tsd/returns/{return_id}/scan"
    answers = _scan(client, url, "LOC-A-01", "4601234567893", "LOC-A-01")
    assert [a.status_code for a in answers] == [422, 200, 200]
    assert "возвращён в A-01" in answers[2].get_data(as_text=True)
    _scan(client, url, "4601234567893", prefix="d")
    graded = client.post(
        f"/tsd/returns/{return_id}/grade", data={"grade": "defect", "scan_id": "g"}
    )
    assert graded.status_code == 302
    assert "принят полностью" in client.get(page_url).get_data(as_text=True)
    client.post("/tsd/logout")
    client.post("/login", data={"login": "boss", "password": "boss"})
    desk = client.get("/returns").get_data(as_text=True)
    assert "wb-7" in desk and "A-01" in desk
    with app.app_context():
        session = db.session()
        assert session.scalar(select(Order.status)) == "returned"
        grades = session.scalars(select(ReturnUnit.grade).order_by(ReturnUnit.id)).all()
        assert grades == ["stock", "defect"]
        shelf = session.scalar(select(Location).where(Location.code == "A-01"))
        assert shelf is not None
        assert ledger.disagreements(session) == []


def test_defects_show_in_their_area_and_the_order_page_and_are_written_off_once(app, client):
    with app.app_context():
        session = db.session()
        site = make_site(session)
        order_id = shipped(session, site, "wb-8", ("4601234567893", 2)).id
        session.commit()
    client.post("/tsd/login", data={"badge": "B-1"})
    url = client.post("/tsd/returns", data={"barcode": "wb-8"}).headers["Location"]
    for n, grade in enumerate(("defect", "write_off")):
        _scan(client, f"{url}/scan", "4601234567893", prefix=f"u{n}")
        client.post(f"{url}/grade", data={"grade": grade, "scan_id": f"g{n}"})
    client.post("/tsd/logout")
    client.post("/login", data={"login": "boss", "password": "boss"})
    order_page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "брак, в зоне брака" in order_page and "DEFECT" in order_page
    assert "списан при приёме возврата" in order_page  # the write-off is told here
    with app.app_context():
        area = db.session().scalar(select(Location).where(Location.defect))
        area_id, shirt = area.id, db.session().scalar(select(StockMove.product_id))
    assert f"/locations/{area_id}/history" in client.get("/returns").get_data(as_text=True)
    page = client.get(f"/locations/{area_id}/history").get_data(as_text=True)
    assert "Сейчас в ячейке" in page and "брак из возврата" in page and "Списать" in page
    form = {"product_id": shirt, "quantity": 1, "shown": 1, "request_id": "r-1"}
    written = client.post(f"/locations/{area_id}/write-off", data=form)
    assert written.status_code == 302
    assert "Списано: Shirt × 1 из DEFECT" in client.get(written.headers["Location"]).get_data(
        as_text=True
    )
    again = client.post(f"/locations/{area_id}/write-off", data=form)
    assert again.status_code == 422 and "уже списали?" in again.get_data(as_text=True)
    with app.app_context():
        session = db.session()
        assert ledger.stock_of(session, shirt, area_id).on_hand == 0
        assert ledger.disagreements(session) == []


def test_a_count_by_products_is_opened_on_the_desk_and_counted_only_for_them(app, client):
    _count_site(app)
    with app.app_context():
        session = db.session()
        cup = f.make_product(session, "Cup", "4607001234579", article="CUP-1")
        shelf = session.scalar(select(Location).where(Location.code == "A-01"))
        f.put_stock(session, cup, shelf, 2)
        mug_id = session.scalar(select(Stock.product_id).where(Stock.on_hand == 5))
        session.commit()
    client.post("/login", data={"login": "boss", "password": "boss"})
    history = client.get(f"/products/{mug_id}/history").get_data(as_text=True)
    assert "kind=products" in history  # «Пересчитать этот товар…» opens the form filled in
    form = client.get("/counts?kind=products&scope=CUP-1").get_data(as_text=True)
    assert 'value="products" selected' in form and 'value="CUP-1"' in form
    refused = client.post("/counts", data={"kind": "products", "scope": "CUP-1 NOPE"})
    assert "Таких товаров нет: NOPE" in refused.get_data(as_text=True)
    opened = client.post("/counts", data={"kind": "products", "scope": "CUP-1"})
    count_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    assert "В его ячейках считаются только эти товары: Cup" in client.get(
        f"/counts/{count_id}"
    ).get_data(as_text=True)
    client.post("/logout")
    client.post("/tsd/login", data={"badge": "B-1"})
    assert "Считайте только: Cup" in client.get(f"/tsd/counts/{count_id}").get_data(as_text=True)
    answers = _scan(client, f"/tsd/counts/{count_id}/scan", "LOC-A-01", MUG)
    assert answers[1].status_code == 422
    assert "Mug в этом пересчёте не считаем" in answers[1].get_data(as_text=True)


def test_orders_a_count_could_not_cover_are_flagged_on_the_order_page_and_list(app, client):
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        mug = f.make_product(session, "Mug", MUG)
        f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 5)
        order_id = f.import_order(session, f.make_account(session, warehouse), "o-9", (MUG, 3)).id
        f.make_picker(session)
        f.make_supervisor(session)
        session.commit()
    client.post("/login", data={"login": "boss", "password": "boss"})
    opened = client.post("/counts", data={"kind": "bins", "scope": "A-01"})
    count_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    client.post("/logout")
    client.post("/tsd/login", data={"badge": "B-1"})
    for prefix in ("a", "b"):  # 1 found where 3 are reserved: counted twice, it stands
        _scan(client, f"/tsd/counts/{count_id}/scan", "LOC-A-01", MUG, "LOC-A-01", prefix=prefix)
    client.post("/tsd/logout")
    client.post("/login", data={"login": "boss", "password": "boss"})
    assert client.post(f"/counts/{count_id}/approve").status_code == 302
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert f"Пересчёт №{count_id} не нашёл в ячейке A-01 2 × Mug" in page
    assert f'href="/counts/{count_id}"' in page
    for listing in (client.get("/orders"), client.get("/")):
        text = listing.get_data(as_text=True)
        assert f"пересчёт №{count_id} не нашёл 2 × Mug в A-01" in text
