"""The live shift (#13 item 3): pace from a known scan log (exact numbers), who is idle,
what is left before each cutoff, the day's burn-down, and the fragments' inline SVG with
the right points and bars — on a fixed «now» (12:00 Moscow)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.models import Order, Parcel, PickTask, ScanEvent, User
from warehouse.shift import charts, live
from warehouse.shipping.handovers import LOCAL
from warehouse.web import live as live_page

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=LOCAL)
SHIRT, MUG, SOCKS = "4601234567893", "4607001234562", "4610012345677"


def at(clock: str) -> datetime:
    hours, minutes, *seconds = (int(part) for part in clock.split(":"))
    return NOW.replace(hour=hours, minute=minutes, second=seconds[0] if seconds else 0)


def scan(clock, ok=True, code="picked", item=None):
    return live.Scan(at(clock), ok, code, item)


def test_pace_from_a_known_scan_log():
    log = [
        scan("10:00:00", code="bin_ok", item=1),
        scan("10:01:00", item=1),
        scan("10:02:30", ok=False, code="wrong_product", item=2),
        scan("10:03:00", code="task_done", item=2),
        scan("10:30:00", code="bin_ok", item=3),  # after a 27-minute pause
        scan("10:33:00", code="tote_ok", item=3),
        scan("10:34:00", ok=False, code="unknown_barcode"),
    ]
    pace = live.pace(list(reversed(log)), timedelta(minutes=5))
    assert (pace.scans, pace.errors, pace.lines) == (7, 2, 3)
    assert pace.working == timedelta(seconds=60 + 90 + 30 + 180 + 60)
    assert pace.lines_per_hour == 25.7  # 3 lines in 7 minutes
    assert pace.seconds_per_line == 140
    quick = live.pace(log[:4], timedelta(minutes=5))  # 2 lines in 3 minutes: too early
    assert (quick.lines, quick.lines_per_hour, quick.seconds_per_line) == (2, None, None)
    nothing = live.pace([scan("09:00", code="bin_ok", item=1)], timedelta(minutes=5))
    assert (nothing.lines, nothing.lines_per_hour, nothing.seconds_per_line) == (0, None, None)


def test_steps_count_what_is_left_before_and_after_each_change():
    start, now = at("08:00"), at("12:00")
    orders = [
        (at("07:00"), at("10:00")),
        (at("07:00"), at("09:30")),
        (at("07:00"), None),
        (at("11:30"), None),
        (at("06:00"), at("07:30")),  # done before the chart begins
        (at("12:30"), None),  # not come yet
    ]
    assert live.steps(orders, start, now) == [
        (at("08:00"), 3),
        (at("09:30"), 3),
        (at("09:30"), 2),
        (at("10:00"), 2),
        (at("10:00"), 1),
        (at("11:30"), 1),
        (at("11:30"), 2),
        (at("12:00"), 2),
    ]


def test_the_chart_spans_from_eight_to_an_hour_past_the_last_cutoff():
    day_start, day_end = live.day_of(NOW)
    assert day_start == at("00:00")
    assert live.span(day_start, day_end, NOW, [at("14:00"), at("13:00")]) == (
        at("08:00"),
        at("15:00"),
    )
    early = at("03:00")
    assert live.span(day_start, day_end, early, [at("14:00")]) == (at("01:00"), at("15:00"))
    late = at("23:30")
    assert live.span(day_start, day_end, late, [at("14:00")]) == (at("08:00"), day_end)


def test_nice_axis_tops():
    assert charts.nice_top(1) == (1, 1)
    assert charts.nice_top(5) == (5, 1)
    assert charts.nice_top(7) == (8, 2)
    assert charts.nice_top(37) == (40, 10)
    assert charts.nice_top(180) == (200, 50)


@pytest.fixture
def day(app):
    """WB cabinet (cutoff 14:00): A picked at 10:00, B picked 09:30 and packed 11:00, C to
    pick, D came 11:30 (to pick) — all due today — and orders that are not today's work."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        ozon = f.make_account(s, warehouse)
        ozon.kind, ozon.name, ozon.settings = "ozon", "Ozon test", {"cutoff": "16:30"}
        for code, barcode, walk in (("A-01", SHIRT, 1), ("A-02", MUG, 2), ("B-07", SOCKS, 3)):
            shelf = f.make_location(s, warehouse, code, walk=walk)
            f.put_stock(s, f.make_product(s, code, barcode), shelf, 50)
        anna, ivan = f.make_picker(s, "B-1", "Анна"), f.make_picker(s, "B-2", "Иван")
        f.make_supervisor(s)

        def made(number, *lines, arrived="07:00", account=account):
            order = f.import_order(s, account, number, *lines)
            order.created_at = at(arrived)
            task = s.scalar(select(PickTask).where(PickTask.order_id == order.id))
            return order, task

        def done(task, clock, status):
            task.status, task.finished_at, task.picker_id = "done", at(clock), anna.id
            task.order.status = status

        _a, a_task = made("A", (SHIRT, 1), (MUG, 1), (SOCKS, 1))
        done(a_task, "10:00", "picked")
        b, b_task = made("B", (MUG, 1))
        done(b_task, "09:30", "labelled")
        s.add(Parcel(order_id=b.id, created_at=at("11:00")))
        c, c_task = made("C", (SOCKS, 2))
        made("D", (SHIRT, 1), arrived="11:30")
        tomorrow, _ = made("T", (SHIRT, 1))
        tomorrow.ship_by = at("10:00") + timedelta(days=1)
        gone, gone_task = made("Y", (MUG, 1), arrived="06:00")
        done(gone_task, "06:30", "handed_over")
        s.add(Parcel(order_id=gone.id, created_at=at("06:40") - timedelta(days=1)))
        cancelled, _ = made("X", (MUG, 1))
        cancelled.status = "cancelled"
        made("O", (MUG, 1), account=ozon)

        # Anna's morning (order A's three lines) and Ivan picking C right now
        items = [item.id for item in a_task.items]
        log = [
            ("10:00:00", True, "bin_ok", items[0]),
            ("10:01:00", True, "picked", items[0]),
            ("10:02:30", False, "wrong_product", items[1]),
            ("10:03:00", True, "picked", items[1]),
            ("10:30:00", True, "bin_ok", items[2]),
            ("10:33:00", True, "task_done", items[2]),
            ("10:34:00", False, "unknown_barcode", None),
        ]
        for n, (clock, ok, code, item) in enumerate(log):
            s.add(_scan(anna, "task", a_task.id, f"a{n}", clock, ok, code, item))
        s.add(_scan(anna, "pack", a_task.id, "p1", "10:40", True, "verify_ok", None))  # packing
        s.add(_scan(anna, "task", a_task.id, "old", "23:00", True, "picked", items[0], days=-1))
        picking.start_task(s, c_task.id, ivan)
        c_item = c_task.items[0].id
        s.add(_scan(ivan, "task", c_task.id, "i1", "11:50", True, "bin_ok", c_item))
        s.add(_scan(ivan, "task", c_task.id, "i2", "11:54", True, "picked", c_item))
        s.add(_scan(ivan, "task", c_task.id, "i3", "11:58", True, "picked", c_item))
        s.commit()
        return {"anna": anna.id, "ivan": ivan.id, "c": c.id}


def _scan(user, kind, target, scan_id, clock, ok, code, item, days=0):
    return ScanEvent(
        scope=picking.scan_scope(user, kind, target),
        scan_id=scan_id,
        task_id=target,
        user_id=user.id,
        item_id=item,
        barcode="x",
        ok=ok,
        code=code,
        message=code,
        created_at=at(clock) + timedelta(days=days),
    )


def test_pickers_on_shift_their_pace_where_they_stand_and_who_is_idle(app, day):
    with app.app_context():
        rows = live.pickers(db.session(), NOW, timedelta(minutes=5))
        assert [(p.user.name, p.idle) for p in rows] == [("Анна", True), ("Иван", False)]
        anna, ivan = rows
        assert (anna.pace.scans, anna.pace.errors, anna.pace.lines) == (7, 2, 3)
        assert (anna.pace.lines_per_hour, anna.pace.seconds_per_line) == (25.7, 140)
        assert anna.doing is None and anna.idle_minutes(NOW) == 86
        assert (ivan.pace.lines, ivan.pace.lines_per_hour, ivan.pace.seconds_per_line) == (
            1,
            7.5,
            480,
        )
        assert ivan.doing is not None and ivan.doing.bin == "B-07"
        assert ivan.idle_minutes(NOW) == 2
        quiet = live.pickers(db.session(), NOW + timedelta(minutes=10), timedelta(minutes=5))
        assert [p.idle for p in quiet] == [True, True]  # Ivan: no scan for 12 minutes


def test_what_is_left_before_each_cutoff(app, day):
    with app.app_context():
        rows = live.cutoffs(db.session(), NOW)
        assert [(r.account.kind, r.cutoff) for r in rows] == [
            ("wb", at("14:00")),
            ("ozon", at("16:30")),
        ]
        wb, ozon = rows
        assert (wb.to_pick, wb.to_pack, wb.to_load, wb.loaded, wb.left) == (2, 1, 1, 0, 4)
        assert wb.minutes_left(NOW) == 120 and ozon.left == 1
        db.session().scalar(
            select(Parcel).join(Order).where(Order.external_id == "B")
        ).loaded_at = NOW
        wb = live.cutoffs(db.session(), NOW)[0]
        assert (wb.to_load, wb.loaded, wb.left) == (0, 1, 3)


def test_the_burndown_of_the_day(app, day):
    with app.app_context():
        burndown = live.burndown(db.session(), NOW)
    assert (burndown.start, burndown.end) == (at("08:00"), at("17:30"))
    assert [value for _at, value in burndown.to_pick] == [4, 4, 3, 3, 2, 2, 3, 3]
    assert burndown.to_pick[1][0] == at("09:30")
    assert burndown.to_pack == [
        (at("08:00"), 4),
        (at("11:00"), 4),
        (at("11:00"), 3),
        (at("11:30"), 3),
        (at("11:30"), 4),
        (at("12:00"), 4),
    ]
    assert burndown.cutoffs == [("WB 14:00", at("14:00")), ("OZON 16:30", at("16:30"))]


def test_the_fragments_draw_the_known_points_and_bars(app, client, day, monkeypatch):
    monkeypatch.setattr(live_page, "utcnow", lambda: NOW)
    client.post("/login", data={"login": "boss", "password": "boss"})
    fragment = client.get("/live/day", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-values="08:00 4;09:30 4;09:30 3;10:00 3;10:00 2;11:30 2;11:30 3;12:00 3"' in (
        fragment
    )
    # 9.5 hours over 570 units from x=40; 4 at the top of a 0-4 axis (y 14..206)
    assert 'points="40.0,14.0 130.0,14.0 130.0,62.0 ' in fragment
    assert 'class="last to_pick" cx="280.0" cy="62.0" r="4" data-left="3"' in fragment
    assert 'class="last to_pack" cx="280.0" cy="14.0" r="4" data-left="4"' in fragment
    assert fragment.count('<line class="cutoff"') == 2 and "WB 14:00" in fragment
    assert 'id="cutoff-' in fragment and 'data-left="4"' in fragment
    assert "<script" not in fragment

    people = client.get("/live/pickers").get_data(as_text=True)
    assert 'width="260.0" height="18" data-picker="Анна" data-value="25.7"' in people
    assert 'width="75.9" height="18" data-picker="Иван" data-value="7.5"' in people
    assert 'class="picker idle" data-picker="Анна"' in people
    assert 'class="picker" data-picker="Иван"' in people and ">B-07<" in people


def test_the_live_page_and_its_fragments_poll_and_need_a_supervisor(app, client, day):
    urls = ("/live/", "/live/day", "/live/pickers", "/live/work", "/live/shortages")
    for url in urls:
        assert client.get(url).status_code == 302
    client.post("/tsd/login", data={"badge": "B-1"})
    for url in urls:
        assert client.get(url).status_code == 302  # a picker cannot
    htmx = client.get("/live/work", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].endswith("/login")
    client.post("/tsd/logout")
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/live/?idle=15").get_data(as_text=True)
    for fragment in ("/live/day", "/live/pickers?idle=15", "/live/work", "/live/shortages"):
        assert f'hx-get="{fragment}" hx-trigger="every 10s"' in page
    assert "Смена" in page and "простой: нет сканирования 15 мин" in page
    work = client.get("/live/work").get_data(as_text=True)
    assert "Вне волн" in work and "Иван" in work
    with app.app_context():
        assert db.session().get(User, day["ivan"]).name == "Иван"
