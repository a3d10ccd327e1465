"""Our own labels printed on the virtual Zebra over TCP through the RQ worker, then decoded.

What the Zebra stored is rendered offline and read by zxing-cpp (``tests.printers.decode``),
so these check the symbols a scanner would read, not the strings we meant to send.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from printers import VirtualZebra, barcodes
from tests import factories as f
from tests.printers.decode import decode_all
from warehouse.errors import DomainError
from warehouse.infra import db
from warehouse.labels import own_labels, sscc
from warehouse.models import (
    HandOver,
    IssuedSscc,
    Location,
    Parcel,
    PickTask,
    Printer,
    PrintJob,
    User,
    Warehouse,
)

GS1 = sscc.Gs1("9529999", extension=3)
EAN = "4601234567893"


@dataclass
class Site:
    warehouse_id: int
    printer_id: int
    user: User


@pytest.fixture
def site(session, zebra: VirtualZebra) -> Site:
    warehouse = f.make_warehouse(session)
    printer = f.make_printer(session, warehouse, zebra.address)
    user = User(name="Старший смены", role="supervisor", login="boss")
    session.add(user)
    session.commit()
    return Site(warehouse.id, printer.id, user)


def printed_now(session, zebra: VirtualZebra, worker, formats: int) -> list[bytes]:
    """Commit, run the worker, and the formats the Zebra printed."""
    session.commit()
    worker()
    session.expire_all()  # the worker changed the jobs in its own session
    return zebra.wait_for_labels(formats)


def one_format_each(labels: list[bytes]) -> bool:
    return all(len(re.findall(rb"\^X[AZ]", label)) == 2 for label in labels)


def test_product_labels_print_copies_whose_ean_decodes(session, site, zebra, worker):
    product = f.make_product(session, "Кружка керамическая 330 мл", EAN, article="MUG-330")
    queued = own_labels.queue_product_labels(session, product.id, site.printer_id, 3, site.user)
    (label,) = printed_now(session, zebra, worker, 1)
    assert decode_all(label) == [("EAN13", EAN)]
    assert b"^PQ3" in label and one_format_each([label])
    job = session.get_one(PrintJob, queued.job.id)
    assert job.status == "printed" and job.kind == "product_label" and job.content.strip() == label
    assert job.requested_by_id == site.user.id
    assert job.events[0].detail == "MUG-330 × 3, layout 58×40 mm"


def test_a_product_name_with_zpl_commands_prints_as_text(session, site, zebra, worker):
    product = f.make_product(session, "Носки ^XZ~JR^XA^PQ99", EAN)
    own_labels.queue_product_labels(session, product.id, site.printer_id, 1, site.user)
    (label,) = printed_now(session, zebra, worker, 1)
    assert len(zebra.printed) == 1 and one_format_each([label])
    assert b"~JR" not in label and b"^PQ99" not in label and b"^PQ1\n" in label
    assert "Носки _5EXZ_7EJR_5EXA_5EPQ99".encode() in label
    assert decode_all(label) == [("EAN13", EAN)]


def test_a_printer_of_another_size_gets_the_largest_layout_that_fits(session, site, zebra, worker):
    warehouse = f.make_warehouse(session)
    odd = f.make_printer(session, warehouse, zebra.address, dpi=300, label_width_mm=80)
    odd.label_height_mm = 125
    product = f.make_product(session, "Кабель USB-C 1 м", EAN)
    queued = own_labels.queue_product_labels(session, product.id, odd.id, 1, site.user)
    assert (queued.size.width_mm, queued.size.height_mm, queued.size.exact) == (75, 120, False)
    (label,) = printed_now(session, zebra, worker, 1)
    assert b"^PW900" in label and b"^LL1440" in label  # 75×120 mm at 12 dots/mm
    assert decode_all(label, 300) == [("EAN13", EAN)]
    job = session.get_one(PrintJob, queued.job.id)
    assert job.events[0].detail.endswith("layout 75×120 mm on 80×125 mm labels")


def test_bad_input_is_refused_and_nothing_is_sent(session, site, zebra, worker):
    product = f.make_product(session, "Футболка", EAN)
    wrong_digit = f.make_product(session, "Кружка", "4601234567894")
    warehouse = f.make_warehouse(session)
    tiny = f.make_printer(session, warehouse, zebra.address, label_width_mm=50)
    off = f.make_printer(session, warehouse, zebra.address, active=False)
    cases = [
        ((999_999, site.printer_id, 1), "product_not_found"),
        ((product.id, site.printer_id, 0), "bad_copies"),
        ((product.id, site.printer_id, own_labels.MAX_COPIES + 1), "bad_copies"),
        ((product.id, off.id, 1), "printer_inactive"),
        ((product.id, tiny.id, 1), "printer_size_unknown"),
        ((product.id, 999_999, 1), "printer_not_found"),
        ((wrong_digit.id, site.printer_id, 1), "bad_product_barcode"),
    ]
    for (product_id, printer_id, copies), code in cases:
        with pytest.raises(DomainError) as refused:
            own_labels.queue_product_labels(session, product_id, printer_id, copies, site.user)
        assert refused.value.code == code
    with pytest.raises(DomainError, match="barcode_not_of_product"):
        own_labels.queue_product_labels(session, product.id, site.printer_id, 1, site.user, "1")
    session.commit()
    worker()
    assert session.scalar(select(func.count(PrintJob.id))) == 0 and zebra.printed == []


def test_all_bins_print_as_one_job_in_walk_order(session, site, zebra, worker):
    warehouse = session.get_one(Warehouse, site.warehouse_id)
    for code, walk in (("B-01-01", 2), ("A-01-01", 1), ("C-02-03", 3)):
        f.make_location(session, warehouse, code, walk)
    f.make_location(session, f.make_warehouse(session), "Z-99")  # another warehouse's
    queued = own_labels.queue_bin_labels(session, site.printer_id, None, site.user)
    printed = printed_now(session, zebra, worker, 3)
    assert one_format_each(printed) and session.get_one(PrintJob, queued.job.id).status == "printed"
    assert [decode_all(label) for label in printed] == [
        [("Code128", "LOC-A-01-01")],
        [("Code128", "LOC-B-01-01")],
        [("Code128", "LOC-C-02-03")],
    ]
    assert session.scalar(select(func.count(PrintJob.id))) == 1


def test_chosen_bins_with_one_bad_code_fail_whole_before_sending(session, site, zebra, worker):
    warehouse = session.get_one(Warehouse, site.warehouse_id)
    good = f.make_location(session, warehouse, "A-01-01", walk=1)
    bad = Location(warehouse_id=warehouse.id, code="Я-1", barcode="ЯЧЕЙКА-1", walk_order=2)
    session.add(bad)
    session.flush()
    with pytest.raises(DomainError) as refused:
        own_labels.queue_bin_labels(session, site.printer_id, [good.id, bad.id], site.user)
    assert refused.value.code == "bad_bin_code" and refused.value.params["bin"] == "ЯЧЕЙКА-1"
    for chosen, code in (([], "no_bins"), ([good.id, 999_999], "location_not_found")):
        with pytest.raises(DomainError, match=code):
            own_labels.queue_bin_labels(session, site.printer_id, chosen, site.user)
    queued = own_labels.queue_bin_labels(session, site.printer_id, [good.id], site.user)
    (label,) = printed_now(session, zebra, worker, 1)
    assert decode_all(label) == [("Code128", "LOC-A-01-01")] and queued.job.kind == "bin_labels"


def parcels_of_an_order(session, site, count: int = 2) -> list[Parcel]:
    warehouse = session.get_one(Warehouse, site.warehouse_id)
    account = f.make_account(session, warehouse)
    f.make_product(session, "Футболка", EAN)
    order = f.import_order(session, account, "WB-9001", (EAN, 1))
    parcels = [Parcel(order_id=order.id, number=n) for n in range(1, count + 1)]
    session.add_all(parcels)
    session.flush()
    return parcels


def test_box_labels_carry_valid_ssccs_that_are_never_issued_twice(session, site, zebra, worker):
    first, second = parcels_of_an_order(session, site)
    one = own_labels.queue_box_label(session, first.id, site.printer_id, site.user, GS1)
    two = own_labels.queue_box_label(session, second.id, site.printer_id, site.user, GS1)
    printed = printed_now(session, zebra, worker, 2)
    decoded = [decode_all(label) for label in printed]
    assert decoded == [[("Code128", "00" + one.sscc)], [("Code128", "00" + two.sscc)]]
    for code in (one.sscc, two.sscc):
        assert re.fullmatch(r"39529999\d{9}\d", code) and barcodes.is_valid(
            code, barcodes.Kind.SSCC
        )
    assert one.sscc != two.sscc and {one.sscc[-10:-1], two.sscc[-10:-1]} == {
        "000000001",
        "000000002",
    }
    assert b"WB WB-9001" in printed[0] and b"1 / 2" in printed[0] and b"2 / 2" in printed[1]

    again = own_labels.queue_box_label(session, first.id, site.printer_id, site.user, GS1)
    assert again.sscc == one.sscc  # the same box keeps its SSCC
    task = PickTask(warehouse_id=site.warehouse_id, order_id=first.order_id, tote="TOTE-07")
    session.add(task)
    session.flush()
    tote = own_labels.queue_tote_label(session, task.id, site.printer_id, site.user, GS1)
    printed = printed_now(session, zebra, worker, 4)
    assert decode_all(printed[3]) == [("Code128", "00" + tote.sscc)]
    assert tote.sscc not in (one.sscc, two.sscc) and b"TOTE-07" in printed[3]
    issued = session.scalars(select(IssuedSscc).order_by(IssuedSscc.serial)).all()
    assert [row.serial for row in issued] == [1, 2, 3]
    assert issued[0].print_job_id == again.job.id and issued[2].tote == "TOTE-07"


def test_the_database_refuses_a_serial_issued_twice(session, site):
    (parcel,) = parcels_of_an_order(session, site, count=1)
    issued = sscc.for_parcel(session, GS1, parcel, site.user)
    session.commit()
    session.add(
        IssuedSscc(
            code=barcodes.sscc(4, GS1.company_prefix, issued.serial),
            company_prefix=GS1.company_prefix,
            extension=4,
            serial=issued.serial,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_no_sscc_without_the_sellers_gs1_prefix(session, site, zebra, worker):
    (parcel,) = parcels_of_an_order(session, site, count=1)
    with pytest.raises(DomainError, match="sscc_needs_prefix"):
        own_labels.queue_box_label(session, parcel.id, site.printer_id, site.user, sscc.Gs1(""))
    session.commit()
    worker()
    assert session.scalar(select(func.count(IssuedSscc.id))) == 0 and zebra.printed == []


def test_a_prefix_whose_serials_are_used_up_is_refused(session, site):
    (parcel,) = parcels_of_an_order(session, site, count=1)
    long_prefix = sscc.Gs1("952999999999")  # 12 digits leave 4 for the serial
    session.add(
        IssuedSscc(
            code=barcodes.sscc(0, long_prefix.company_prefix, 9999),
            company_prefix=long_prefix.company_prefix,
            extension=0,
            serial=9999,
        )
    )
    with pytest.raises(DomainError, match="sscc_exhausted"):
        own_labels.queue_box_label(session, parcel.id, site.printer_id, site.user, long_prefix)


def test_supply_labels_as_code128_and_qr(session, site, zebra, worker):
    warehouse = session.get_one(Warehouse, site.warehouse_id)
    account = f.make_account(session, warehouse)
    supply = HandOver(
        account_id=account.id, ship_date=date(2026, 12, 5), external_id="WB-GI-1234567"
    )
    session.add(supply)
    session.flush()
    own_labels.queue_supply_label(session, supply.id, site.printer_id, "code128", site.user)
    own_labels.queue_supply_label(session, supply.id, site.printer_id, "qr", site.user)
    linear, square = printed_now(session, zebra, worker, 2)
    assert decode_all(linear) == [("Code128", "WB-GI-1234567")]
    assert decode_all(square) == [("QRCode", "WB-GI-1234567")]
    assert b"Wildberries" in linear and one_format_each([linear, square])
    with pytest.raises(DomainError, match="bad_symbol"):
        own_labels.queue_supply_label(session, supply.id, site.printer_id, "pdf417", site.user)
    with pytest.raises(DomainError, match="supply_not_found"):
        own_labels.queue_supply_label(session, 999_999, site.printer_id, "qr", site.user)


def test_label_size_is_the_printers_own_when_a_layout_exists(session, site):
    printer = session.get_one(Printer, site.printer_id)
    for loaded, used in (((58, 40), (58, 40)), ((100, 150), (100, 150)), ((105, 160), (100, 150))):
        printer.label_width_mm, printer.label_height_mm = loaded
        size = own_labels.label_size(printer)
        assert (size.width_mm, size.height_mm) == used and size.exact == (loaded == used)


PRODUCTION = {
    "ENV": "production",
    "DATABASE_URL": "sqlite://",
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "SECRET_KEY": "s",
    "CREDENTIALS_KEY": "k",
}


def test_gs1_prefix_comes_from_the_environment_as_digits(monkeypatch):
    from warehouse import create_app
    from warehouse.infra import config

    monkeypatch.delenv("WAREHOUSE_GS1_COMPANY_PREFIX", raising=False)
    assert create_app(PRODUCTION).config["GS1_COMPANY_PREFIX"] == ""  # never invented
    demo = create_app({**PRODUCTION, "ENV": "demo"})
    assert demo.config["GS1_COMPANY_PREFIX"] == config.DEMO_GS1_COMPANY_PREFIX
    for given, kept in (("4601234", "4601234"), ("0614141", "0614141")):
        monkeypatch.setenv("WAREHOUSE_GS1_COMPANY_PREFIX", given)  # 4601234 parses as a number
        assert create_app(PRODUCTION).config["GS1_COMPANY_PREFIX"] == kept
    for bad in ({"GS1_COMPANY_PREFIX": "46-01"}, {"GS1_SSCC_EXTENSION": 10}):
        with pytest.raises(config.ConfigError, match="GS1"):
            create_app({**PRODUCTION, **bad})


def test_two_requests_racing_for_a_serial_both_get_one(app, session, site):
    """The second request's serial is taken by the first (still uncommitted) one: it waits,
    hits the UNIQUE constraint, and takes the next serial."""
    first, second = parcels_of_an_order(session, site)
    session.commit()
    parcel_ids = (first.id, second.id)
    issued: dict[int, str] = {}

    def other_request() -> None:
        with app.app_context():
            other = db.session()
            row = sscc.for_parcel(other, GS1, other.get_one(Parcel, parcel_ids[1]), None)
            other.commit()
            issued[parcel_ids[1]] = row.code

    mine = sscc.for_parcel(session, GS1, session.get_one(Parcel, parcel_ids[0]), None)
    racing = threading.Thread(target=other_request)
    racing.start()
    racing.join(1.0)  # it is blocked on our uncommitted serial
    session.commit()
    racing.join(30)
    assert not racing.is_alive()
    assert mine.serial == 1 and issued[parcel_ids[1]][-10:-1] == "000000002"


def test_tote_labels_are_printed_from_the_desk(app, client, zebra, worker):
    """Totes carry TOTE-… barcodes (batch picking, the pack table): the desk prints them."""
    from tests.conftest import CREDENTIALS_KEY
    from tests.test_settings import login_admin
    from warehouse import demo
    from warehouse.infra import db
    from warehouse.models import Printer

    with app.app_context():
        demo.load(
            db.session(),
            public_url="http://x",
            credentials_key=CREDENTIALS_KEY,
            printer=zebra.address,
        )
        db.session().commit()
        printer_id = db.session().scalar(select(Printer.id))
    login_admin(client)
    page = client.get("/labels/totes")
    assert page.status_code == 200 and "TOTE-" in page.get_data(as_text=True)
    printed = client.post(
        "/labels/totes", data={"first": "7", "count": "3", "printer_id": printer_id}
    )
    assert printed.status_code == 302
    worker()
    sheet = b"".join(zebra.wait_for_labels(3))
    assert all(code in sheet for code in (b"TOTE-007", b"TOTE-008", b"TOTE-009"))
    assert (
        client.post(
            "/labels/totes", data={"first": "1", "count": "0", "printer_id": printer_id}
        ).status_code
        == 422
    )
