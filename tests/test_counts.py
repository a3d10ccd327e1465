"""Counts: opened on the desk, counted blind bin by bin, recounted, approved into the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.errors import DomainError
from warehouse.floor import picking, shortages
from warehouse.models import (
    CountBin,
    CountFlag,
    Listing,
    OutboxCommand,
    PickTask,
    Stock,
    StockMove,
)
from warehouse.shift import desk
from warehouse.stock import counts, ledger, moves

MUG = "4607001234562"
CUP = "4607001234579"


@pytest.fixture
def site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    mug = f.make_product(session, "Mug", MUG, ("4607001234586", 6))
    cup = f.make_product(session, "Cup", CUP)
    a1 = f.make_location(session, warehouse, "A-01", walk=1)
    a2 = f.make_location(session, warehouse, "A-02", walk=2)
    b1 = f.make_location(session, warehouse, "B-01", walk=3)
    session.add(Listing(account_id=account.id, product_id=mug.id, sku="mug-sku"))
    return {
        "warehouse": warehouse,
        "account": account,
        "mug": mug,
        "cup": cup,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "mug_a1": f.put_stock(session, mug, a1, 10),
        "cup_a2": f.put_stock(session, cup, a2, 4),
        "picker": f.make_picker(session),
        "boss": f.make_supervisor(session),
    }


def _count(session, site, count_id, *codes, prefix="s"):
    state: dict = {}
    step = None
    for n, code in enumerate(codes):
        step = counts.scan(
            session, count_id, state, code, user=site["picker"], scan_id=f"{prefix}-{n}"
        )
        state = step.state
    return step


def _stock(session, product, location):
    return session.scalar(
        select(Stock).where(Stock.product_id == product.id, Stock.location_id == location.id)
    )


def test_a_zone_is_counted_blind_a_discrepancy_recounted_and_approval_writes_the_ledger(
    session, site
):
    count = counts.open_count(session, site["warehouse"].id, "zone", "A-", user=site["boss"])
    assert [b.location.code for b in count.bins] == ["A-01", "A-02"]  # not B-01
    step = _count(session, site, count.id, "LOC-A-01", MUG, "4607001234586", "LOC-A-01")
    assert (step.ok, step.code) == (False, "count_recount")  # 7, not 10: count again
    assert "10" not in str(step.params)  # the expected quantity is never told
    step = _count(session, site, count.id, "LOC-A-01", MUG, "8", "LOC-A-01", prefix="r")
    assert (step.ok, step.code, step.params["left"]) == (True, "count_bin_done", 1)
    step = _count(session, site, count.id, "LOC-A-02", CUP, "4", "LOC-A-02", prefix="c")
    assert (step.code, step.done) == ("count_all_done", True)
    line = count.bins[0].lines[0]
    assert (line.expected, line.first_count, line.recount, line.counted) == (10, 7, 8, 8)
    assert _stock(session, site["mug"], site["a1"]).on_hand == 10  # nothing before approval

    result = counts.approve(session, count.id, user=site["boss"])
    assert result.approved and count.status == "approved"
    assert _stock(session, site["mug"], site["a1"]).on_hand == 8
    rows = session.scalars(select(StockMove).where(StockMove.reason == "count")).all()
    assert [(r.quantity, r.document, r.user_id) for r in rows] == [
        (-2, f"count:{count.id}", site["boss"].id)
    ]
    assert line.adjusted == -2
    push = session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "push_stock"))
    assert push is not None and push.account_id == site["account"].id
    assert ledger.disagreements(session) == []


def test_goods_found_in_a_bin_that_showed_none_are_added(session, site):
    count = counts.open_count(session, site["warehouse"].id, "bins", "B-01", user=site["boss"])
    _count(session, site, count.id, "LOC-B-01", CUP, CUP, "LOC-B-01")
    _count(session, site, count.id, "LOC-B-01", CUP, CUP, "LOC-B-01", prefix="r")
    counts.approve(session, count.id, user=site["boss"])
    assert _stock(session, site["cup"], site["b1"]).on_hand == 2
    assert ledger.disagreements(session) == []


def test_wrong_scans_are_refused_in_words_and_count_nothing(session, site):
    count = counts.open_count(session, site["warehouse"].id, "bins", "A-01", user=site["boss"])
    assert _count(session, site, count.id, MUG).code == "count_scan_bin"
    assert _count(session, site, count.id, "LOC-B-01").code == "count_wrong_bin"
    step = _count(session, site, count.id, "LOC-A-01", MUG, "LOC-A-02")
    assert (step.ok, step.code, step.params["bin"]) == (False, "count_finish_bin", "A-01")
    assert step.state["units"] == {str(site["mug"].id): 1}  # what was counted is kept
    assert _count(session, site, count.id, "LOC-A-01", "nope").code == "count_unknown_barcode"
    assert session.scalars(select(CountBin.round)).all() == [0]
    with pytest.raises(DomainError) as refused:
        counts.open_count(session, site["warehouse"].id, "bins", "A-01 Z-99", user=site["boss"])
    assert (refused.value.code, refused.value.params) == ("count_unknown_bins", {"bins": "Z-99"})
    with pytest.raises(DomainError) as busy:
        counts.open_count(session, site["warehouse"].id, "zone", "A", user=site["boss"])
    assert busy.value.code == "count_bins_busy"


def test_the_closing_scan_resent_is_answered_not_counted_as_the_recount(session, site):
    count = counts.open_count(session, site["warehouse"].id, "bins", "A-01", user=site["boss"])
    state = _count(session, site, count.id, "LOC-A-01", MUG).state
    first = counts.scan(session, count.id, state, "LOC-A-01", user=site["picker"], scan_id="z")
    again = counts.scan(session, count.id, state, "LOC-A-01", user=site["picker"], scan_id="z")
    assert (first.code, again.code) == ("count_recount", "count_bin_done_before")
    assert count.bins[0].status == "recount" and count.bins[0].round == 1


def test_a_bin_that_moved_since_it_was_counted_goes_back_for_a_recount(session, site):
    count = counts.open_count(session, site["warehouse"].id, "bins", "A-01", user=site["boss"])
    _count(session, site, count.id, "LOC-A-01", MUG, "9", "LOC-A-01")
    _count(session, site, count.id, "LOC-A-01", MUG, "9", "LOC-A-01", prefix="r")
    moves.move_goods(
        session, site["mug"].id, site["a1"], site["a2"], 3, user=site["picker"], document="move:x"
    )
    result = counts.approve(session, count.id, user=site["boss"])
    assert (result.approved, result.changed_bins) == (False, ["A-01"])
    assert count.status == "open" and count.bins[0].status == "recount"
    assert _stock(session, site["mug"], site["a1"]).on_hand == 7  # the move stands
    with pytest.raises(DomainError) as refused:
        counts.approve(session, count.id, user=site["boss"])
    assert refused.value.params == {"left": 1}
    _count(session, site, count.id, "LOC-A-01", MUG, "6", "LOC-A-01", prefix="x")
    assert counts.approve(session, count.id, user=site["boss"]).approved
    assert _stock(session, site["mug"], site["a1"]).on_hand == 6
    assert ledger.disagreements(session) == []


def test_a_count_below_what_orders_hold_stops_at_the_reservation_and_flags_them(session, site):
    order = f.import_order(session, site["account"], "o-1", (MUG, 3))
    assert _stock(session, site["mug"], site["a1"]).reserved == 3
    count = counts.open_count(session, site["warehouse"].id, "bins", "A-01", user=site["boss"])
    _count(session, site, count.id, "LOC-A-01", MUG, "1", "LOC-A-01")
    _count(session, site, count.id, "LOC-A-01", MUG, "1", "LOC-A-01", prefix="r")
    counts.approve(session, count.id, user=site["boss"])
    stock = _stock(session, site["mug"], site["a1"])
    assert (stock.on_hand, stock.reserved) == (3, 3)  # never below what is promised
    flags = session.scalars(select(CountFlag)).all()
    assert [(fl.order_id, fl.missing, fl.location.code) for fl in flags] == [(order.id, 2, "A-01")]
    assert count.bins[0].lines[0].adjusted == -7
    assert ledger.disagreements(session) == []


def test_a_cycle_count_takes_the_bins_of_open_short_picks(session, site):
    order = f.import_order(session, site["account"], "o-1", (CUP, 1))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, site["picker"])
    shortages.report_short(session, task.id, site["picker"], "not_in_bin")
    count = counts.open_count(session, site["warehouse"].id, "shortages", "", user=site["boss"])
    assert [b.location.code for b in count.bins] == ["A-02"]
    with pytest.raises(DomainError) as refused:
        counts.open_count(session, site["warehouse"].id, "zone", "Q", user=site["boss"])
    assert refused.value.code == "count_no_bins"


def test_a_zone_is_the_bins_zone_and_a_bin_without_one_goes_by_its_code(session, site):
    site["b1"].zone = "COLD"  # B-01 is in the cold room
    site["a2"].zone = "MAIN"  # A-02 is not in zone "A-" any more
    cold = counts.open_count(session, site["warehouse"].id, "zone", "cold", user=site["boss"])
    assert [b.location_id for b in cold.bins] == [site["b1"].id]
    by_code = counts.open_count(session, site["warehouse"].id, "zone", "A-", user=site["boss"])
    assert [b.location_id for b in by_code.bins] == [site["a1"].id]


def test_a_count_by_products_covers_every_active_bin_they_lie_in_and_only_them(session, site):
    f.put_stock(session, site["mug"], site["b1"], 4)
    f.put_stock(session, site["cup"], site["b1"], 7)  # another product in a counted bin
    off = f.make_location(session, site["warehouse"], "C-01", walk=4)
    f.put_stock(session, site["mug"], off, 2)
    off.active = False  # a bin switched off is not counted
    with pytest.raises(DomainError) as unknown:
        counts.open_count(session, site["warehouse"].id, "products", "NOPE", user=site["boss"])
    assert unknown.value.params == {"products": "NOPE"}
    count = counts.open_count(session, site["warehouse"].id, "products", MUG, user=site["boss"])
    assert [b.location.code for b in count.bins] == ["A-01", "B-01"]  # not A-02: no mug
    assert [p.name for p in count.products] == ["Mug"]
    step = _count(session, site, count.id, "LOC-B-01", CUP)
    assert (step.ok, step.code, step.state["units"]) == (False, "count_not_this_product", {})
    assert step.params["products"] == "Mug" and "7" not in str(step.params)
    _count(session, site, count.id, "LOC-A-01", MUG, "10", "LOC-A-01", prefix="a")
    step = _count(session, site, count.id, "LOC-B-01", MUG, "3", "LOC-B-01", prefix="b")
    assert step.code == "count_recount"  # 3 of 4 mugs; the cups are not compared
    step = _count(session, site, count.id, "LOC-B-01", MUG, "3", "LOC-B-01", prefix="c")
    assert step.code == "count_all_done"
    assert [line.product_id for line in count.bins[1].lines] == [site["mug"].id]
    assert counts.approve(session, count.id, user=site["boss"]).approved
    assert (
        _stock(session, site["mug"], site["b1"]).on_hand,
        _stock(session, site["cup"], site["b1"]).on_hand,
    ) == (3, 7)
    assert ledger.disagreements(session) == []


def test_products_are_named_by_article_or_barcode_and_must_lie_somewhere(session, site):
    with pytest.raises(DomainError) as empty:
        counts.open_count(session, site["warehouse"].id, "products", " ", user=site["boss"])
    assert empty.value.code == "count_no_products"
    f.make_product(session, "Jug", "4600000000008", article="JUG-1")
    with pytest.raises(DomainError) as nowhere:
        counts.open_count(session, site["warehouse"].id, "products", "JUG-1", user=site["boss"])
    assert (nowhere.value.code, nowhere.value.params) == (
        "count_products_nowhere",
        {"products": "Jug"},
    )
    both = f"{site['cup'].article}, {MUG}"
    count = counts.open_count(session, site["warehouse"].id, "products", both, user=site["boss"])
    assert [b.location.code for b in count.bins] == ["A-01", "A-02"]
    assert [p.name for p in count.products] == ["Cup", "Mug"]


def test_the_orders_list_shows_a_count_flag_until_the_order_is_picked(session, site):
    order = f.import_order(session, site["account"], "o-1", (MUG, 3))
    count = counts.open_count(session, site["warehouse"].id, "bins", "A-01", user=site["boss"])
    for prefix in ("a", "b"):
        _count(session, site, count.id, "LOC-A-01", MUG, "1", "LOC-A-01", prefix=prefix)
    counts.approve(session, count.id, user=site["boss"])
    flags = desk.count_flags(session, [order])
    assert [(fl.count_id, fl.missing) for fl in flags[order.id]] == [(count.id, 2)]
    assert [fl.count_id for fl in desk.order_page(session, order.id).count_flags] == [count.id]
    order.status = "picked"
    assert desk.count_flags(session, [order]) == {}  # the order page keeps it
    assert len(desk.order_page(session, order.id).count_flags) == 1
