"""The stock ledger: every on-hand change is a movement, and on-hand is their sum."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests import factories as f
from tests.conftest import CREDENTIALS_KEY
from warehouse.catalog import catalogue_csv
from warehouse.errors import DomainError
from warehouse.floor import picking, shortages
from warehouse.infra import db
from warehouse.models import Location, PickTask, Product, Shortage, Stock, StockMove
from warehouse.stock import inventory, ledger

MUG, PEN = "4607001234562", "4601234567893"


def _scan(session, task, picker, *codes):
    picking.start_task(session, task.id, picker)
    result = None
    for n, code in enumerate(codes):
        result = picking.record_scan(session, task.id, code, f"{task.id}-{n}", picker)
    return result


def _sums(session):
    rows = session.execute(
        select(StockMove.product_id, StockMove.location_id, func.sum(StockMove.quantity)).group_by(
            StockMove.product_id, StockMove.location_id
        )
    )
    return {(p, loc): int(total) for p, loc, total in rows}


def test_a_day_of_work_reconciles(session):
    """Import → pick → short pick → count → cancel → put-back: every bin's on-hand is
    the sum of its movements, each with its reason and document."""
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    bins = [(2, {"code": "A-01", "walk_order": "1"}), (3, {"code": "C-09", "walk_order": "9"})]
    catalogue_csv.apply(session, "bins", ["code", "walk_order"], bins)
    header = ["article", "name", "barcodes", "bin", "on_hand"]
    products = [
        (2, {"article": "MUG", "name": "Mug", "barcodes": MUG, "bin": "A-01", "on_hand": "3"}),
        (3, {"article": "PEN", "name": "Pen", "barcodes": PEN, "bin": "A-01", "on_hand": "4"}),
    ]
    catalogue_csv.apply(session, "products", header, products)
    mug = session.scalar(select(Product).where(Product.article == "MUG"))
    far = session.scalar(select(Location).where(Location.code == "C-09"))
    ledger.opening(session, mug.id, far.id, 5, document="catalogue")  # a second bin of it
    picker = f.make_picker(session)
    whole = f.import_order(session, account, "o-1", (MUG, 2), (PEN, 1))
    task = session.scalar(select(PickTask).where(PickTask.order_id == whole.id))
    assert _scan(session, task, picker, "LOC-A-01", MUG, MUG, "LOC-A-01", PEN).task_done

    short = f.import_order(session, account, "o-2", (MUG, 2))  # one in A-01, one in C-09
    task = session.scalar(select(PickTask).where(PickTask.order_id == short.id))
    _scan(session, task, picker, "LOC-A-01", MUG, "LOC-C-09")
    shortages.report_short(session, task.id, picker, "not_in_bin")  # C-09's 4 free leave
    shortage = session.scalar(select(Shortage))
    supervisor = f.make_supervisor(session)
    shortages.record_count(session, shortage.id, 3, supervisor)  # 3 were there after all
    shortages.resolve(session, shortage.id, "cancel")
    putback = session.scalar(select(PickTask).where(PickTask.kind == "putback"))
    assert _scan(session, putback, picker, "LOC-A-01", MUG).task_done

    stocks = session.scalars(select(Stock).order_by(Stock.id)).all()
    assert {(s.location.code, s.product.article): s.on_hand for s in stocks} == {
        ("A-01", "MUG"): 1,  # 3 - 2 picked - 1 picked + 1 put back
        ("C-09", "MUG"): 3,  # 5: all 5 free gone as a suspected shortage, 3 counted
        ("A-01", "PEN"): 3,
    }
    assert _sums(session) == {(s.product_id, s.location_id): s.on_hand for s in stocks}
    assert ledger.disagreements(session) == []
    moves = session.scalars(select(StockMove).order_by(StockMove.id)).all()
    assert [(m.reason, m.quantity) for m in moves] == [
        ("opening", 3),
        ("opening", 4),
        ("opening", 5),
        ("pick", -1),
        ("pick", -1),
        ("pick", -1),
        ("pick", -1),
        ("suspected_shortage", -5),
        ("count", 3),
        ("put_back", 1),
    ]
    assert {m.document for m in moves if m.reason == "opening"} == {"catalogue"}
    first = session.scalar(select(PickTask.id).where(PickTask.order_id == whole.id))
    assert (moves[3].document, moves[3].user_id) == (f"task:{first}", picker.id)
    assert moves[8].document == f"shortage:{shortage.id}" and moves[8].user_id == supervisor.id
    assert moves[9].document == f"task:{putback.id}"


def test_an_on_hand_changed_behind_the_ledger_is_found(session):
    warehouse = f.make_warehouse(session)
    mug = f.make_product(session, "Mug", MUG)
    stock = f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 5)
    assert ledger.disagreements(session) == []
    session.execute(update(Stock).where(Stock.id == stock.id).values(on_hand=7))
    found = ledger.disagreements(session)
    assert [(d.on_hand, d.ledger) for d in found] == [(7, 5)]


def test_a_movement_without_its_stock_row_is_found(session):
    warehouse = f.make_warehouse(session)
    mug = f.make_product(session, "Mug", MUG)
    bin_ = f.make_location(session, warehouse, "A-01")
    session.add(
        StockMove(
            product_id=mug.id, location_id=bin_.id, quantity=2, reason="receipt", document="x"
        )
    )
    session.flush()
    assert [(d.on_hand, d.ledger) for d in ledger.disagreements(session)] == [(0, 2)]


def test_a_refused_change_writes_no_movement(session):
    """The CHECK refuses a bin below what is promised: neither the UPDATE nor the row."""
    warehouse = f.make_warehouse(session)
    mug = f.make_product(session, "Mug", MUG)
    stock = f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 2)
    with pytest.raises(ValueError):
        ledger.move(session, stock, 1, "bored", document="x", user=None)
    with pytest.raises(DomainError):  # a count that read 2 while the bin changed
        ledger.move(session, stock, -1, "count", expect_on_hand=9, document="x", user=None)
    assert inventory.free_units(session, stock) == 2
    assert session.scalar(select(func.count(StockMove.id))) == 1  # the opening only


def test_the_reason_list_is_a_database_constraint(session):
    warehouse = f.make_warehouse(session)
    mug = f.make_product(session, "Mug", MUG)
    bin_ = f.make_location(session, warehouse, "A-01")
    session.add(
        StockMove(product_id=mug.id, location_id=bin_.id, quantity=1, reason="gift", document="x")
    )
    with pytest.raises(Exception, match=r"(?i)check"):
        session.flush()
    session.rollback()


def test_only_the_ledger_writes_on_hand():
    """Any other module assigning on_hand would change stock without a movement."""
    root = Path(__file__).parent.parent / "warehouse"
    writes = re.compile(r"\bon_hand\s*(=|\+=|-=)(?!=)")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "ledger.py" and writes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_reconcile_command(app):
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        mug = f.make_product(session, "Mug", MUG, article="MUG-1")
        stock = f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 5)
        session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stock-reconcile"])
    assert result.exit_code == 0 and "reconciles" in result.output
    with app.app_context():
        db.session().execute(update(Stock).where(Stock.id == stock.id).values(on_hand=4))
        db.session().commit()
    result = runner.invoke(args=["stock-reconcile"])
    assert result.exit_code != 0
    assert "MUG-1\tA-01\ton_hand=4\tledger=5" in result.output


def _desk(app):
    with app.app_context():
        session = db.session()
        f.make_supervisor(session, login="boss", password="pw")
        warehouse = f.make_warehouse(session)
        mug = f.make_product(session, "Mug", MUG, article="MUG-1")
        stock = f.put_stock(session, mug, f.make_location(session, warehouse, "A-01"), 100)
        for n in range(ledger.HISTORY_PAGE):  # 51 movements: two pages
            ledger.move(session, stock, -1, "pick", document=f"task:{n}", user=None)
        session.commit()
        return mug.id, stock.location_id


def test_the_desk_shows_a_products_and_a_bins_history_newest_first(app, client):
    product_id, location_id = _desk(app)
    assert client.get(f"/products/{product_id}/history").status_code == 302  # log in first
    assert client.post("/login", data={"login": "boss", "password": "pw"}).status_code == 302
    page = client.get(f"/products/{product_id}/history").get_data(as_text=True)
    assert page.count('class="move"') == ledger.HISTORY_PAGE
    assert page.index("task:49") < page.index("task:48")  # newest first
    assert "начальный остаток" not in page and "Более ранние движения" in page
    older = re.search(r'href="\?before=(\d+)"', page)
    assert older is not None
    rest = client.get(f"/products/{product_id}/history?before={older[1]}").get_data(as_text=True)
    assert (
        rest.count('class="move"') == 1
        and "<code>test</code>" in rest
        and "+100" in rest
        and "начальный остаток" in rest
    )
    bin_page = client.get(f"/locations/{location_id}/history").get_data(as_text=True)
    assert "Mug" in bin_page and "task:49" in bin_page
    assert client.get("/products/987654321/history").status_code == 404
    assert client.get("/locations/987654321/history").status_code == 404
    products = client.get("/labels/products").get_data(as_text=True)
    assert f"/products/{product_id}/history" in products
    assert f"/locations/{location_id}/history" in client.get("/locations").get_data(as_text=True)


def test_the_demo_starts_with_its_stock_as_opening_movements(session):
    from warehouse import demo

    demo.load(
        session, public_url="http://127.0.0.1:9", credentials_key=CREDENTIALS_KEY, pin_secret="x"
    )
    assert ledger.disagreements(session) == []
    reasons = set(session.scalars(select(StockMove.reason)))
    assert reasons == {"opening"}
    assert session.scalar(select(func.count(StockMove.id))) == session.scalar(
        select(func.count(Stock.id))
    )
