"""The catalogue importer (CSV and XLSX, upsert, all or nothing) and its export."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from tests import factories as f
from warehouse.catalog import catalogue_csv, catalogue_files
from warehouse.errors import DomainError
from warehouse.models import Location, Product, ProductBarcode

HEADER = "article,name,barcodes,pack_barcodes,needs_marking,cost_price,min_stock,weight_g\n"
GOOD = (
    HEADER + "MUG-1,Кружка 330 мл,4601234567893;4601234567909,14601234567890:12,no,199.90,5,350\n"
    "TEE-1,Футболка,4601234567916,,да,1 234,50,,\n"
)


def load(session, kind: str, filename: str, data: bytes) -> catalogue_csv.Plan:
    table = catalogue_files.read(filename, data)
    return catalogue_csv.apply(session, kind, table.header, table.rows)


def preview(session, kind: str, filename: str, data: bytes) -> catalogue_csv.Plan:
    table = catalogue_files.read(filename, data)
    return catalogue_csv.plan(session, kind, table.header, table.rows)


def test_csv_creates_products_with_barcodes_packs_price_and_sizes(session):
    plan = load(session, "products", "p.csv", GOOD.replace("1 234,50", '"1 234,50"').encode())
    assert [row.action for row in plan.rows] == ["create", "create"]
    mug = session.scalar(select(Product).where(Product.article == "MUG-1"))
    assert {(b.barcode, b.quantity) for b in mug.barcodes} == {
        ("4601234567893", 1),
        ("4601234567909", 1),
        ("14601234567890", 12),
    }
    assert (mug.cost_price, mug.min_stock, mug.weight_g, mug.needs_marking) == (
        19990,
        5,
        350,
        False,
    )
    tee = session.scalar(select(Product).where(Product.article == "TEE-1"))
    assert (tee.cost_price, tee.needs_marking, tee.weight_g) == (123450, True, None)


def test_reimport_is_idempotent_and_a_change_is_an_update(session):
    data = GOOD.replace("1 234,50", "1234.50").encode()
    load(session, "products", "p.csv", data)
    again = load(session, "products", "p.csv", data)
    assert [row.action for row in again.rows] == ["unchanged", "unchanged"]
    changed = preview(session, "products", "p.csv", data.replace(b"199.90", b"210"))
    assert changed.rows[0].action == "update" and changed.rows[0].changes == ["cost_price"]
    assert len(session.scalars(select(ProductBarcode)).all()) == 4


def test_cp1251_file_from_1c_is_read_with_semicolons(session):
    data = "article;name;barcodes\nЧАЙ-1;Чай чёрный;4601234567893\n".encode("cp1251")
    table = catalogue_files.read("1c.csv", data)
    assert table.encoding == "cp1251"
    load(session, "products", "1c.csv", data)
    assert session.scalar(select(Product.name).where(Product.article == "ЧАЙ-1")) == "Чай чёрный"


def test_xlsx_made_in_the_test_imports_with_numbers_as_barcodes(session):
    book = Workbook()
    sheet = book.active
    sheet.append(["article", "name", "barcodes", "min_stock"])
    sheet.append(["CUP-2", "Чашка", 4601234567893, 3])
    out = io.BytesIO()
    book.save(out)
    load(session, "products", "c.xlsx", out.getvalue())
    cup = session.scalar(select(Product).where(Product.article == "CUP-2"))
    assert [b.barcode for b in cup.barcodes] == ["4601234567893"] and cup.min_stock == 3


def test_bad_rows_are_each_refused_with_a_reason_and_nothing_is_written(session):
    other = f.make_product(session, "Чужой", "4601234567923", article="OTHER")
    data = (
        "article,name,barcodes,cost_price\n"
        "OK-1,Годный,4601234567893,10\n"
        ",Без артикула,,\n"
        "BAD-1,Плохая цифра,4601234567894,\n"
        "BAD-2,Чужой код,4601234567923,\n"
        "BAD-3,Дубль в файле,4601234567893,\n"
        "BAD-4,Цена,,-5\n"
        "OK-1,Опять,,\n"
        "BAD-5,Дороже столбца,,21474836.48\n"
    ).encode()
    plan = preview(session, "products", "p.csv", data)
    reasons = {row.line: [code for code, _ in row.reasons] for row in plan.refused}
    assert reasons == {
        3: ["catalogue_empty_cell"],
        4: ["catalogue_check_digit"],
        5: ["catalogue_barcode_taken"],
        6: ["catalogue_barcode_twice"],
        7: ["catalogue_not_a_price"],
        8: ["catalogue_article_twice"],
        9: ["catalogue_not_a_price"],  # over what the column holds (PostgreSQL: a 500 before)
    }
    assert plan.rows[0].action == "create"
    with pytest.raises(catalogue_csv.RowsRefused):
        load(session, "products", "p.csv", data)
    assert session.scalars(select(Product.article)).all() == [other.article]  # nothing written


def test_file_level_refusals_name_the_row_and_column(session):
    with pytest.raises(DomainError) as unknown:
        preview(session, "products", "p.csv", b"article,name,colour\nA,B,red\n")
    assert unknown.value.code == "catalogue_unknown_column"
    assert unknown.value.params["column"] == "colour"
    book = Workbook()
    book.active.append(["article", "name"])
    book.active.append(["A", '=CONCAT("a","b")'])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(DomainError) as formula:
        preview(session, "products", "p.xlsx", out.getvalue())
    assert formula.value.code == "catalogue_formula"
    assert formula.value.params == {"line": 2, "column": "B"}
    with pytest.raises(DomainError) as big:
        catalogue_files.read("p.csv", b"x" * (catalogue_files.MAX_BYTES + 1))
    assert big.value.code == "catalogue_too_big"


@pytest.mark.parametrize("fmt", catalogue_files.FORMATS)
def test_export_then_reimport_changes_nothing(session, fmt):
    f.make_warehouse(session)
    load(
        session,
        "products",
        "p.csv",
        GOOD.replace("1 234,50", "1234.50").replace("Футболка", "=SUM(1)").encode(),
    )
    load(session, "bins", "b.csv", b"code,zone,walk_order,barcode\nA-1,A,2,\nB-1,B,1,LOC-B\n")
    for kind in ("products", "bins"):
        header, rows = catalogue_csv.export_rows(session, kind)
        data = catalogue_files.write(fmt, header, rows)
        plan = preview(session, kind, f"out.{fmt}", data)
        assert {row.action for row in plan.rows} == {"unchanged"}, plan.rows
    assert session.scalar(select(Location.barcode).where(Location.code == "A-1")) == "LOC-A-1"


def test_bins_upsert_by_code_with_zone_and_walk_order(session):
    f.make_warehouse(session)
    load(session, "bins", "b.csv", b"code,zone,walk_order\nA-1,A,5\n")
    plan = load(session, "bins", "b.csv", b"code,zone\nA-1,Z\nA-2,Z\n")
    assert [(row.action, row.changes) for row in plan.rows] == [
        ("update", ["zone"]),
        ("create", []),
    ]
    bin_a1 = session.scalar(select(Location).where(Location.code == "A-1"))
    assert (bin_a1.zone, bin_a1.walk_order) == ("Z", 5)  # a column not in the file stays


def test_bins_of_two_warehouses_load_by_warehouse_code_and_round_trip(session):
    first, second = f.make_warehouse(session), f.make_warehouse(session)
    rows = f"code,zone,warehouse\nA-1,A,\nA-1,A,{second.code}\nB-1,B,{second.code}\n"
    plan = load(session, "bins", "b.csv", rows.encode())
    assert [row.action for row in plan.rows] == ["create"] * 3
    where = {(loc.warehouse_id, loc.code): loc.barcode for loc in session.scalars(select(Location))}
    # the same code in two warehouses: the second's label gets a code of its own
    assert where == {
        (first.id, "A-1"): "LOC-A-1",
        (second.id, "A-1"): f"LOC-{second.code}-A-1",
        (second.id, "B-1"): "LOC-B-1",
    }
    header, exported = catalogue_csv.export_rows(session, "bins")
    data = catalogue_files.write("csv", header, exported)
    assert {row.action for row in preview(session, "bins", "out.csv", data).rows} == {"unchanged"}


def test_a_bin_row_naming_an_unknown_warehouse_is_refused_and_nothing_written(session):
    f.make_warehouse(session)
    with pytest.raises(catalogue_csv.RowsRefused) as refused:
        load(session, "bins", "b.csv", b"code,warehouse\nA-1,\nA-2,NOPE\n")
    assert refused.value.plan.refused[0].reasons == [
        ("catalogue_unknown_warehouse", {"warehouse": "NOPE"})
    ]
    assert session.scalar(select(Location.id)) is None
