"""A production start can fill bins, products and their first stock from CSV files
(``flask load-catalogue``) until the desk has catalogue pages."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.models import Location, Product, ProductBarcode, Stock


def test_load_catalogue_creates_bins_products_and_first_stock_once(app, tmp_path):
    with app.app_context():
        f.make_warehouse(db.session())
        db.session().commit()
    bins = tmp_path / "bins.csv"
    bins.write_text("code,barcode\nA-01-01,\nA-01-02,LOC-X-2\n", encoding="utf-8")
    products = tmp_path / "products.csv"
    products.write_text(
        "article,name,barcodes,bin,on_hand,needs_marking\n"
        "MUG-1,Кружка 330 мл,4601234567893;4601234567909,A-01-01,12,\n"
        "TEE-1,Футболка,4601234567916,,,yes\n",
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    args = ["load-catalogue", "--bins", str(bins), "--products", str(products)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    with app.app_context():
        s = db.session()
        assert s.scalars(select(Location.barcode).order_by(Location.code)).all() == [
            "LOC-A-01-01",
            "LOC-X-2",
        ]
        mug = s.scalar(select(Product).where(Product.article == "MUG-1"))
        assert {b.barcode for b in mug.barcodes} == {"4601234567893", "4601234567909"}
        assert s.scalar(select(Stock.on_hand).where(Stock.product_id == mug.id)) == 12
        assert s.scalar(select(Product.needs_marking).where(Product.article == "TEE-1")) is True
    again = runner.invoke(args=args)  # a second load adds nothing and never touches stock
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session().scalar(select(Stock.on_hand)) == 12
        assert len(db.session().scalars(select(ProductBarcode)).all()) == 3


def test_load_catalogue_says_which_line_is_wrong(app, tmp_path):
    with app.app_context():
        f.make_warehouse(db.session())
        db.session().commit()
    products = tmp_path / "products.csv"
    products.write_text("article,name,barcodes,bin,on_hand\nMUG-1,Кружка,460,Z-99,3\n")
    result = app.test_cli_runner().invoke(args=["load-catalogue", "--products", str(products)])
    assert result.exit_code == 1
    assert "2" in result.output and "Z-99" in result.output
    with app.app_context():
        assert db.session().scalar(select(Product.id)) is None  # all or nothing


def test_load_catalogue_needs_a_warehouse_first(app, tmp_path):
    bins = tmp_path / "bins.csv"
    bins.write_text("code\nA-01\n")
    result = app.test_cli_runner().invoke(args=["load-catalogue", "--bins", str(bins)])
    assert result.exit_code == 1 and "create-admin" in result.output
