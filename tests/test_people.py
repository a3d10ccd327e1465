"""People (#13 items 6 and 7): packer and loader roles, a person with several ТСД roles, the
staff's PIN reset and «end the session» ending sessions on other devices, deactivation, a
person's history and figures, their badge on a Zebra — each asked for with a confirmation
and kept with who did it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests import factories as f
from tests.printers.decode import decode_all
from warehouse.infra import db
from warehouse.infra.credentials import pin_digest
from warehouse.models import (
    HandOver,
    HandOverEvent,
    Parcel,
    PickTask,
    PrintJob,
    ScanEvent,
    StaffEvent,
    User,
    UserRole,
)
from warehouse.shipping.handovers import LOCAL
from warehouse.staff import people

HX = {"HX-Request": "true"}
MISSING = 987654321
SHIRT = "4601234567893"


def add_person(app, badge: str, role: str, *more: str, pin: str | None = None) -> int:
    with app.app_context():
        person = User(name=badge.title(), role=role, badge=badge)
        person.extra_roles = [UserRole(role=r) for r in more]
        if pin:
            person.pin_digest = pin_digest(pin, app.config["SECRET_KEY"])
        db.session().add(person)
        db.session().commit()
        return person.id


def tsd(app, badge: str, pin: str | None = None):
    client = app.test_client()
    answer = client.post("/tsd/login", data={"badge": badge})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    if pin:
        answer = client.post("/tsd/login/pin", data={"pin": pin})
        assert answer.status_code == 302
    return client, answer.headers["Location"]


def desk(app, login: str = "boss", role: str = "admin"):
    with app.app_context():
        if db.session().scalar(select(User.id).where(User.login == login)) is None:
            f.make_supervisor(db.session(), login=login, password=login, role=role)
            db.session().commit()
    client = app.test_client()
    assert client.post("/login", data={"login": login, "password": login}).status_code == 302
    return client


@pytest.fixture
def task_id(app) -> int:
    """A WB order of two shirts waiting to be picked in bin A-01."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        shirt = f.make_product(s, "Футболка", SHIRT)
        f.put_stock(s, shirt, f.make_location(s, warehouse, "A-01"), 5)
        order = f.import_order(s, account, "wb-1", (SHIRT, 2))
        s.commit()
        return s.scalar(select(PickTask.id).where(PickTask.order_id == order.id))


def pick_all(client, task_id: int) -> None:
    client.post(f"/tsd/tasks/{task_id}/start")
    for n, code in enumerate(("LOC-A-01", SHIRT, SHIRT)):
        answer = client.post(f"/tsd/tasks/{task_id}/scan", data={"barcode": code, "scan_id": n})
        assert answer.status_code == 200, answer.get_data(as_text=True)


# --- roles --------------------------------------------------------------------------------


def test_a_packer_cannot_pick_and_lands_on_the_pack_station(app, task_id):
    add_person(app, "PACKER-1", "packer")
    packer, landing = tsd(app, "PACKER-1")
    assert landing == "/tsd/pack"
    home = packer.get("/tsd/").get_data(as_text=True)
    assert "Упаковка: сканировать заказ" in home and "Следующее задание" not in home
    assert "Погрузка" not in home and "Перемещение" not in home
    for method, url in (
        ("POST", "/tsd/next"),
        ("POST", f"/tsd/tasks/{task_id}/start"),
        ("GET", f"/tsd/tasks/{task_id}"),
        ("POST", "/tsd/batches"),
        ("GET", "/tsd/moves"),
        ("GET", "/tsd/receiving"),
    ):
        refused = packer.open(url, method=method)
        assert refused.status_code == 403, url
        assert "Это не ваша работа" in refused.get_data(as_text=True)
    scan = packer.post(
        f"/tsd/tasks/{task_id}/scan", data={"barcode": "x", "scan_id": "1"}, headers=HX
    )
    assert scan.status_code == 403 and 'id="feedback"' in scan.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(PickTask, task_id).status == "open"  # nothing was taken
    assert packer.get("/tsd/pack").status_code == 200


def test_a_loader_cannot_pack_and_lands_on_loading(app, task_id):
    add_person(app, "LOADER-1", "loader")
    loader, landing = tsd(app, "LOADER-1")
    assert landing == "/tsd/loading"
    assert loader.get("/tsd/loading").status_code == 200
    for method, url in (("GET", "/tsd/pack"), ("POST", "/tsd/pack"), ("GET", "/tsd/next")):
        assert loader.open(url, method=method).status_code in (403, 405), url
    refused = loader.post("/tsd/pack", data={"order": "wb-1"})
    assert refused.status_code == 403 and "упаковка" in refused.get_data(as_text=True)


def test_a_picker_alone_cannot_pack_what_they_picked(app, task_id):
    add_person(app, "PICKER-1", "picker")
    picker, landing = tsd(app, "PICKER-1")
    assert landing == "/tsd/"
    pick_all(picker, task_id)
    page = picker.get(f"/tsd/tasks/{task_id}").get_data(as_text=True)
    assert "Упаковать и напечатать этикетку" not in page  # the packer's, not theirs
    assert picker.get(f"/tsd/tasks/{task_id}/pack").status_code == 403
    assert picker.get("/tsd/loading").status_code == 403
    assert picker.get("/tsd/moves").status_code == 200  # goods-in work is a picker's


def test_a_picker_who_also_packs_does_both(app, task_id):
    add_person(app, "BOTH-1", "picker", "packer")
    both, landing = tsd(app, "BOTH-1")
    assert landing == "/tsd/"  # two kinds of work: the home offers both
    home = both.get("/tsd/").get_data(as_text=True)
    assert "Следующее задание" in home and "Упаковка: сканировать заказ" in home
    pick_all(both, task_id)
    page = both.get(f"/tsd/tasks/{task_id}").get_data(as_text=True)
    assert "Упаковать и напечатать этикетку" in page
    assert both.get(f"/tsd/tasks/{task_id}/pack").status_code == 200
    assert both.get("/tsd/loading").status_code == 403  # not a loader


def test_the_database_keeps_further_roles_to_the_tsd_and_each_once(app):
    person_id = add_person(app, "P-1", "picker", "packer")
    with app.app_context():
        s = db.session()
        for role in ("supervisor", "admin", "boss"):
            s.add(UserRole(user_id=person_id, role=role))
            with pytest.raises(IntegrityError):
                s.flush()
            s.rollback()
        s.add(UserRole(user_id=person_id, role="packer"))
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()
        s.add(User(name="No badge", role="loader"))  # the ТСД's people log in by badge
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()
        assert db.session().get(User, person_id).roles == {"picker", "packer"}


def test_the_staff_page_adds_a_person_with_several_roles_and_changes_them(app):
    client = desk(app, "chief", "supervisor")
    with app.app_context():
        f.make_warehouse(db.session())
        db.session().commit()
    page = client.get("/users").get_data(as_text=True)
    assert 'name="roles" value="packer"' in page and 'name="roles" value="loader"' in page
    form = {"name": "Ольга", "badge": "B-77", "pin": "4321", "roles": ["packer", "loader"]}
    assert client.post("/users", data=form).status_code == 302
    with app.app_context():
        olga = db.session().scalar(select(User).where(User.badge == "B-77"))
        assert (olga.role, olga.roles) == ("packer", {"packer", "loader"})
        olga_id = olga.id
    assert "упаковщик, грузчик" in client.get("/users").get_data(as_text=True)
    none = client.post(f"/users/{olga_id}/roles", data={})
    assert none.status_code == 422 and "Отметьте хотя бы одну роль" in none.get_data(as_text=True)
    grab = client.post(f"/users/{olga_id}/roles", data={"roles": ["picker", "admin"]})
    assert grab.status_code == 422
    assert client.post(f"/users/{olga_id}/roles", data={"roles": ["picker"]}).status_code == 302
    with app.app_context():
        assert db.session().get(User, olga_id).roles == {"picker"}
        events = (
            db.session()
            .scalars(
                select(StaffEvent).where(StaffEvent.user_id == olga_id).order_by(StaffEvent.id)
            )
            .all()
        )
        assert [(e.kind, e.detail, e.by.login) for e in events] == [
            ("created", "packer,loader", "chief"),
            ("roles_changed", "picker", "chief"),
        ]


def test_a_supervisor_cannot_change_a_desk_persons_roles_or_sessions(app):
    client = desk(app, "chief", "supervisor")
    desk(app, "boss", "admin")
    with app.app_context():
        boss = db.session().scalar(select(User.id).where(User.login == "boss"))
    assert client.post(f"/users/{boss}/roles", data={"roles": ["picker"]}).status_code == 403
    assert client.post(f"/users/{boss}/sessions/end").status_code == 403
    assert client.post(f"/users/{boss}/pin", data={"pin": "1234"}).status_code == 403
    page = client.get(f"/users/{boss}")
    assert page.status_code == 200 and 'id="end-session"' not in page.get_data(as_text=True)


# --- sessions ended from the desk ----------------------------------------------------------


def test_the_desk_ends_a_pickers_session_on_both_devices(app, task_id):
    """Two terminals logged in as one picker; the supervisor ends the session: the next scan
    of each lands on the login page, saying who ended it and when."""
    picker_id = add_person(app, "PICKER-1", "picker", pin="1111")
    first, _ = tsd(app, "PICKER-1", "1111")
    second, _ = tsd(app, "PICKER-1", "1111")
    first.post(f"/tsd/tasks/{task_id}/start")
    boss = desk(app)
    page = boss.get(f"/users/{picker_id}").get_data(as_text=True)
    assert re.search(r'<form id="end-session"[^>]*data-confirm="[^"]*Завершить сеанс', page)
    before = datetime.now(LOCAL).strftime("%H:%M")
    ended = boss.post(f"/users/{picker_id}/sessions/end", follow_redirects=True)
    assert "Сеансы сотрудника Picker-1 завершены" in ended.get_data(as_text=True)
    scan = first.post(
        f"/tsd/tasks/{task_id}/scan", data={"barcode": "LOC-A-01", "scan_id": "s1"}, headers=HX
    )
    assert scan.status_code == 401 and scan.headers["HX-Redirect"] == "/tsd/login"
    login = first.get("/tsd/login").get_data(as_text=True)
    said = re.search(r"Ваш сеанс завершил\(а\) Boss в (\d\d:\d\d)\. Войдите снова", login)
    assert said is not None and said.group(1) >= before
    assert "Ваш сеанс" not in first.get("/tsd/login").get_data(as_text=True)  # said once
    assert second.get("/tsd/").headers["Location"] == "/tsd/login"
    with app.app_context():
        assert db.session().get(PickTask, task_id).items[0].picked == 0  # the scan counted nothing
    again, _ = tsd(app, "PICKER-1", "1111")  # logging in again works at once
    assert again.get("/tsd/").status_code == 200
    assert boss.get("/users").status_code == 200  # the desk's own session goes on


def test_a_pin_reset_ends_the_sessions_and_only_the_new_pin_works(app):
    picker_id = add_person(app, "PICKER-1", "picker", pin="1111")
    device, _ = tsd(app, "PICKER-1", "1111")
    boss = desk(app, "chief", "supervisor")
    page = boss.get(f"/users/{picker_id}").get_data(as_text=True)
    assert re.search(r'<form id="pin-form"[^>]*data-confirm="[^"]*новый PIN', page)
    bad = boss.post(f"/users/{picker_id}/pin", data={"pin": "12"})
    assert bad.status_code == 422 and "PIN — от" in bad.get_data(as_text=True)
    assert device.get("/tsd/").status_code == 200  # a refused reset ends nothing
    assert boss.post(f"/users/{picker_id}/pin", data={"pin": "2222"}).status_code == 302
    assert device.get("/tsd/").headers["Location"] == "/tsd/login"
    assert "Ваш PIN сменил(а) Chief" in device.get("/tsd/login").get_data(as_text=True)
    device.post("/tsd/login", data={"badge": "PICKER-1"})
    assert device.post("/tsd/login/pin", data={"pin": "1111"}).status_code == 422
    assert device.post("/tsd/login/pin", data={"pin": "2222"}).status_code == 302
    with app.app_context():
        kinds = (
            db.session()
            .scalars(select(StaffEvent.kind).where(StaffEvent.user_id == picker_id))
            .all()
        )
        assert kinds == ["pin_reset"]


def test_a_new_pin_typed_in_the_edit_form_ends_the_sessions_too(app):
    picker_id = add_person(app, "PICKER-1", "picker", pin="1111")
    device, _ = tsd(app, "PICKER-1", "1111")
    boss = desk(app)
    edit = {"name": "Пётр", "badge": "PICKER-1", "pin": ""}
    assert boss.post(f"/users/{picker_id}", data=edit).status_code == 302
    assert device.get("/tsd/").status_code == 200  # a name changed: the session goes on
    assert boss.post(f"/users/{picker_id}", data=edit | {"pin": "3333"}).status_code == 302
    assert device.get("/tsd/").headers["Location"] == "/tsd/login"


def test_deactivation_ends_the_sessions_and_says_so(app):
    picker_id = add_person(app, "PICKER-1", "packer")
    device, _ = tsd(app, "PICKER-1")
    boss = desk(app)
    listing = boss.get("/users").get_data(as_text=True)
    assert re.search(r'data-confirm="Отключить Picker-1\?', listing)
    assert boss.post(f"/users/{picker_id}/active", data={"active": "0"}).status_code == 302
    assert device.get("/tsd/pack").headers["Location"] == "/tsd/login"
    assert "Вас отключил(а) Boss" in device.get("/tsd/login").get_data(as_text=True)
    assert device.post("/tsd/login", data={"badge": "PICKER-1"}).status_code == 422
    boss.post(f"/users/{picker_id}/active", data={"active": "1"})
    assert device.post("/tsd/login", data={"badge": "PICKER-1"}).status_code == 302


def test_a_desk_session_ended_shows_the_reason_on_the_desk_login(app):
    desk(app, "chief", "supervisor")
    chief = app.test_client()
    chief.post("/login", data={"login": "chief", "password": "chief"})
    boss = desk(app)
    with app.app_context():
        chief_id = db.session().scalar(select(User.id).where(User.login == "chief"))
        boss_id = db.session().scalar(select(User.id).where(User.login == "boss"))
    assert boss.post(f"/users/{chief_id}/sessions/end").status_code == 302
    assert chief.get("/").headers["Location"] == "/login"
    assert "Ваш сеанс завершил(а) Boss" in chief.get("/login").get_data(as_text=True)
    yourself = boss.post(f"/users/{boss_id}/sessions/end")
    assert yourself.status_code == 422 and "кнопкой «Выйти»" in yourself.get_data(as_text=True)


def test_missing_people_are_404(app):
    boss = desk(app)
    for method, url in (
        ("GET", f"/users/{MISSING}"),
        ("POST", f"/users/{MISSING}/pin"),
        ("POST", f"/users/{MISSING}/sessions/end"),
        ("POST", f"/users/{MISSING}/roles"),
        ("POST", f"/labels/badges/{MISSING}"),
    ):
        answer = boss.open(url, method=method, data={"pin": "1234", "printer_id": "1"})
        assert answer.status_code == 404, url


# --- history and figures ---------------------------------------------------------------------


def moscow(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=LOCAL).astimezone(UTC)


@pytest.fixture
def known_day(app):
    """A picker's Tuesday 8 December 2026 (Moscow), with a Monday and a Wednesday around it:
    picking scans with a break, a refused scan, the pack table's checks, three lines picked
    on Tuesday and one on Monday, two parcels packed (a reprint and next week's label not
    counted), three loading scans (one refused), and another person's scans beside them."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        codes = ("1001", "1002", "1003")
        for code in codes:
            product = f.make_product(s, f"P{code}", code)
            f.put_stock(s, product, f.make_location(s, warehouse, f"B-{code}"), 10)
        me = f.make_picker(s, "ME", "Я")
        other = f.make_picker(s, "OTHER", "Другой")
        tasks = [
            _task(s, account, "T-1", [("1001", 1), ("1002", 1)], me, moscow(8, 10, 11)),
            _task(s, account, "T-2", [("1001", 1), ("1003", 1)], me, moscow(8, 11, 7), short=1),
            _task(s, account, "T-3", [("1002", 1)], me, moscow(7, 10, 1)),
            _task(s, account, "T-4", [("1003", 1)], other, moscow(8, 10, 30)),
        ]
        picking = [(8, 10, 0, True), (8, 10, 5, True), (8, 10, 10, True), (8, 10, 12, False)]
        picking += [(8, 11, 0, True), (8, 11, 6, True), (7, 10, 0, True)]
        for n, (day, hour, minute, ok) in enumerate(picking):
            _scan(s, me, f"{me.id}:task:{tasks[0].id}", n, moscow(day, hour, minute), ok)
        _scan(s, me, f"{me.id}:pack:{tasks[0].id}", 50, moscow(8, 12), False)
        _scan(s, me, f"{me.id}:pack:{tasks[0].id}", 51, moscow(9, 0, 30), True)  # Wednesday
        _scan(s, other, f"{other.id}:task:{tasks[3].id}", 60, moscow(8, 10, 3), True)
        printer = f.make_printer(s, warehouse, ("127.0.0.1", 9))
        first = None
        for task, when in ((tasks[0], moscow(8, 13)), (tasks[1], moscow(8, 13, 5))):
            parcel = Parcel(order_id=task.order_id, number=1)
            s.add(parcel)
            s.flush()
            job = _job(s, printer, me, parcel.id, when)
            first = first or job
        _job(s, printer, me, first.parcel_id, moscow(8, 13, 9), reprint_of=first.id)
        _job(s, printer, me, first.parcel_id, moscow(14, 10))  # next week
        handover = HandOver(account_id=account.id, ship_date=datetime(2026, 12, 8).date())
        s.add(handover)
        s.flush()
        for kind, minute in (("loaded", 1), ("refused", 2), ("loaded", 3), ("opened", 4)):
            s.add(
                HandOverEvent(
                    handover_id=handover.id,
                    kind=kind,
                    text="x",
                    user_id=me.id if kind != "opened" else None,
                    at=moscow(8, 15, minute),
                )
            )
        s.commit()
        return me.id


def _task(s, account, external_id, lines, picker, finished, short=0) -> PickTask:
    order = f.import_order(s, account, external_id, *lines)
    task = s.scalar(select(PickTask).where(PickTask.order_id == order.id))
    task.picker_id, task.status, task.started_at, task.finished_at = (
        picker.id,
        "done",
        finished,
        finished,
    )
    for n, item in enumerate(task.items):
        if n < short:
            item.short = item.quantity
        else:
            item.picked = item.quantity
    s.flush()
    return task


def _scan(s, user, scope, n, at, ok) -> None:
    s.add(
        ScanEvent(
            scope=scope,
            scan_id=f"k{n}",
            user_id=user.id,
            barcode="x",
            ok=ok,
            code="picked" if ok else "wrong_product",
            message="",
            details={"params": {"product": "P", "picked": 1, "quantity": 1}}
            if ok
            else {"params": {"scanned": "x", "expected": "P"}},
            created_at=at,
        )
    )


def _job(s, printer, user, parcel_id, at, reprint_of=None) -> PrintJob:
    job = PrintJob(
        printer_id=printer.id,
        parcel_id=parcel_id,
        kind="marketplace_label",
        requested_by_id=user.id,
        reprint_of_id=reprint_of,
        created_at=at,
    )
    s.add(job)
    s.flush()
    return job


def test_figures_of_a_known_day_and_week(app, known_day):
    with app.app_context():
        s = db.session()
        tuesday = people.figures(s, known_day, people.Period(datetime(2026, 12, 8).date()))
        assert (tuesday.lines_picked, tuesday.picking_seconds, tuesday.parcels_packed) == (
            3,
            1080,
            2,
        )
        assert (tuesday.scans, tuesday.refused) == (10, 3)
        assert (
            tuesday.lines_per_hour == 10.0
        )  # 3 lines in 18 minutes (the 48-minute break left out)
        week = people.figures(s, known_day, people.Period(datetime(2026, 12, 10).date(), "week"))
        assert week.period.first.isoformat() == "2026-12-07" and week.period.last.day == 13
        assert (week.lines_picked, week.picking_seconds, week.parcels_packed) == (4, 1080, 2)
        assert (week.scans, week.refused) == (12, 3)
        empty = people.figures(s, known_day, people.Period(datetime(2026, 12, 1).date()))
        assert (empty.scans, empty.lines_picked, empty.lines_per_hour) == (0, 0, None)


def test_the_person_page_shows_the_figures_and_refuses_a_bad_day(app, known_day):
    boss = desk(app)
    page = boss.get(f"/users/{known_day}?day=2026-12-08&span=day").get_data(as_text=True)
    for kpi, value in (("lines", "3"), ("time", "0:18"), ("per-hour", "10.0"), ("packed", "2")):
        assert f'data-kpi="{kpi}">{value}</td>' in page, kpi
    assert 'data-kpi="scans">10</td>' in page and 'data-kpi="refused">3</td>' in page
    week = boss.get(f"/users/{known_day}?day=2026-12-08&span=week").get_data(as_text=True)
    assert 'data-kpi="scans">12</td>' in week and "07.12.2026 – 13.12.2026" in week
    bad = boss.get(f"/users/{known_day}?day=08.12.2026")
    assert bad.status_code == 422 and "Выберите день" in bad.get_data(as_text=True)


def test_history_is_newest_first_and_paged(app, known_day, monkeypatch):
    monkeypatch.setattr(people, "PAGE", 5)
    with app.app_context():
        s = db.session()
        first = people.history(s, known_day)
        assert first.more and len(first.lines) == 5
        assert [line.kind for line in first.lines] == [
            "print",  # next week's label
            "scan",  # Wednesday 00:30, the pack table
            "handover",
            "handover",
            "handover",
        ]
        everything = []
        page = 0
        while True:
            found = people.history(s, known_day, page)
            everything += found.lines
            if not found.more:
                break
            page += 1
        moments = [line.at for line in everything]
        assert moments == sorted(moments, reverse=True)
        kinds = {line.kind for line in everything}
        assert kinds == {"scan", "task_started", "task_finished", "print", "handover"}
        assert len([line for line in everything if line.kind == "scan"]) == 9  # not the other's
        assert len(everything) == 22
    boss = desk(app)
    html = boss.get(f"/users/{known_day}?page=1").get_data(as_text=True)
    assert "← Новее" in html and "Старше →" in html
    monkeypatch.setattr(people, "PAGE", 50)
    html = boss.get(f"/users/{known_day}").get_data(as_text=True)
    assert html.count('class="history-scan refused"') == 2 and "Старше →" not in html
    assert "Задание" in html and "погружен" in html


# --- badges ----------------------------------------------------------------------------------


def test_the_badges_sheet_shows_every_tsd_role(app):
    for badge, role in (("B-PICK", "picker"), ("B-PACK", "packer"), ("B-LOAD", "loader")):
        add_person(app, badge, role)
    sheet = desk(app, "chief", "supervisor").get("/badges").get_data(as_text=True)
    for badge in ("B-Pick", "B-Pack", "B-Load"):
        assert badge in sheet
    assert "упаковщик" in sheet and "грузчик" in sheet


def test_one_badge_prints_on_the_zebra(app, zebra, worker):
    person_id = add_person(app, "PACK-0042", "packer", "loader")
    boss = desk(app)
    with app.app_context():
        printer = f.make_printer(db.session(), f.make_warehouse(db.session()), zebra.address)
        db.session().commit()
        printer_id = printer.id
        printer_name = printer.name
    page = boss.get(f"/users/{person_id}").get_data(as_text=True)
    assert 'id="badge-label"' in page and printer_name in page
    answer = boss.post(f"/labels/badges/{person_id}", data={"printer_id": printer_id}, headers=HX)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "бейдж" in body, body
    worker()
    (label,) = zebra.wait_for_labels(1)
    assert decode_all(label) == [("Code128", "PACK-0042")]
    with app.app_context():
        job = db.session().scalar(select(PrintJob))
        assert (job.kind, job.requested_by.login) == ("badge_label", "boss")
    supervisor = desk(app, "chief", "supervisor")
    with app.app_context():
        boss_id = db.session().scalar(select(User.id).where(User.login == "boss"))
        db.session().get(User, boss_id).badge = "BOSS-1"
        db.session().commit()
    refused = supervisor.post(f"/labels/badges/{boss_id}", data={"printer_id": printer_id})
    assert refused.status_code == 403  # a supervisor does not print an admin's badge


def test_a_new_password_ends_a_desk_persons_sessions(app):
    desk(app, "chief", "supervisor")
    chief = app.test_client()
    chief.post("/login", data={"login": "chief", "password": "chief"})
    boss = desk(app)
    with app.app_context():
        chief_id = db.session().scalar(select(User.id).where(User.login == "chief"))
    edit = {"name": "Chief", "login": "chief", "password": "a-new-password"}
    assert boss.post(f"/users/{chief_id}", data=edit).status_code == 302
    assert chief.get("/").headers["Location"] == "/login"
    assert "Ваш пароль сменил(а) Boss" in chief.get("/login").get_data(as_text=True)


def test_a_terminal_person_on_the_desk_is_asked_for_a_desk_login(app):
    desk(app)  # an admin exists: the login page, not the first run
    add_person(app, "PICKER-1", "picker")
    picker, _ = tsd(app, "PICKER-1")
    assert picker.get("/users").headers["Location"] == "/login"
    page = picker.get("/login").get_data(as_text=True)
    assert "Picker-1 вошёл(ла) с ТСД: для стола нужен вход старшего смены" in page


def test_the_person_page_has_no_inline_script(app, known_day):
    html = desk(app).get(f"/users/{known_day}").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\son[a-z]+=", html)
    assert html.count("data-confirm=") == 3  # new PIN, end the session, deactivate
