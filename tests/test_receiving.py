"""Receiving and put-away: goods come into the receiving area, not free for orders, and
become free (waiting orders reserved, stock pushed) only once put away in a bin."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from tests import factories as f
from warehouse.errors import DomainError
from warehouse.models import (
    Listing,
    Location,
    OutboxCommand,
    PickTask,
    PutAway,
    Receipt,
    ReceiptLine,
    ReceivedMarkingCode,
    Stock,
    StockMove,
)
from warehouse.stock import (
    inventory,
    ledger,
    moves,
    put_away,
    receipt_files,
    receiving,
    stock_sync,
)

MUG = "4607001234562"
MUG_PACK = "4607001234579"
CUP = "4600000000017"


@pytest.fixture
def shop(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    mug = f.make_product(session, "Mug", MUG, (MUG_PACK, 6), article="MUG-1")
    cup = f.make_product(session, "Cup", CUP, article="CUP-1")
    a01 = f.make_location(session, warehouse, "A-01", walk=1)
    b02 = f.make_location(session, warehouse, "B-02", walk=2)
    c03 = f.make_location(session, warehouse, "C-03", walk=3)
    f.put_stock(session, cup, a01, 1)
    return {
        "warehouse": warehouse,
        "account": account,
        "mug": mug,
        "cup": cup,
        "a01": a01,
        "b02": b02,
        "c03": c03,
        "picker": f.make_picker(session),
    }


def _rows(text: str, name: str = "list.csv", encoding: str = "utf-8"):
    return receipt_files.read(name, text.encode(encoding))


def _receive(session, receipt, picker, *codes, first=0):
    state: dict[str, int] = {}
    step = None
    for n, code in enumerate(codes, start=first):
        step = receiving.scan(session, receipt.id, state, code, user=picker, scan_id=f"r-{n}")
        state = step.state
    return step


def _put(session, picker, *codes, first=0):
    state: dict[str, int] = {}
    step = None
    for n, code in enumerate(codes, start=first):
        step = put_away.scan(session, state, code, user=picker, scan_id=f"p-{n}")
        state = step.state
    return step


def test_an_expected_delivery_counts_in_with_surplus_and_shortage(session, shop):
    rows = _rows("article;quantity\nMUG-1;10\nCUP-1;3\n")
    receipt = receiving.create(session, shop["warehouse"].id, "Посуда ООО", rows, user=None)
    picker = shop["picker"]
    step = _receive(session, receipt, picker, MUG_PACK, MUG, MUG, MUG, MUG, MUG)
    assert (step.code, step.params["received"], step.params["expected"]) == (
        "receipt_surplus",
        11,
        10,
    )
    step = _receive(session, receipt, picker, "2", CUP, first=10)  # typed, then scanned once
    assert (step.code, step.params["received"]) == ("receipt_scanned", 2)
    got = {line.product.name: (line.expected, line.received) for line in receipt.lines}
    assert got == {"Mug": (10, 11), "Cup": (3, 2)}
    assert [line.difference for line in receiving.differences(receipt)] == [1, -1]
    rbin = receiving.receiving_bin(session, shop["warehouse"])
    assert (rbin.code, rbin.receiving) == ("RECEIVING", True)
    moves_in = session.scalars(select(StockMove).where(StockMove.reason == "receipt")).all()
    assert {m.location_id for m in moves_in} == {rbin.id}
    assert sum(m.quantity for m in moves_in) == 13
    assert {m.document for m in moves_in} == {f"receipt:{receipt.id}"}
    assert ledger.disagreements(session) == []
    receiving.close(session, receipt.id, user=picker)
    with pytest.raises(DomainError) as closed:
        _receive(session, receipt, picker, MUG, first=20)
    assert closed.value.code == "receipt_closed"


def test_a_blind_delivery_takes_any_product_and_refuses_wrong_scans(session, shop):
    receipt = receiving.create(session, shop["warehouse"].id, "Unknown", None, user=None)
    assert receipt.blind
    picker = shop["picker"]
    assert _receive(session, receipt, picker, CUP).code == "receipt_blind_scanned"
    assert _receive(session, receipt, picker, "nope-123", first=1).code == "receipt_unknown_barcode"
    assert _receive(session, receipt, picker, "LOC-A-01", first=2).code == "receipt_bin_scanned"
    assert _receive(session, receipt, picker, "0", first=3).code == "receipt_bad_quantity"
    assert [(line.expected, line.received) for line in receipt.lines] == [(0, 1)]


def test_a_resent_scan_counts_once(session, shop):
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    _receive(session, receipt, shop["picker"], MUG)
    session.commit()
    with pytest.raises(Exception, match=r"(?i)unique"):
        _receive(session, receipt, shop["picker"], MUG)
    session.rollback()
    assert receiving.replayed(session, "r-0")
    assert session.scalar(select(ReceiptLine.received)) == 1


def test_received_goods_are_not_free_for_orders_until_put_away(session, shop):
    session.add(Listing(account_id=shop["account"].id, product_id=shop["mug"].id, sku="mug-1"))
    order = f.import_order(session, shop["account"], "o-1", (MUG, 4))
    assert order.status == "awaiting_stock"
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    _receive(session, receipt, shop["picker"], MUG_PACK)  # 6 in the receiving area
    f.import_order(session, shop["account"], "o-2", (MUG, 1))
    assert {o.status for o in (order,)} == {"awaiting_stock"}
    assert session.scalar(select(Stock.reserved).join(Location).where(Location.receiving)) == 0
    session.query(OutboxCommand).delete()

    step = _put(session, shop["picker"], MUG, "3")
    assert (step.code, step.params["bin"]) == ("put_away_suggested", "B-02")  # first empty bin
    step = _put(session, shop["picker"], MUG, "5", "LOC-B-02", first=5)
    assert (step.code, step.done, step.params["orders"]) == ("put_away_done", True, 2)
    session.refresh(order)
    assert order.status == "reserved"
    assert session.scalar(select(PickTask.id).where(PickTask.order_id == order.id)) is not None
    kinds = session.scalars(select(OutboxCommand.kind)).all()
    assert "push_stock" in kinds and "confirm" in kinds
    rows = session.scalars(select(StockMove).where(StockMove.reason == "put_away")).all()
    assert [(r.location.code, r.quantity) for r in rows] == [("RECEIVING", -5), ("B-02", 5)]
    assert {r.document for r in rows} == {"put_away:p-7"}
    assert ledger.disagreements(session) == []


def test_the_suggestion_is_where_the_product_lies_and_another_bin_is_noted(session, shop):
    f.put_stock(session, shop["mug"], shop["c03"], 2)
    session.add(Listing(account_id=shop["account"].id, product_id=shop["mug"].id, sku="mug-1"))
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    _receive(session, receipt, shop["picker"], MUG, MUG)
    assert stock_sync.levels(session, shop["account"]) == {"mug-1": 2}  # receiving not free
    step = _put(session, shop["picker"], MUG)
    assert (step.code, step.params["bin"]) == ("put_away_suggested", "C-03")
    step = _put(session, shop["picker"], MUG, "LOC-B-02", first=3)
    assert (step.code, step.params["suggested"]) == ("put_away_done_elsewhere", "C-03")
    put = session.scalar(select(PutAway))
    assert (put.to_location.code, put.suggested.code, put.quantity) == ("B-02", "C-03", 1)
    assert stock_sync.levels(session, shop["account"]) == {"mug-1": 3}


def test_an_empty_bin_of_the_products_zone_first_and_never_a_bin_switched_off(session, shop):
    cold = f.make_location(session, shop["warehouse"], "K-09", walk=9)
    old = f.make_location(session, shop["warehouse"], "K-01", walk=8)
    cold.zone = old.zone = "COLD"
    f.put_stock(session, shop["mug"], old, 0)  # the mug lay in the cold room before
    old.active = False  # …in a bin switched off since
    assert put_away.suggest(session, shop["mug"].id, shop["warehouse"].id) == cold
    cold.active = False
    assert put_away.suggest(session, shop["mug"].id, shop["warehouse"].id) == shop["b02"]


def test_put_away_refuses_in_words(session, shop):
    picker = shop["picker"]
    assert _put(session, picker, "LOC-A-01").code == "put_away_product_first"
    assert _put(session, picker, CUP).code == "put_away_not_received"  # only in A-01
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    _receive(session, receipt, picker, MUG, CUP)
    rbin = receiving.receiving_bin(session, shop["warehouse"])
    assert _put(session, picker, MUG, "2").code == "put_away_too_many"
    assert _put(session, picker, MUG, CUP).code == "put_away_one_product"
    assert _put(session, picker, MUG, rbin.barcode).code == "put_away_receiving_bin"
    assert session.scalar(select(StockMove.id).where(StockMove.reason == "put_away")) is None
    # a move never takes goods out of (or into) the receiving area: put-away does
    state: dict[str, int] = {}
    step = moves.scan(session, state, rbin.barcode, user=picker, scan_id="m-1")
    assert step.code == "move_receiving"


def test_one_receiving_bin_per_warehouse_is_a_constraint(session, shop):
    receiving.receiving_bin(session, shop["warehouse"])
    session.add(
        Location(warehouse_id=shop["warehouse"].id, code="R2", barcode="R2", receiving=True)
    )
    with pytest.raises(Exception, match=r"(?i)unique"):
        session.flush()
    session.rollback()


def test_a_file_with_a_bad_row_writes_nothing(session, shop):
    rows = _rows("article;quantity\nMUG-1;2\nNOPE;1\n")
    with pytest.raises(DomainError) as refused:
        receiving.create(session, shop["warehouse"].id, "S", rows, user=None)
    assert (refused.value.code, refused.value.params) == (
        "receipt_row_unknown_article",
        {"row": 3, "article": "NOPE"},
    )
    assert session.scalar(select(Receipt.id)) is None


def test_files_are_read_or_refused_naming_the_row():
    cp1251 = _rows("Штрихкод;Количество\n4607001234562;5\n", encoding="cp1251")
    assert [(r.barcode, r.quantity) for r in cp1251] == [(MUG, 5)]
    commas = _rows("article,quantity,barcode\nMUG-1,7,\n")
    assert [(r.article, r.quantity) for r in commas] == [("MUG-1", 7)]
    for text, code in (
        ("sku;qty\nMUG-1;1\n", "receipt_file_columns"),
        ("article;quantity\nMUG-1;two\n", "receipt_row_quantity"),
        ("article;quantity\n;3\n", "receipt_row_no_product"),
        ("article;quantity\n", "receipt_file_empty"),
    ):
        with pytest.raises(DomainError) as refused:
            _rows(text)
        assert refused.value.code == code
    with pytest.raises(DomainError) as too_big:
        receipt_files.read("a.csv", b"x" * (receipt_files.MAX_BYTES + 1))
    assert too_big.value.code == "receipt_file_too_big"


def _xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_list_is_read_and_a_formula_refused():
    rows = receipt_files.read("l.xlsx", _xlsx(("Артикул", "Количество"), ("MUG-1", 4)))
    assert [(r.row, r.article, r.quantity) for r in rows] == [(2, "MUG-1", 4)]
    with pytest.raises(DomainError) as formula:
        receipt_files.read("l.xlsx", _xlsx(("article", "quantity"), ("MUG-1", "=2+2")))
    assert (formula.value.code, formula.value.params) == ("receipt_file_formula", {"row": 2})
    with pytest.raises(DomainError) as broken:
        receipt_files.read("l.xlsx", b"not a zip")
    assert broken.value.code == "receipt_file_unreadable"


def test_reservation_skips_the_receiving_area(session, shop):
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    _receive(session, receipt, shop["picker"], CUP, CUP)
    order = f.import_order(session, shop["account"], "o-9", (CUP, 2))  # A-01 holds only 1
    assert order.status == "awaiting_stock"
    line = order.lines[0]
    assert inventory.free_elsewhere(session, line, shop["warehouse"].id, 0) == 1


TEE_EAN = "4601234567893"  # GTIN 04601234567893
TEE_GTIN = "0" + TEE_EAN


def test_marked_goods_arrive_unit_by_unit_each_code_once(session, shop):
    tee = f.make_product(session, "Tee", TEE_EAN, article="TEE-1")
    tee.needs_marking = True
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    picker = shop["picker"]
    assert _receive(session, receipt, picker, TEE_EAN).code == "receipt_marking_required"
    code = f"01{TEE_GTIN}21XyZ12345abcde~93dGh7"
    assert _receive(session, receipt, picker, code, first=1).code == "receipt_blind_scanned"
    twice = _receive(session, receipt, picker, code, first=2)
    assert twice.code == "receipt_marking_twice"
    assert _receive(session, receipt, picker, "3", code, first=3).code == (
        "receipt_marking_one_by_one"
    )
    other = f"01{TEE_GTIN}21Other0000001~93dGh7"
    assert _receive(session, receipt, picker, other, first=5).params["received"] == 2
    kept = session.scalars(select(ReceivedMarkingCode.serial)).all()
    assert sorted(kept) == ["Other0000001", "XyZ12345abcde"]
    assert ledger.disagreements(session) == []


def test_a_supervisor_binds_an_unknown_barcode_on_the_spot_a_picker_cannot(session, shop):
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    picker = shop["picker"]
    refused_for_picker = _receive(session, receipt, picker, "NEW-777")
    assert (refused_for_picker.code, refused_for_picker.state) == ("receipt_unknown_barcode", {})
    assert _receive(session, receipt, picker, MUG, first=1).code == "receipt_blind_scanned"
    assert inventory.product_by_barcode(session, "NEW-777") is None  # a picker never binds
    boss = f.make_supervisor(session)
    first = _receive(session, receipt, boss, "NEW-777", first=10)
    assert (first.ok, first.code, first.state) == (
        False,
        "receipt_unknown_bind",
        {"unbound": "NEW-777"},
    )
    bound = _receive(session, receipt, boss, "NEW-777", MUG, first=20)
    assert (bound.ok, bound.code) == (True, "receipt_barcode_bound")
    assert inventory.product_by_barcode(session, "NEW-777").product_id == shop["mug"].id
    counted = _receive(session, receipt, picker, "NEW-777", first=30)
    assert counted.params["product"] == "Mug"
    with pytest.raises(DomainError) as refused:
        receiving.bind_barcode(session, "ANOTHER", shop["mug"], user=picker)
    assert refused.value.code == "bind_supervisor_only"
    with pytest.raises(DomainError) as taken:
        receiving.bind_barcode(session, "LOC-A-01", shop["mug"], user=boss)
    assert taken.value.code == "bind_taken"


def test_goods_taken_meanwhile_are_refused_in_words_at_the_bin(session, shop):
    receipt = receiving.create(session, shop["warehouse"].id, "S", None, user=None)
    _receive(session, receipt, shop["picker"], MUG, MUG)
    state = _put(session, shop["picker"], MUG, MUG).state  # two in hand
    _put(session, shop["picker"], MUG, "LOC-B-02", first=10)  # another picker took one
    with pytest.raises(DomainError) as refused:
        put_away.scan(session, state, "LOC-C-03", user=shop["picker"], scan_id="late")
    assert (refused.value.code, refused.value.params["waiting"]) == ("put_away_too_many", 1)
    assert ledger.disagreements(session) == []
