"""Returns: a parcel back from the marketplace, every unit graded, the order ``returned``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.test_handovers import make_site
from tests.test_pack_lookup import MUG, SHIRT, picked
from warehouse.errors import DomainError
from warehouse.floor import packing
from warehouse.models import (
    Listing,
    Location,
    OutboxCommand,
    Parcel,
    ReturnUnit,
    Stock,
    StockMove,
    Warehouse,
)
from warehouse.orders import returns
from warehouse.stock import defects, ledger, moves, put_away, stock_sync


@pytest.fixture
def site(session):
    site = make_site(session)
    shirt = session.scalar(select(Stock).join(Stock.product).where(Stock.on_hand == 50))
    session.add(Listing(account_id=site["account"].id, product_id=shirt.product_id, sku="s-1"))
    return site


def shipped(session, site, external_id, *lines):
    task = picked(session, site, external_id, *lines)
    packing.pack_task(session, task.id, site["picker"], site["printer"].id)
    parcel = session.scalar(select(Parcel).where(Parcel.order_id == task.order_id))
    parcel.label_barcode = f"STICKER-{external_id}"
    task.order.status = "shipped"
    session.flush()
    return task.order


def _walk(session, site, ret, *codes, prefix="r"):
    state: dict = {}
    step = None
    for n, code in enumerate(codes):
        step = returns.scan(
            session, ret.id, state, code, user=site["picker"], scan_id=f"{prefix}-{n}"
        )
        state = step.state
    return step


def _on_hand(session, barcode_location="LOC-A-01"):
    return {
        s.product.name: s.on_hand
        for s in session.scalars(select(Stock))
        if s.location.barcode == barcode_location
    }


def test_a_returned_parcel_goes_back_to_a_bin_unit_by_unit_and_the_order_is_returned(session, site):
    order = shipped(session, site, "wb-1", (SHIRT, 2), (MUG, 1))
    before = _on_hand(session)
    ret = returns.receive(session, "STICKER-wb-1", user=site["picker"])
    step = _walk(session, site, ret, SHIRT, "LOC-A-01")
    assert (step.ok, step.code, step.params["left"], step.params["bin"]) == (
        True,
        "return_stock",
        2,
        "A-01",
    )
    state = _walk(session, site, ret, MUG, prefix="m").state
    step = returns.grade(session, ret.id, state, "defect", user=site["picker"], scan_id="d")
    assert (step.code, order.status) == ("return_defect", "shipped")
    state = _walk(session, site, ret, SHIRT, prefix="s").state
    step = returns.grade(session, ret.id, state, "write_off", user=site["picker"], scan_id="w")
    assert (step.code, step.done, order.status, ret.status) == (
        "return_done",
        True,
        "returned",
        "done",
    )
    after = _on_hand(session)
    assert (after["Shirt"] - before["Shirt"], after["Mug"] - before["Mug"]) == (1, 0)
    rows = session.scalars(select(StockMove).where(StockMove.reason == "return")).all()
    assert [(r.quantity, r.document) for r in rows] == [(1, f"return:{ret.id}")]
    grades = session.scalars(select(ReturnUnit.grade).order_by(ReturnUnit.id)).all()
    assert grades == ["stock", "defect", "write_off"]
    assert session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "push_stock"))
    assert ledger.disagreements(session) == []


def test_the_order_number_finds_the_parcel_and_wrong_parcels_are_refused(session, site):
    shipped(session, site, "wb-1", (SHIRT, 1))
    packing_only = picked(session, site, "wb-2", (SHIRT, 1))
    assert returns.receive(session, "wb-1", user=site["picker"]).order.external_id == "wb-1"
    with pytest.raises(DomainError) as unknown:
        returns.receive(session, "nothing-like-it", user=site["picker"])
    assert unknown.value.code == "return_unknown_parcel"
    packing.pack_task(session, packing_only.id, site["picker"], site["printer"].id)
    with pytest.raises(DomainError) as not_shipped:
        returns.receive(session, "wb-2", user=site["picker"])
    assert not_shipped.value.code == "return_not_shipped"


def test_units_that_are_not_in_the_order_or_too_many_are_refused_and_nothing_written(session, site):
    shipped(session, site, "wb-1", (SHIRT, 1))
    ret = returns.receive(session, "STICKER-wb-1", user=site["picker"])
    assert _walk(session, site, ret, MUG).code == "return_not_in_order"
    assert _walk(session, site, ret, "LOC-A-01").code == "return_product_first"
    assert _walk(session, site, ret, "junk").code == "return_unknown_barcode"
    _walk(session, site, ret, SHIRT, "LOC-A-01", prefix="ok")
    with pytest.raises(DomainError) as closed:
        returns.receive(session, "STICKER-wb-1", user=site["picker"])
    assert closed.value.code == "return_already_received"
    assert session.scalar(select(StockMove).where(StockMove.reason == "return")).quantity == 1


def test_a_resent_scan_grades_once_and_the_rest_may_be_missing(session, site):
    order = shipped(session, site, "wb-1", (SHIRT, 3))
    ret = returns.receive(session, "STICKER-wb-1", user=site["picker"])
    state = _walk(session, site, ret, SHIRT).state
    first = returns.scan(session, ret.id, state, "LOC-A-01", user=site["picker"], scan_id="x")
    again = returns.scan(session, ret.id, state, "LOC-A-01", user=site["picker"], scan_id="x")
    assert (first.code, again.code) == ("return_stock", "return_graded_before")
    assert returns.units_left(ret) == 2
    returns.close(session, ret.id, user=site["picker"])
    assert (order.status, ret.status) == ("returned", "done")
    assert len(session.scalars(select(StockMove).where(StockMove.reason == "return")).all()) == 1


def test_a_defect_goes_into_the_defect_area_in_the_ledger_and_is_never_free(session, site):
    order = shipped(session, site, "wb-1", (SHIRT, 2))
    ret = returns.receive(session, "STICKER-wb-1", user=site["picker"])
    state = _walk(session, site, ret, SHIRT).state
    step = returns.grade(session, ret.id, state, "defect", user=site["picker"], scan_id="d")
    area = session.scalar(select(Location).where(Location.defect))
    assert (step.code, area.code, area.receiving) == ("return_defect", "DEFECT", False)
    code = area.barcode  # the area's own label scanned grades the unit defect too
    step = _walk(session, site, ret, SHIRT, code, prefix="b")
    assert (step.code, order.status) == ("return_done", "returned")
    assert [u.location_id for u in ret.units] == [area.id, area.id]
    rows = session.scalars(select(StockMove).where(StockMove.location_id == area.id)).all()
    assert [(r.reason, r.quantity, r.document) for r in rows] == [
        ("return_defect", 1, f"return:{ret.id}"),
        ("return_defect", 1, f"return:{ret.id}"),
    ]
    assert ledger.stock_of(session, rows[0].product_id, area.id).on_hand == 2
    assert ledger.disagreements(session) == []

    account = site["account"]
    assert stock_sync.levels(session, account) == {"s-1": 48}  # the shelf's, not the area's
    waiting = f.import_order(session, account, "wb-2", (SHIRT, 49))
    assert waiting.status == "awaiting_stock"  # 48 on the shelf: the defects are not sold
    shelf = session.scalar(select(Location).where(Location.code == "A-01"))
    emptied = ledger.stock_of(session, rows[0].product_id, shelf.id)
    ledger.move(session, emptied, -48, "count", document="test", user=None)
    empty = f.make_location(session, session.get(Warehouse, area.warehouse_id), "B-01")
    assert put_away.suggest(session, rows[0].product_id, area.warehouse_id) == empty
    step = moves.scan(session, {}, area.barcode, user=site["picker"], scan_id="m")
    assert (step.ok, step.code) == (False, "move_defect")


def test_the_supervisor_writes_defects_off_the_area_once(session, site):
    shipped(session, site, "wb-1", (SHIRT, 3))
    ret = returns.receive(session, "STICKER-wb-1", user=site["picker"])
    for n in range(3):
        state = _walk(session, site, ret, SHIRT, prefix=f"p{n}").state
        returns.grade(session, ret.id, state, "defect", user=site["picker"], scan_id=f"d{n}")
    area = session.scalar(select(Location).where(Location.defect))
    shirt = ret.units[0].product_id
    row = defects.write_off(session, area.id, shirt, 2, shown=3, user=site["boss"], request_id="k")
    assert (row.reason, row.quantity, row.document, row.user_id) == (
        "write_off",
        -2,
        "write_off:k",
        site["boss"].id,
    )
    with pytest.raises(DomainError) as twice:  # the same page sent again: 3 is no longer there
        defects.write_off(session, area.id, shirt, 2, shown=3, user=site["boss"])
    assert twice.value.code == "defect_changed"
    shelf = session.scalar(select(Location).where(Location.code == "A-01"))
    with pytest.raises(DomainError) as not_defect:
        defects.write_off(session, shelf.id, shirt, 1, shown=48, user=site["boss"])
    assert not_defect.value.code == "write_off_not_defect"
    assert ledger.stock_of(session, shirt, area.id).on_hand == 1
    assert ledger.disagreements(session) == []


def test_a_bin_is_never_both_the_receiving_and_the_defect_area(session, site):
    shelf = session.scalar(select(Location).where(Location.code == "A-01"))
    shelf.receiving, shelf.defect = True, True
    with pytest.raises(Exception, match=r"(?i)check"):
        session.flush()
    session.rollback()


def test_a_unit_is_not_put_back_into_a_bin_switched_off_in_the_catalogue(session, site):
    shipped(session, site, "wb-1", (SHIRT, 1))
    session.scalar(select(Location).where(Location.code == "A-01")).active = False
    ret = returns.receive(session, "STICKER-wb-1", user=site["picker"])
    step = _walk(session, site, ret, SHIRT, "LOC-A-01")
    assert (step.ok, step.code, returns.units_left(ret)) == (False, "bin_switched_off", 1)
