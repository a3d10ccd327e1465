"""Stock moves are SQL arithmetic: two at once on one bin are both counted."""

from __future__ import annotations

import threading

from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.models import Stock
from warehouse.stock import inventory, ledger


def test_two_pickers_taking_from_one_bin_at_once_are_both_counted(app):
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        bin_ = f.make_location(session, warehouse, "A-01")
        stock = f.put_stock(session, f.make_product(session, "Mug", "4607001234562"), bin_, 10)
        stock.reserved = 2
        session.commit()
        stock_id = stock.id
    barrier = threading.Barrier(2)

    def take():
        with app.app_context():
            session = db.session()
            mine = session.get_one(Stock, stock_id)
            assert (mine.on_hand, mine.reserved) == (10, 2)  # both read before either writes
            barrier.wait()
            inventory.take_from_bin(
                session, mine.product_id, mine.location_id, 1, document="task:1", user=None
            )
            session.commit()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        after = db.session().get_one(Stock, stock_id)
        assert (after.on_hand, after.reserved) == (8, 0)
        assert ledger.disagreements(db.session()) == []  # both picks are movements too


def test_two_lines_of_one_product_reserve_from_one_bin_in_full(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    bin_ = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, f.make_product(session, "Mug", "4607001234562"), bin_, 10)
    order = f.import_order(session, account, "wb-2", ("4607001234562", 2), ("4607001234562", 3))
    assert order.status == "reserved"
    stock = session.scalar(select(Stock))
    session.refresh(stock)
    assert (stock.on_hand, stock.reserved) == (10, 5)
