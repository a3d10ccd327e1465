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
