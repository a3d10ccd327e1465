"""Hand-overs: packed orders join the pickup of their day, the loader's scans, closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests import factories as f
from tests.test_pack_lookup import MUG, SHIRT, picked
from warehouse.errors import DomainError
from warehouse.floor import packing
from warehouse.infra import db
from warehouse.labels import own_labels, sscc
from warehouse.models import HandOver, HandOverEvent, Order, OutboxCommand, Parcel
from warehouse.orders import intake
from warehouse.shipping import closing, documents, handovers


@pytest.fixture
def site(session):
    return make_site(session)


def make_site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    other = f.make_account(session, warehouse)
    other.kind, other.name = "ozon", "Ozon test"
    shelf = f.make_location(session, warehouse, "A-01", walk=1)
    f.put_stock(session, f.make_product(session, "Shirt", SHIRT), shelf, 50)
    f.put_stock(session, f.make_product(session, "Mug", MUG), shelf, 50)
    printer = f.make_printer(
        session, warehouse, ("127.0.0.1", 9), label_width_mm=75, label_height_mm=120
    )
    return {
        "account": account,
        "other": other,
        "picker": f.make_picker(session),
        "boss": f.make_supervisor(session),
        "printer": printer,
    }


def packed(session, site, external_id, *, account=None, label=True, ship_in_hours=None):
    """An order picked and packed; ``label``: its marketplace sticker was printed."""
    if account is not None:
        site = {**site, "account": account}
    task = picked(session, site, external_id, (SHIRT, 1), ship_in_hours=ship_in_hours)
    packing.pack_task(session, task.id, site["picker"], site["printer"].id)
    order = task.order
    if label:
        parcel = session.scalar(select(Parcel).where(Parcel.order_id == order.id))
        parcel.label_barcode = f"STICKER-{external_id}"
        order.status = "labelled"
    session.flush()
    return order


def test_packed_orders_join_one_open_pickup_per_cabinet_and_day(session, site):
    first = packed(session, site, "wb-1")
    second = packed(session, site, "wb-2")
    tomorrow = packed(session, site, "wb-3", ship_in_hours=36)
    elsewhere = packed(session, site, "oz-1", account=site["other"])
    assert first.handover_id == second.handover_id
    today = session.get(HandOver, first.handover_id)
    assert (today.ship_date, today.status) == (handovers.today(), "open")
    assert session.get(HandOver, tomorrow.handover_id).ship_date > today.ship_date
    assert elsewhere.handover_id not in (first.handover_id, tomorrow.handover_id)
    # the database keeps one open pickup per cabinet and day
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(HandOver(account_id=site["account"].id, ship_date=today.ship_date))
        session.flush()


def test_the_loader_loads_each_parcel_once_and_sees_how_far_it_is(session, site):
    a, b = packed(session, site, "wb-1"), packed(session, site, "wb-2")
    loader = site["picker"]
    loaded = handovers.load(session, a.handover_id, " STICKER-wb-1 ", loader, "s-1")
    assert (loaded.order, loaded.progress.loaded, loaded.progress.orders) == (a, 1, 2)
    assert loaded.parcel.loaded_by_id == loader.id
    # the ТСД resends a scan whose answer it lost: the same answer, nothing twice
    again = handovers.load(session, a.handover_id, "STICKER-wb-1", loader, "s-1")
    assert (again.order, again.progress.loaded) == (a, 1)
    # a second scan of the same parcel is refused with who loaded it
    with pytest.raises(DomainError) as twice:
        handovers.load(session, a.handover_id, "STICKER-wb-1", loader, "s-2")
    assert (twice.value.code, twice.value.params["who"]) == ("parcel_already_loaded", "Picker")
    assert handovers.progress(session, session.get(HandOver, b.handover_id)).loaded == 1


def test_an_sscc_box_label_loads_its_parcel(session, site, app):
    order = packed(session, site, "wb-1")
    parcel = session.scalar(select(Parcel).where(Parcel.order_id == order.id))
    gs1 = sscc.Gs1(company_prefix="4601234", extension=0)
    issued = sscc.for_parcel(session, gs1, parcel, site["picker"])
    loaded = handovers.load(session, order.handover_id, "00" + issued.code, site["picker"])
    assert loaded.parcel.id == parcel.id
    # our order label (the order's number) names the parcel of a one-parcel order
    other = packed(session, site, "wb-2", label=False)
    by_number = handovers.load(session, other.handover_id, "wb-2", site["picker"])
    assert by_number.order == other


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unknown", "parcel_unknown"),
        ("other_account", "parcel_other_account"),
        ("cancelled", "parcel_cancelled"),
        ("not_packed", "parcel_not_packed"),
        ("other_pickup", "parcel_other_handover"),
    ],
)
def test_a_wrong_parcel_is_refused_with_the_reason_and_kept_in_the_history(
    session, site, case, code
):
    mine = packed(session, site, "wb-1")
    scanned = {
        "unknown": lambda: "NOPE-1",
        "other_account": lambda: (
            packed(session, site, "oz-1", account=site["other"]) and "STICKER-oz-1"
        ),
        "cancelled": lambda: _cancelled(session, site),
        "not_packed": lambda: _unlabelled_unpacked(session, site),
        "other_pickup": lambda: packed(session, site, "wb-9", ship_in_hours=40) and "STICKER-wb-9",
    }[case]()
    with pytest.raises(DomainError) as refused:
        handovers.load(session, mine.handover_id, scanned, site["picker"], "s-1")
    assert refused.value.code == code
    kinds = session.scalars(
        select(HandOverEvent.kind).where(HandOverEvent.handover_id == mine.handover_id)
    ).all()
    assert "refused" in kinds
    assert handovers.progress(session, session.get(HandOver, mine.handover_id)).loaded == 0


def _cancelled(session, site):
    order = packed(session, site, "wb-c")
    order.status = "cancelled"
    return "STICKER-wb-c"


def _unlabelled_unpacked(session, site):
    order = packed(session, site, "wb-u")
    order.status = "picked"  # e.g. sent back to the table: not packed now
    return "STICKER-wb-u"


def test_closing_with_parcels_missing_asks_and_leave_moves_them_to_the_next_pickup(session, site):
    a, b = packed(session, site, "wb-1"), packed(session, site, "wb-2")
    boss = site["boss"]
    handovers.load(session, a.handover_id, "STICKER-wb-1", site["picker"])
    with pytest.raises(DomainError) as asked:
        handovers.close(session, a.handover_id, boss)
    assert (asked.value.code, asked.value.params) == ("handover_missing", {"missing": "1"})
    kept = handovers.close(session, a.handover_id, boss, "stop")
    assert kept.status == "open"
    closed = handovers.close(session, a.handover_id, boss, "leave", site["printer"].id)
    assert closed.status == "closing"
    later = session.get(HandOver, b.handover_id)
    assert later.id != closed.id and later.ship_date > closed.ship_date and later.is_open
    assert [order.id for order in handovers.left_out_orders(session, closed)] == [b.id]
    assert [order.id for order in handovers.loaded_orders(session, closed)] == [a.id]
    command = closing.command_of(session, closed)
    assert (command.kind, command.payload, command.order_id) == (
        "hand_over",
        {"handover_id": closed.id},
        None,
    )
    with pytest.raises(DomainError) as again:
        handovers.close(session, closed.id, boss)
    assert again.value.code == "handover_not_open"


def test_nothing_loaded_is_not_closed(session, site):
    order = packed(session, site, "wb-1")
    with pytest.raises(DomainError) as empty:
        handovers.close(session, order.handover_id, site["boss"], "leave")
    assert empty.value.code == "handover_empty"
    assert session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "hand_over")) is None


def test_when_the_marketplace_has_it_orders_are_handed_over_until_it_says_shipped(
    session, site, monkeypatch
):
    """The dispatcher around a marketplace's handler: a refusal marks the pickup failed;
    success closes it, hands its orders over and prints its ZPL papers."""
    order = packed(session, site, "wb-1")
    handovers.load(session, order.handover_id, "STICKER-wb-1", site["picker"])
    handover = handovers.close(session, order.handover_id, site["boss"], "", site["printer"].id)
    command = closing.command_of(session, handover)
    calls = []
    with pytest.raises(closing.TransientError):  # the order's pack is not at WB yet
        closing.deliver(session, None, command)
    for earlier in session.scalars(select(OutboxCommand).where(OutboxCommand.id < command.id)):
        earlier.status = "done"

    def refuses(session_, client, handover_):
        raise closing.RejectedError("supply is empty", code="SupplyHasZeroOrders")

    def answers(session_, client, handover_):
        calls.append(handover_.id)
        handover_.marketplace_state = "delivered"
        documents.keep(
            session_, handover_, "supply_qr", b"^XA^BQN^FDQA,WB-GI-1^FS^XZ", documents.ZPL
        )

    monkeypatch.setitem(closing.HANDLERS, "wb", refuses)
    with pytest.raises(closing.RejectedError):
        closing.deliver(session, None, command)
    assert handover.status == "failed"
    monkeypatch.setitem(closing.HANDLERS, "wb", answers)
    closing.deliver(session, None, command)
    closing.deliver(session, None, command)  # delivered twice: the marketplace is told once
    assert calls == [handover.id]
    assert (handover.status, order.status) == ("closed", "handed_over")
    events = session.scalars(
        select(HandOverEvent.kind).where(HandOverEvent.handover_id == handover.id)
    ).all()
    assert {"failed", "closed", "printed"} <= set(events)
    table = {"complete": "shipped", "cancel": "cancelled", "sold": "delivered"}
    intake.apply_marketplace_status(session, order, "cancel", table)  # too late to cancel
    assert order.status == "handed_over"
    intake.apply_marketplace_status(session, order, "complete", table)
    assert order.status == "shipped"


def test_a_supervisor_opens_a_pickup_for_a_later_day(session, site):
    day = handovers.today() + timedelta(days=2)
    made = handovers.open_for(session, site["account"], day)
    assert handovers.open_for(session, site["account"], day) is made
    assert handovers.cutoff(made).date() == day
    assert handovers.find(session, f"HO{made.id}") is made


def test_the_loader_and_the_supervisor_on_their_pages(app, client):
    """ТСД: choose the pickup by its label, scan, «N из M», finish with a decision; desk:
    the list, the pickup's page with what is wrong with each parcel, closing."""
    with app.app_context():
        session = db.session()
        site = make_site(session)
        a, b = packed(session, site, "wb-1"), packed(session, site, "wb-2")
        cancelled = packed(session, site, "wb-3")
        cancelled.status = "cancelled"
        handover_id, b_id, printer_id = a.handover_id, b.id, site["printer"].id
        session.commit()
    assert client.get(f"/tsd/loading/{handover_id}").status_code == 302  # log in first
    client.post("/tsd/login", data={"badge": "B-1"})
    listing = client.get("/tsd/loading").get_data(as_text=True)
    assert f"HO{handover_id}" in listing and "0 из 2" in listing
    chosen = client.post("/tsd/loading", data={"code": f"HO{handover_id}"})
    assert chosen.headers["Location"].endswith(f"/tsd/loading/{handover_id}")
    assert client.post("/tsd/loading", data={"code": "HO999999"}).status_code == 422
    ok = client.post(
        f"/tsd/loading/{handover_id}/scan", data={"barcode": "STICKER-wb-1", "scan_id": "x1"}
    )
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "wb-1" in body and "1 из 2" in body
    wrong = client.post(
        f"/tsd/loading/{handover_id}/scan", data={"barcode": "STICKER-wb-3", "scan_id": "x2"}
    )
    assert wrong.status_code == 422 and "ОТМЕНЁН" in wrong.get_data(as_text=True)
    assert (
        client.post("/tsd/loading/999999/scan", data={"barcode": "1", "scan_id": "x3"}).status_code
        == 404
    )
    finish = client.post(f"/tsd/loading/{handover_id}/finish")
    assert finish.headers["Location"].endswith(f"/tsd/loading/{handover_id}?finish=1")
    asked = client.get(finish.headers["Location"]).get_data(as_text=True)
    assert "wb-2" in asked and "Оставить" in asked
    client.post(f"/tsd/loading/{handover_id}/finish", data={"decision": "leave"})
    with app.app_context():
        assert db.session().get(Order, b_id).handover_id != handover_id

    client.post("/tsd/logout")
    client.post("/login", data={"login": "boss", "password": "boss"})
    desk = client.get("/handovers").get_data(as_text=True)
    assert f"HO{handover_id}" in desk
    page = client.get(f"/handovers/{handover_id}").get_data(as_text=True)
    assert "отменён: снимите с машины" in page and "Закрыть отгрузку" in page
    closed = client.post(f"/handovers/{handover_id}/close", data={"printer_id": printer_id})
    assert closed.status_code == 302
    after = client.get(f"/handovers/{handover_id}").get_data(as_text=True)
    assert "сообщаем маркетплейсу" in after
    assert client.get("/handovers/999999").status_code == 404
    assert client.get(f"/handovers/{handover_id}/documents/999999").status_code == 404


def test_a_pickup_without_a_marketplace_number_gets_a_label_the_loader_can_scan(session, site):
    made = handovers.open_for(session, site["other"], handovers.today())
    queued = own_labels.queue_supply_label(
        session, made.id, site["printer"].id, "code128", site["boss"]
    )
    assert f"HO{made.id}".encode() in queued.job.content
    assert handovers.find(session, f"HO{made.id}") is made
