"""Supervisor printer pages and the pack station's printer choice (view tier)."""

from __future__ import annotations

from sqlalchemy import select

from warehouse import jobs
from warehouse.demo import DEMO_PRINTER_CODE, DEMO_STATION
from warehouse.infra import db
from warehouse.labels import printer_registry
from warehouse.models import Printer, PrintJob

FORM = {
    "name": "Zebra склад 2",
    "address": "10.0.0.7:9100",
    "transport": "tcp",
    "dpi": "300",
    "label_size": "75x120",
    "station": "PACK-2",
    "zone": "B",
    "code": "",
}


def login_admin(client) -> None:
    assert client.post("/login", data={"login": "admin", "password": "admin"}).status_code == 302


def printer(app, **where) -> Printer | None:
    with app.app_context():
        return db.session().scalar(select(Printer).filter_by(**where))


def test_printer_pages_need_a_supervisor(client, demo_site):
    assert client.get("/printers").status_code == 302
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    assert client.get("/print-jobs").status_code == 302


def test_list_shows_the_demo_printer_and_polls_its_status(client, demo_site):
    login_admin(client)
    page = client.get("/printers").get_data(as_text=True)
    assert "Принтеры" in page and DEMO_PRINTER_CODE in page and DEMO_STATION in page
    assert 'hx-trigger="every 5s"' in page and "Проверить" in page
    rows = client.get("/printers/rows", headers={"HX-Request": "true"})
    assert rows.status_code == 200 and "<html" not in rows.get_data(as_text=True)


def test_add_edit_and_switch_off_a_printer(app, client, demo_site):
    login_admin(client)
    assert client.post("/printers", data=FORM).status_code == 302
    added = printer(app, name="Zebra склад 2")
    assert added is not None and added.code.startswith("PRN-") and added.active
    assert (added.host, added.port, added.dpi) == ("10.0.0.7", 9100, 300)
    assert (added.label_width_mm, added.label_height_mm, added.station) == (75, 120, "PACK-2")

    edited = {**FORM, "address": "10.0.0.8", "code": "prn-pack2"}
    assert client.post(f"/printers/{added.id}", data=edited).status_code == 302
    again = printer(app, id=added.id)
    assert (again.host, again.port, again.code) == ("10.0.0.8", 9100, "PRN-PACK2")

    client.post(f"/printers/{added.id}/active", data={"active": "0"})
    assert printer(app, id=added.id).active is False
    assert "выключен" in client.get("/printers").get_data(as_text=True)


def test_bad_printer_input_is_refused_and_the_form_keeps_it(app, client, demo_site):
    login_admin(client)
    for field, value, words in (
        ("address", "10.0.0.7:99999", "адрес"),
        ("label_size", "huge", "размер этикетки"),
        ("dpi", "250", "dpi"),
        ("code", "ABC", "код"),
    ):
        response = client.post("/printers", data={**FORM, field: value})
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and "Проверьте поле" in body and words in body
        assert f'value="{FORM["name"]}"' in body  # what was typed is still there
    taken = client.post("/printers", data={**FORM, "code": DEMO_PRINTER_CODE})
    assert taken.status_code == 422 and "уже у другого принтера" in taken.get_data(as_text=True)
    assert printer(app, name="Zebra склад 2") is None


def test_check_button_does_not_wait_for_the_printer(app, client, demo_site, zebra, worker):
    login_admin(client)
    demo = printer(app, code=DEMO_PRINTER_CODE)
    zebra.paper_out = True
    answer = client.post(f"/printers/{demo.id}/check", headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "Проверяется" in answer.get_data(as_text=True)
    worker()
    rows = client.get("/printers/rows").get_data(as_text=True)
    assert "Принтер не готов: нет бумаги" in rows


def test_cron_check_marks_a_dead_printer_unreachable(app, client, demo_site, zebra, worker):
    zebra.refusing = True
    with app.app_context():
        assert jobs.check_printers() == 1
    worker()
    assert printer(app, code=DEMO_PRINTER_CODE).last_status == "printer_unreachable"
    login_admin(client)
    assert "Принтер недоступен" in client.get("/printers/rows").get_data(as_text=True)


def test_test_label_prints_and_is_listed_with_who_asked(app, client, demo_site, zebra, worker):
    login_admin(client)
    demo = printer(app, code=DEMO_PRINTER_CODE)
    assert client.post(f"/printers/{demo.id}/test").status_code == 302
    worker()
    assert DEMO_PRINTER_CODE.encode() in zebra.wait_for_labels(1)[0]
    page = client.get(f"/print-jobs?printer_id={demo.id}&status=printed").get_data(as_text=True)
    assert "пробная этикетка" in page and "Старший смены" in page
    assert client.get("/print-jobs?status=failed").get_data(as_text=True).count("data-job=") == 0


def test_supervisor_reprints_and_the_job_page_shows_the_history(
    app, client, demo_site, zebra, worker
):
    login_admin(client)
    demo = printer(app, code=DEMO_PRINTER_CODE)
    client.post(f"/printers/{demo.id}/test")
    worker()
    with app.app_context():
        job_id = db.session().scalar(select(PrintJob.id))
    rows = client.post(f"/print-jobs/{job_id}/reprint", headers={"HX-Request": "true"})
    assert rows.status_code == 200 and "повтор №" in rows.get_data(as_text=True)
    worker()
    assert len(zebra.wait_for_labels(2)) == 2
    history = client.get(f"/print-jobs/{job_id}").get_data(as_text=True)
    assert 'data-event="reprinted"' in history and "напечатана ещё раз" in history
    assert "Старший смены" in history
    assert client.post(f"/print-jobs/{job_id}/nonsense").status_code == 404


def test_spool_lists_what_the_virtual_printer_printed(app, client, demo_site, tmp_path):
    spool = tmp_path / "printed"
    spool.mkdir()
    (spool / "000001.zpl").write_bytes("^XA^CI28^FDПривет^FS^XZ".encode())
    app.config["VIRTUAL_PRINTER_SPOOL"] = str(spool)
    login_admin(client)
    page = client.get("/printers/spool").get_data(as_text=True)
    assert "000001.zpl" in page
    label = client.get("/printers/spool/000001.zpl")
    assert label.status_code == 200 and "Привет" in label.get_data(as_text=True)
    assert client.get("/printers/spool/..%2Fwarehouse.db").status_code == 404


def test_pack_station_takes_a_scanned_printer_code(app, client, demo_site):
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    answer = client.post("/tsd/pack", data={"order": DEMO_PRINTER_CODE.lower()})
    assert answer.status_code == 302
    page = client.get("/tsd/pack").get_data(as_text=True)
    assert "Этикетки печатаются на Zebra-1" in page and DEMO_STATION in page
    unknown = client.post("/tsd/pack", data={"order": "PRN-404"})
    assert unknown.status_code == 404


def test_pack_station_chosen_once_is_kept_and_packing_uses_its_printer(app, client, demo_site):
    with app.app_context():
        session = db.session()
        demo = session.scalar(select(Printer).where(Printer.code == DEMO_PRINTER_CODE))
        other = Printer(
            warehouse_id=demo.warehouse_id,
            name="Zebra-2",
            code="PRN-002",
            host="127.0.0.1",
            port=9,
            station="PACK-2",
        )
        session.add(other)
        session.commit()
        chosen = printer_registry.for_packing(session, demo.warehouse_id, None, "PACK-2")
        assert chosen is not None and chosen.id == other.id
        fallback = printer_registry.for_packing(session, demo.warehouse_id, None, "NOWHERE")
        assert fallback is not None and fallback.id == demo.id  # the default
        other.active = False
        assert printer_registry.for_packing(session, demo.warehouse_id, other.id, None) == demo
        other.active = True
        session.commit()
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    page = client.get("/tsd/pack").get_data(as_text=True)
    assert "PACK-1" in page and "PACK-2" in page
    client.post("/tsd/station", data={"station": "PACK-2"})
    assert "печатаются на станции PACK-2" in client.get("/tsd/pack").get_data(as_text=True)
    client.post("/tsd/station", data={"station": "MADE-UP"})
    assert "на станции" not in client.get("/tsd/pack").get_data(as_text=True)


def test_the_registry_says_when_a_printer_was_checked_in_moscow_time(app, client):
    """The database keeps UTC; the desk reads Moscow time (UTC+3), as every desk page."""
    from datetime import UTC, datetime

    from tests import factories as f
    from warehouse.infra import db

    with app.app_context():
        s = db.session()
        printer = f.make_printer(s, f.make_warehouse(s), ("127.0.0.1", 9))
        printer.last_checked_at = datetime(2026, 1, 1, 9, 0, 5, tzinfo=UTC)
        f.make_supervisor(s)
        s.commit()
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/printers").get_data(as_text=True)
    assert "01.01 12:00:05" in page and "01.01 09:00:05" not in page
