"""Waves on the pages: the ТСД's list shows a wave's batch as one entry that starts whole,
and a picker whose work was taken off on the desk is told by the task page's poll."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.floor import picking, waves
from warehouse.infra import db
from warehouse.models import PickTask, User

SHIRT, MUG = "4601234567893", "4607001234562"


@pytest.fixture
def floor(app):
    """Two one-unit orders (wb-1 in A-01, wb-2 in A-02), pickers B-1 and B-2, a supervisor
    boss/boss; returns their ids."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        for code, barcode in (("A-01", SHIRT), ("A-02", MUG)):
            shelf = f.make_location(session, warehouse, code)
            f.put_stock(session, f.make_product(session, code, barcode), shelf, 5)
        anna, ivan = f.make_picker(session, "B-1", "Анна"), f.make_picker(session, "B-2", "Иван")
        boss = f.make_supervisor(session)
        tasks = []
        for number, barcode in (("wb-1", SHIRT), ("wb-2", MUG)):
            order = f.import_order(session, account, number, (barcode, 1))
            tasks.append(session.scalar(select(PickTask.id).where(PickTask.order_id == order.id)))
        session.commit()
        return {"anna": anna.id, "ivan": ivan.id, "boss": boss.id, "tasks": tasks}


def in_app(app, work):
    with app.app_context():
        session = db.session()
        result = work(session)
        session.commit()
        return result


def test_the_tsd_list_shows_a_wave_batch_once_and_starting_it_starts_both(app, client, floor):
    def build(session):
        boss, anna = session.get(User, floor["boss"]), floor["anna"]
        wave = waves.build(session, waves.Rules(per_cart=2), boss)
        waves.assign_wave(session, wave.id, anna, boss)
        return wave.batches[0].id

    cart = in_app(app, build)
    client.post("/tsd/login", data={"badge": "B-1"})
    page = client.get("/tsd/").get_data(as_text=True)
    assert page.count('class="task-button batch"') == 1 and "wb-1, wb-2" in page
    assert "назначено вам" in page
    started = client.post("/tsd/next")
    assert started.headers["Location"].endswith(f"/tsd/batches/{cart}")
    batch_page = client.get(f"/tsd/batches/{cart}").get_data(as_text=True)
    assert 'class="where tote"' in batch_page  # the batch asks for the first order's tote

    client.post("/tsd/logout")
    client.post("/tsd/login", data={"badge": "B-2"})
    assert client.post("/tsd/next").headers["Location"].endswith("/tsd/")  # nothing for Ivan


def test_the_task_page_poll_tells_the_picker_the_task_was_taken_off(app, client, floor):
    task_id = floor["tasks"][0]
    client.post("/tsd/login", data={"badge": "B-1"})
    assert client.post("/tsd/next").headers["Location"].endswith(f"/tsd/tasks/{task_id}")
    state = f"/tsd/tasks/{task_id}/state"
    assert client.get(state, headers={"HX-Request": "true"}).status_code == 204

    def take_off(session):
        boss = session.get(User, floor["boss"])
        waves.assign_task(session, task_id, floor["ivan"], boss)

    in_app(app, take_off)
    told = client.get(state, headers={"HX-Request": "true"})
    assert told.status_code == 286
    assert "Старший смены снял с вас заказ wb-1" in told.get_data(as_text=True)
    gone = client.post(
        f"/tsd/tasks/{task_id}/scan",
        data={"barcode": "LOC-A-01", "scan_id": "s1"},
        headers={"HX-Request": "true"},
    )
    assert gone.status_code == 404  # Ivan's now: Anna's scan counts nothing
    assert client.get("/tsd/tasks/999999/state").status_code == 404

    def ivan_starts(session):
        return picking.next_task(session, session.get(User, floor["ivan"])).id

    assert in_app(app, ivan_starts) == task_id


def desk(client):
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302


def test_wave_pages_need_a_supervisor_and_missing_ids_are_404(client, floor):
    for url in ("/waves/", "/waves/1"):
        assert client.get(url).status_code == 302
    client.post("/tsd/login", data={"badge": "B-1"})  # a picker is not enough
    assert client.get("/waves/").status_code == 302
    for url in ("/waves/", "/waves/preview", "/waves/1/cancel", "/waves/1/assign"):
        response = client.post(url, data={"per_cart": "2"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.post("/tsd/logout")
    desk(client)
    assert client.get("/waves/999999").status_code == 404
    for url in (
        "/waves/999999/assign",
        "/waves/999999/cancel",
        "/waves/tasks/999999/assign",
        "/waves/batches/999999/assign",
    ):
        assert client.post(url, data={"picker_id": str(floor["anna"])}).status_code == 404


def test_a_desk_form_without_its_csrf_token_is_refused(client, floor):
    desk(client)
    refused = client.post("/waves/", data={"per_cart": "2"}, headers={"X-CSRFToken": ""})
    assert refused.status_code == 400


def test_preview_writes_nothing_then_build_assign_and_take_off(app, client, floor):
    desk(client)
    page = client.get("/waves/").get_data(as_text=True)
    assert "wb-1" in page and "wb-2" in page and "Волны" in page
    preview = client.post("/waves/preview", data={"per_cart": "2"}, headers={"HX-Request": "true"})
    body = preview.get_data(as_text=True)
    assert (
        preview.status_code == 200 and "Пакет из 2 заказов" in body and "WB wb-1, WB wb-2" in body
    )
    refused = client.post("/waves/preview", data={"max_lines": "ноль"})
    assert refused.status_code == 422 and "«Строк в пакете, не больше» заполнено неверно" in (
        refused.get_data(as_text=True)
    )
    none = client.post("/waves/preview", data={"marketplace": "ozon"}).get_data(as_text=True)
    assert "не подходит ни один свободный заказ" in none
    waved = select(PickTask.id).where(PickTask.wave_id.is_not(None))
    assert in_app(app, lambda s: s.scalar(waved)) is None  # a preview builds nothing

    built = client.post("/waves/", data={"per_cart": "2", "marketplace": "wb"})
    assert built.status_code == 302
    wave_url = built.headers["Location"]
    page = client.get(wave_url).get_data(as_text=True)
    assert "Волна" in page and "создана: заказов — 2, единиц сборки — 1" in page
    assert "WB" in page and "2 заказов в пакете" in page and "Boss" in page
    batch_id = in_app(app, lambda s: s.scalar(select(PickTask.batch_id)))
    assert f'id="batch-{batch_id}" class="unit free"' in page
    assert "свободно для любого сборщика" in page

    wave_id = int(wave_url.rsplit("/", 1)[1])
    client.post(f"/waves/{wave_id}/assign", data={"picker_id": str(floor["anna"])})
    page = client.get(wave_url).get_data(as_text=True)
    assert "назначены сборщику Анна" in page
    assert in_app(app, lambda s: s.scalar(select(PickTask.picker_id).limit(1))) == floor["anna"]

    def anna_starts(session):
        picking.next_task(session, session.get(User, floor["anna"]))

    in_app(app, anna_starts)
    page = client.get(wave_url).get_data(as_text=True)
    assert (
        "Анна is picking this now" not in page and "Анна собирает это сейчас" in page
    )  # asks first
    moved = client.post(f"/waves/batches/{batch_id}/assign", data={"picker_id": str(floor["ivan"])})
    assert moved.status_code == 302
    page = client.get(wave_url).get_data(as_text=True)
    assert "пакет " + str(batch_id) + " снят со сборщика Анна" in page
    assert "назначен сборщику Иван" in page
    client.post(f"/waves/batches/{batch_id}/assign", data={"picker_id": "nobody"})
    assert "свободен для любого сборщика" in client.get(wave_url).get_data(as_text=True)
    client.post(f"/waves/{wave_id}/assign", data={"picker_id": ""})  # nothing chosen
    assert "Выберите сборщика" in client.get(wave_url).get_data(as_text=True)
    bad = client.post(f"/waves/batches/{batch_id}/assign", data={"picker_id": str(floor["boss"])})
    assert bad.status_code == 302
    assert "Выберите сборщика" in client.get(wave_url).get_data(as_text=True)


def test_cancel_asks_first_and_says_what_became_of_the_orders(app, client, floor):
    desk(client)
    wave_url = client.post("/waves/", data={"per_cart": "1"}).headers["Location"]
    wave_id = int(wave_url.rsplit("/", 1)[1])
    page = client.get(wave_url).get_data(as_text=True)
    assert f'data-confirm="Отменить волну {wave_id}?' in page

    def anna_starts(session):
        picking.next_task(session, session.get(User, floor["anna"]))

    in_app(app, anna_starts)
    client.post(f"/waves/{wave_id}/cancel")
    page = client.get(wave_url).get_data(as_text=True)
    assert f"Волна {wave_id} отменена: заказов вернулось в общую очередь — 1" in page
    assert "собираемые сейчас (1) остаются у своих сборщиков" in page
    assert 'data-confirm="Отменить волну' not in page  # nothing left to cancel
    client.post(f"/waves/{wave_id}/cancel")
    assert f"Волна {wave_id} уже отменена" in client.get(wave_url).get_data(as_text=True)
    listing = client.get("/waves/").get_data(as_text=True)
    assert f'id="wave-{wave_id}" class="wave cancelled"' in listing and "отменена" in listing
