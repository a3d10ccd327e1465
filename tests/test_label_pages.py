"""The supervisor's label printing pages (view tier), printing on the demo's virtual Zebra."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from tests.browser.test_tsd_batch import import_order
from tests.printers.decode import decode_all
from tests.test_settings import login_admin
from warehouse.demo import DEMO_PRINTER_CODE
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import (
    HandOver,
    IssuedSscc,
    Location,
    MarketplaceAccount,
    Order,
    Parcel,
    Printer,
    PrintJob,
    Product,
)

HX = {"HX-Request": "true"}
MUG = PRODUCTS[2]


def demo_ids(app) -> tuple[int, int]:
    """The demo printer's id and the mug's product id."""
    with app.app_context():
        session = db.session()
        printer = session.scalar(select(Printer.id).where(Printer.code == DEMO_PRINTER_CODE))
        product = session.scalar(select(Product.id).where(Product.article == MUG.article))
        return printer, product


def job_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count(PrintJob.id))) or 0


def a_parcel(app, external_id: str = "WB-8001") -> tuple[int, int]:
    import_order(app, external_id, (MUG.barcodes[0], 1))
    with app.app_context():
        session = db.session()
        order = session.scalar(select(Order).where(Order.external_id == external_id))
        parcel = Parcel(order_id=order.id, number=1)
        session.add(parcel)
        session.commit()
        return order.id, parcel.id


def test_products_page_prints_copies_and_follows_the_job(app, client, demo_site, zebra, worker):
    printer_id, product_id = demo_ids(app)
    login_admin(client)
    page = client.get("/labels/products").get_data(as_text=True)
    assert "Этикетки товаров" in page and MUG.name in page and "Zebra-1" in page
    assert page.count("<svg") >= len(PRODUCTS) and 'name="copies"' in page
    answer = client.post(
        f"/labels/products/{product_id}", data={"copies": "2", "printer_id": printer_id}, headers=HX
    )
    body = answer.get_data(as_text=True)
    job_id = int(re.search(r'data-job="(\d+)"', body).group(1))
    assert answer.status_code == 200 and f'href="/print-jobs/{job_id}"' in body
    assert "этикетки товара" in body and 'hx-trigger="every 2s"' in body
    worker()
    (label,) = zebra.wait_for_labels(1)
    assert decode_all(label) == [("EAN13", MUG.barcodes[0])] and b"^PQ2" in label
    followed = client.get(f"/labels/jobs/{job_id}", headers=HX)
    assert followed.status_code == 286 and "напечатана" in followed.get_data(as_text=True)
    history = client.get(f"/print-jobs/{job_id}").get_data(as_text=True)
    assert "Старший смены" in history and f"{MUG.article} × 2" in history


def test_bad_copies_are_refused_in_words_and_nothing_is_queued(app, client, demo_site, zebra):
    printer_id, product_id = demo_ids(app)
    login_admin(client)
    for copies in ("0", "1000", "два", ""):
        answer = client.post(
            f"/labels/products/{product_id}",
            data={"copies": copies, "printer_id": printer_id},
            headers=HX,
        )
        assert answer.status_code == 422 and "Копий: число от 1 до 999" in answer.get_data(
            as_text=True
        )
    unknown = client.post("/labels/products/999999", data={"copies": "1", "printer_id": "1"})
    assert unknown.status_code == 404 and "Товар не найден" in unknown.get_data(as_text=True)
    assert job_count(app) == 0 and zebra.printed == []


def test_bin_sheet_prints_all_bins_without_htmx(app, client, demo_site, zebra, worker):
    printer_id, _product = demo_ids(app)
    login_admin(client)
    sheet = client.get("/locations").get_data(as_text=True)
    assert "Печать этикеток" in sheet and 'name="location_id"' in sheet
    answer = client.post("/labels/bins", data={"all": "1", "printer_id": printer_id})
    assert answer.status_code == 302 and "/locations?queued=" in answer.headers["Location"]
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "этикетки ячеек" in shown and "/print-jobs/" in shown
    worker()
    with app.app_context():
        codes = db.session().scalars(select(Location.barcode).order_by(Location.walk_order)).all()
    printed = zebra.wait_for_labels(len(codes))
    assert [decode_all(label) for label in printed] == [[("Code128", code)] for code in codes]


def test_chosen_bins_only(app, client, demo_site, zebra, worker):
    printer_id, _product = demo_ids(app)
    with app.app_context():
        chosen = db.session().scalars(select(Location).order_by(Location.walk_order)).all()[1:3]
        ids, codes = [str(b.id) for b in chosen], [b.barcode for b in chosen]
    login_admin(client)
    answer = client.post(
        "/labels/bins", data={"location_id": ids, "printer_id": printer_id}, headers=HX
    )
    assert answer.status_code == 200 and "этикетки ячеек" in answer.get_data(as_text=True)
    none = client.post("/labels/bins", data={"printer_id": printer_id}, headers=HX)
    assert none.status_code == 422 and "Выберите ячейки" in none.get_data(as_text=True)
    worker()
    assert [decode_all(label) for label in zebra.wait_for_labels(2)] == [
        [("Code128", code)] for code in codes
    ]


def test_order_page_says_sscc_needs_a_prefix_and_then_prints_box_labels(
    app, client, demo_site, zebra, worker
):
    printer_id, _product = demo_ids(app)
    order_id, parcel_id = a_parcel(app)
    login_admin(client)
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "Для SSCC нужен префикс компании GS1 продавца" in page
    refused = client.post(
        f"/labels/parcels/{parcel_id}/box", data={"printer_id": printer_id}, headers=HX
    )
    assert refused.status_code == 422 and "WAREHOUSE_GS1_COMPANY_PREFIX" in refused.get_data(
        as_text=True
    )

    app.config["GS1_COMPANY_PREFIX"] = "9529999"
    assert "Этикетка коробки" in client.get(f"/orders/{order_id}").get_data(as_text=True)
    for _ in range(2):  # the second press prints the same SSCC again
        answer = client.post(f"/labels/parcels/{parcel_id}/box", data={"printer_id": printer_id})
        assert answer.status_code == 302 and f"/orders/{order_id}?queued=" in answer.location
    worker()
    first, second = zebra.wait_for_labels(2)
    with app.app_context():
        code = db.session().scalar(select(IssuedSscc.code).where(IssuedSscc.parcel_id == parcel_id))
    assert decode_all(first) == decode_all(second) == [("Code128", "00" + code)]
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert code in page and "Напечатать снова" in page
    job_id = answer.location.rsplit("queued=", 1)[1]
    followed = client.get(f"/labels/jobs/{job_id}", headers=HX).get_data(as_text=True)
    assert code in followed and "этикетка коробки (SSCC)" in followed


def test_supplies_page_lists_supplies_and_prints_a_qr(app, client, demo_site, zebra, worker):
    printer_id, _product = demo_ids(app)
    with app.app_context():
        session = db.session()
        account = session.scalar(select(MarketplaceAccount))
        supply = HandOver(
            account_id=account.id, ship_date=date(2026, 12, 5), external_id="WB-GI-7654321"
        )
        session.add(supply)
        session.commit()
        supply_id = supply.id
    login_admin(client)
    page = client.get("/labels/supplies").get_data(as_text=True)
    assert "WB-GI-7654321" in page and "<svg" in page and "открыта" in page
    answer = client.post(
        f"/labels/supplies/{supply_id}", data={"symbol": "qr", "printer_id": printer_id}, headers=HX
    )
    assert answer.status_code == 200 and "этикетка поставки" in answer.get_data(as_text=True)
    bad = client.post(
        f"/labels/supplies/{supply_id}",
        data={"symbol": "ean", "printer_id": printer_id},
        headers=HX,
    )
    assert bad.status_code == 422 and "Code 128 или QR" in bad.get_data(as_text=True)
    worker()
    assert decode_all(zebra.wait_for_labels(1)[0]) == [("QRCode", "WB-GI-7654321")]
    assert job_count(app) == 1


def test_label_pages_need_a_supervisor(client, demo_site):
    assert client.get("/labels/products").status_code == 302
    assert client.post("/labels/bins", data={"all": "1"}).status_code == 302
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    assert client.get("/labels/supplies").status_code == 302
