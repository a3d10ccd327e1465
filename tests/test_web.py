"""View tier: status codes, HX headers and fragment content."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse import create_app
from warehouse.infra import config, db
from warehouse.infra.credentials import CredentialsError, seal, unseal
from warehouse.models import PickTask


@pytest.fixture
def task_id(app):
    with app.app_context():
        return _task(db.session())


def _task(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    shirt = f.make_product(session, "Футболка ^XZ", "4601234567893")
    f.put_stock(session, shirt, f.make_location(session, warehouse, "A-01"), 5)
    f.make_picker(session, badge="PICKER-9", name="Анна")
    order = f.import_order(session, account, "wb-77", ("4601234567893", 2))
    session.commit()
    return session.scalar(select(PickTask.id).where(PickTask.order_id == order.id))


def login(client, badge="PICKER-9"):
    return client.post("/tsd/login", data={"badge": badge})


def test_unknown_badge_is_refused(client, task_id):
    response = login(client, "NOBODY")
    assert response.status_code == 422
    assert "Неизвестный бейдж" in response.get_data(as_text=True)


def test_pages_need_a_login_and_htmx_gets_a_redirect_header(client, task_id):
    assert client.get("/tsd/").status_code == 302
    response = client.post(
        f"/tsd/tasks/{task_id}/scan",
        data={"barcode": "x", "scan_id": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/tsd/login"


def test_task_list_and_scan_fragment(client, task_id):
    assert login(client).status_code == 302
    listing = client.get("/tsd/").get_data(as_text=True)
    assert "WB wb-77" in listing
    client.post(f"/tsd/tasks/{task_id}/start")
    page = client.get(f"/tsd/tasks/{task_id}").get_data(as_text=True)
    assert 'inputmode="none"' in page and "A-01" in page
    response = client.post(
        f"/tsd/tasks/{task_id}/scan",
        data={"barcode": "LOC-A-01", "scan_id": "v1"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="feedback ok"' in body and 'hx-swap-oob="true"' in body
    unknown = client.post(
        f"/tsd/tasks/{task_id}/scan",
        data={"barcode": "123", "scan_id": "v2"},
        headers={"HX-Request": "true"},
    )
    assert unknown.status_code == 422
    assert 'data-sound="error"' in unknown.get_data(as_text=True)


def test_english_is_selectable(client, task_id):
    login(client)
    switched = client.post("/lang/en", data={"next": "/tsd/"})
    assert switched.headers["Location"] == "/tsd/"
    assert "Log out" in client.get("/tsd/").get_data(as_text=True)


def test_supervisor_login_and_the_api_refuses_the_session(app, client):
    from werkzeug.security import generate_password_hash

    from warehouse.models import User

    with app.app_context():
        boss = User(
            name="Boss", role="supervisor", login="boss", password_hash=generate_password_hash("pw")
        )
        db.session().add(boss)
        db.session().commit()
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/orders").status_code == 401
    assert client.post("/login", data={"login": "boss", "password": "no"}).status_code == 422
    assert client.post("/login", data={"login": "boss", "password": "pw"}).status_code == 302
    assert "Заказы" in client.get("/").get_data(as_text=True)
    # a desk session is not an API credential: the API takes service tokens only
    assert client.get("/api/v1/orders").status_code == 401


def test_production_refuses_to_start_without_secrets(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "CREDENTIALS_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(f"WAREHOUSE_{name}", raising=False)
    with pytest.raises(config.ConfigError, match="DATABASE_URL"):
        create_app({"ENV": "production"})
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": "sqlite://", "REDIS_URL": "redis://x"})


def test_credentials_are_sealed_and_need_the_right_key(app):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    sealed = seal({"token": "secret-token"}, key)
    assert b"secret-token" not in sealed
    assert unseal(sealed, key) == {"token": "secret-token"}
    with pytest.raises(CredentialsError):
        unseal(sealed, Fernet.generate_key().decode())


def test_domain_refusal_is_one_422_fragment(app, client, task_id):
    login(client)
    with app.app_context():
        db.session().get(PickTask, task_id).status = "done"
        db.session().commit()
    response = client.post(f"/tsd/tasks/{task_id}/pack", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Заказ ещё не собран" in response.get_data(as_text=True)


def test_scan_fragment_sizes_are_reported(client, task_id):
    """Each scan answers with a small fragment; sizes go to the test-suite report."""
    from pathlib import Path

    login(client)
    client.post(f"/tsd/tasks/{task_id}/start")
    sizes = {}
    for n, (name, code) in enumerate(
        [
            ("bin ok", "LOC-A-01"),
            ("unknown code", "2999999999999"),
            ("picked", "4601234567893"),
            ("task done", "4601234567893"),
            ("after done", "4601234567893"),
        ]
    ):
        response = client.post(
            f"/tsd/tasks/{task_id}/scan",
            data={"barcode": code, "scan_id": f"size-{n}"},
            headers={"HX-Request": "true"},
        )
        sizes[name] = len(response.get_data())
    report = Path(__file__).resolve().parents[1] / "test-artifacts" / "fragment-sizes.txt"
    report.parent.mkdir(exist_ok=True)
    report.write_text("".join(f"{name}: {size} bytes\n" for name, size in sizes.items()))
    assert all(size > 0 for size in sizes.values())


def test_a_badge_with_a_pin_asks_for_the_pin(app, client, demo_site):
    asked = client.post("/tsd/login", data={"badge": "PICKER-002"})
    assert asked.headers["Location"].endswith("/tsd/login/pin")
    assert "Иван Сборщик, введите PIN" in client.get("/tsd/login/pin").get_data(as_text=True)
    wrong = client.post("/tsd/login/pin", data={"pin": "1001"})
    assert wrong.status_code == 422
    assert "Неверный PIN" in wrong.get_data(as_text=True)
    assert "Неизвестный бейдж" not in wrong.get_data(as_text=True)
    assert client.post("/tsd/login/pin", data={"pin": "1002"}).status_code == 302
    assert "Иван Сборщик" in client.get("/tsd/").get_data(as_text=True)


def test_packer_opens_the_pack_screen_by_scanning_the_order(app, client, task_id):
    login(client)
    client.post(f"/tsd/tasks/{task_id}/start")
    for n, code in enumerate(("LOC-A-01", "4601234567893", "4601234567893")):
        client.post(f"/tsd/tasks/{task_id}/scan", data={"barcode": code, "scan_id": f"p{n}"})
    assert client.post("/tsd/pack", data={"order": "nope"}).status_code == 404
    opened = client.post("/tsd/pack", data={"order": " wb-77 "})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/{task_id}/pack")
    refused = client.post("/tsd/pack", data={"order": "nope"}).get_data(as_text=True)
    assert 'id="scan"' in refused and "nope" in refused  # still on the scan page, told why


def test_another_person_packs_what_a_picker_picked(app, client, task_id):
    login(client)
    client.post(f"/tsd/tasks/{task_id}/start")
    for n, code in enumerate(("LOC-A-01", "4601234567893", "4601234567893")):
        client.post(f"/tsd/tasks/{task_id}/scan", data={"barcode": code, "scan_id": f"q{n}"})
    with app.app_context():
        f.make_picker(db.session(), badge="PACKER-1", name="Пётр")
        db.session().commit()
    login(client, "PACKER-1")
    assert client.get(f"/tsd/tasks/{task_id}/pack").status_code == 200
    checked = client.post(
        f"/tsd/tasks/{task_id}/verify", data={"barcode": "4601234567893", "scan_id": "v1"}
    )
    assert checked.status_code == 200 and "1 из 2" in checked.get_data(as_text=True)
    assert client.get(f"/tsd/tasks/{task_id + 999}/pack").status_code == 404


def test_pack_page_names_the_printer_or_says_there_is_none(app, client, task_id):
    login(client)
    client.post(f"/tsd/tasks/{task_id}/start")
    for n, code in enumerate(("LOC-A-01", "4601234567893", "4601234567893")):
        client.post(f"/tsd/tasks/{task_id}/scan", data={"barcode": code, "scan_id": f"r{n}"})
    for n in range(2):  # every unit checked into the package
        client.post(
            f"/tsd/tasks/{task_id}/verify", data={"barcode": "4601234567893", "scan_id": f"w{n}"}
        )
    page = client.get(f"/tsd/tasks/{task_id}/pack").get_data(as_text=True)
    assert "Нет принтера для этой этикетки" in page
    with app.app_context():
        session = db.session()
        warehouse = session.get_one(PickTask, task_id).warehouse_id
        from warehouse.models import Warehouse

        f.make_printer(session, session.get_one(Warehouse, warehouse), ("127.0.0.1", 9))
        session.commit()
    page = client.get(f"/tsd/tasks/{task_id}/pack").get_data(as_text=True)
    assert "этикетка сразу напечатается на" in page


def test_a_request_that_changes_nothing_sends_no_session_cookie_and_idle_logs_out(client, task_id):
    """Two requests in flight at once (scans, a page load) must not write back an older
    session: only a change of the session sets the cookie; the idle clock still works."""
    login(client)
    client.get("/tsd/")  # the first page gives the session its CSRF token
    calm = client.get("/tsd/")
    assert calm.status_code == 200 and "Set-Cookie" not in calm.headers
    with client.session_transaction() as kept:
        kept["seen"] -= 24 * 3600  # a day without a scan
    assert client.get("/tsd/").status_code == 302  # logged out for idling
