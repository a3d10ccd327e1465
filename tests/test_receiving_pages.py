"""Receiving on the desk and the ТСД: roles, CSRF, a file refused naming its row, a walk
of receive → put-away through the ТСД's scan endpoints (a resent scan counted once)."""

from __future__ import annotations

import io

from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.models import Order, Receipt, ReceiptLine, Stock, StockMove
from warehouse.stock import ledger, receiving

MUG = "4607001234562"
CUP = "4600000000017"


def _shop(app):
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        f.make_product(s, "Mug", MUG, article="MUG-1")
        f.make_product(s, "Cup", CUP, article="CUP-1")
        f.make_location(s, warehouse, "A-01", walk=1)
        f.make_picker(s)
        f.make_supervisor(s)
        f.import_order(s, account, "o-1", (MUG, 2))
        s.commit()
        return warehouse.id


def _upload(client, warehouse_id, text, name="list.csv", **extra):
    data = {"supplier": "Посуда", "warehouse_id": str(warehouse_id), **extra}
    data["file"] = (io.BytesIO(text.encode("cp1251")), name)
    return client.post("/receipts", data=data, content_type="multipart/form-data")


def test_the_desk_opens_a_delivery_from_a_file_and_refuses_a_bad_row(app, client):
    warehouse_id = _shop(app)
    assert client.get("/receipts").status_code == 302  # supervisors only
    client.post("/tsd/login", data={"badge": "B-1"})
    assert client.get("/receipts").status_code == 302  # a picker is sent to the desk login
    client.post("/login", data={"login": "boss", "password": "boss"})
    bad = _upload(client, warehouse_id, "Артикул;Количество\nMUG-1;3\nNOPE;1\n")
    assert bad.status_code == 422
    assert "Строка 3: неизвестный артикул NOPE" in bad.get_data(as_text=True)
    forged = client.post("/receipts", data={"supplier": "x"}, headers={"X-CSRFToken": ""})
    assert forged.status_code == 400  # no CSRF token, nothing written
    good = _upload(client, warehouse_id, "Артикул;Количество\nMUG-1;3\nCUP-1;1\n", request_id="k1")
    assert good.status_code == 302
    again = _upload(client, warehouse_id, "Артикул;Количество\nMUG-1;3\n", request_id="k1")
    assert again.headers["Location"] == good.headers["Location"]  # a double click: one
    with app.app_context():
        receipts = db.session().scalars(select(Receipt)).all()
        assert len(receipts) == 1
        assert {(line.product.article, line.expected) for line in receipts[0].lines} == {
            ("MUG-1", 3),
            ("CUP-1", 1),
        }
    page = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "Расхождения со списком: строк 2" in page
    assert client.get("/receipts/999999").status_code == 404
    assert client.post("/receipts/999999/close").status_code == 404


def test_the_tsd_receives_and_puts_away_and_a_waiting_order_becomes_pickable(app, client):
    warehouse_id = _shop(app)
    with app.app_context():
        s = db.session()
        receipt = receiving.create(s, warehouse_id, "Посуда", None, user=None)
        s.commit()
        receipt_id = receipt.id
    assert client.get(f"/tsd/receiving/{receipt_id}").status_code == 302  # log in first
    client.post("/tsd/login", data={"badge": "B-1"})
    assert "Приёмка поставки" in client.get("/tsd/").get_data(as_text=True)
    assert "Посуда" in client.get("/tsd/receiving").get_data(as_text=True)
    assert client.get("/tsd/receiving/999999").status_code == 404
    url = f"/tsd/receiving/{receipt_id}/scan"
    answers = [
        client.post(url, data={"barcode": code, "scan_id": sid})
        for code, sid in (("3", "r1"), (MUG, "r2"), (MUG, "r2"), ("nope-1", "r3"))
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 422]
    assert "Количество 3: теперь отсканируйте товар один раз" in answers[0].get_data(as_text=True)
    assert "+3 Mug: принято 3" in answers[2].get_data(as_text=True)  # the resend's answer
    assert "Неизвестный штрихкод nope-1" in answers[3].get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(ReceiptLine.received)) == 3
        assert db.session().scalar(select(Order.status)) == "awaiting_stock"

    client.post("/tsd/put-away/reset")
    first = client.post("/tsd/put-away/scan", data={"barcode": MUG, "scan_id": "p1"})
    assert "Отнесите в ячейку A-01" in first.get_data(as_text=True)
    client.post("/tsd/put-away/scan", data={"barcode": "2", "scan_id": "p2"})
    wrong = client.post("/tsd/put-away/scan", data={"barcode": "RCV-X", "scan_id": "p3"})
    assert wrong.status_code == 422
    done = client.post("/tsd/put-away/scan", data={"barcode": "LOC-A-01", "scan_id": "p4"})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "Размещено: Mug × 2 в A-01" in text
    assert "Заказов можно собирать: 1" in text
    again = client.post("/tsd/put-away/scan", data={"barcode": "LOC-A-01", "scan_id": "p4"})
    assert again.get_data(as_text=True) == text  # a resent final scan: the same answer, once
    with app.app_context():
        s = db.session()
        assert s.scalar(select(Order.status)) == "reserved"
        on_hand = {st.location.code: (st.on_hand, st.reserved) for st in s.scalars(select(Stock))}
        assert on_hand == {"RECEIVING": (1, 0), "A-01": (2, 2)}
        assert len(s.scalars(select(StockMove).where(StockMove.reason == "put_away")).all()) == 2
        assert ledger.disagreements(s) == []

    client.post("/login", data={"login": "boss", "password": "boss"})
    assert client.post(f"/receipts/{receipt_id}/close").status_code == 302
    closed = client.post(url, data={"barcode": MUG, "scan_id": "r9"})
    assert closed.status_code == 422
    assert "закрыта: больше ничего не принимается" in closed.get_data(as_text=True)
