"""Moves on the ТСД: free goods from one bin to another, two ledger rows, one document."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.models import Location, PickTask, Stock, StockMove
from warehouse.stock import ledger, moves

MUG = "4607001234562"


@pytest.fixture
def bins(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    mug = f.make_product(session, "Mug", MUG, ("4607001234579", 6))
    source = f.make_location(session, warehouse, "A-01", walk=1)
    target = f.make_location(session, warehouse, "B-02", walk=2)
    stock = f.put_stock(session, mug, source, 10)
    picker = f.make_picker(session)
    f.import_order(session, account, "o-1", (MUG, 3))  # 3 of A-01 are reserved
    return {"stock": stock, "source": source, "target": target, "picker": picker, "mug": mug}


def _walk(session, picker, *codes):
    state: dict[str, int] = {}
    step = None
    for n, code in enumerate(codes):
        step = moves.scan(session, state, code, user=picker, scan_id=f"m-{n}")
        state = step.state
    return step


def test_a_move_is_two_rows_under_one_document(session, bins):
    step = _walk(session, bins["picker"], "LOC-A-01", MUG, "4607001234579", "LOC-B-02")
    assert (step.ok, step.code, step.done) == (True, "move_done", True)
    assert step.params == {"product": "Mug", "quantity": 7, "from": "A-01", "to": "B-02"}
    rows = session.scalars(select(StockMove).where(StockMove.reason == "move")).all()
    assert [(r.location.code, r.quantity, r.document) for r in rows] == [
        ("A-01", -7, "move:m-3"),
        ("B-02", 7, "move:m-3"),
    ]
    assert all(r.user_id == bins["picker"].id for r in rows)
    stock = bins["stock"]
    assert (stock.on_hand, stock.reserved) == (3, 3)  # the reservation stays where it was
    assert ledger.disagreements(session) == []


def test_reserved_goods_do_not_move(session, bins):
    step = _walk(session, bins["picker"], "LOC-A-01", MUG, "8")
    assert (step.ok, step.code, step.params["free"]) == (False, "move_not_free", 7)
    assert step.state["quantity"] == 1  # the last good quantity is kept
    with pytest.raises(DomainError) as refused:
        moves.move_goods(
            session,
            bins["mug"].id,
            bins["source"],
            bins["target"],
            8,
            user=bins["picker"],
            document="move:x",
        )
    assert refused.value.code == "move_not_free"
    assert session.scalar(select(StockMove.id).where(StockMove.reason == "move")) is None


def test_the_steps_are_checked_in_words(session, bins):
    picker = bins["picker"]
    assert _walk(session, picker, MUG).code == "move_scan_from_bin"
    assert _walk(session, picker, "LOC-A-01", "LOC-B-02").code == "move_product_first"
    assert _walk(session, picker, "LOC-A-01", "nope").code == "move_unknown_barcode"
    assert _walk(session, picker, "LOC-A-01", MUG, "0").code == "move_bad_quantity"
    assert _walk(session, picker, "LOC-A-01", MUG, "LOC-A-01").code == "move_same_bin"
    assert session.scalar(select(StockMove.id).where(StockMove.reason == "move")) is None


def test_the_same_document_cannot_move_twice(session, bins):
    args = (session, bins["mug"].id, bins["source"], bins["target"], 1)
    moves.move_goods(*args, user=bins["picker"], document="move:same")
    with pytest.raises(Exception, match=r"(?i)unique"):
        moves.move_goods(*args, user=bins["picker"], document="move:same")
    session.rollback()


def test_the_tsd_walks_a_move_and_a_resent_scan_moves_once(app, client):
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        mug = f.make_product(session, "Mug", MUG)
        f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 5)
        f.make_location(session, warehouse, "B-02")
        f.make_picker(session)
        session.commit()
    assert client.get("/tsd/moves").status_code == 302  # log in first
    client.post("/tsd/login", data={"badge": "B-1"})
    page = client.get("/tsd/moves").get_data(as_text=True)
    assert "Перемещение: отсканируйте ячейку, где лежит товар" in page
    answers = [
        client.post("/tsd/moves/scan", data={"barcode": code, "scan_id": sid})
        for code, sid in (("LOC-A-01", "1"), (MUG, "2"), ("4", "3"), ("LOC-B-02", "4"))
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert "Ячейка A-01. Отсканируйте товар" in answers[0].get_data(as_text=True)
    done = answers[3].get_data(as_text=True)
    assert "Перемещено: Mug × 4, A-01 → B-02" in done
    again = client.post("/tsd/moves/scan", data={"barcode": "LOC-B-02", "scan_id": "4"})
    assert "Перемещено: Mug × 4" in again.get_data(as_text=True)
    with app.app_context():
        session = db.session()
        on_hand = dict(session.execute(select(Location.code, Stock.on_hand).join(Stock)).all())
        assert on_hand == {"A-01": 1, "B-02": 4}
        assert len(session.scalars(select(StockMove).where(StockMove.reason == "move")).all()) == 2
        assert ledger.disagreements(session) == []
        assert session.scalar(select(PickTask.id)) is None
