"""Item 12: a production start has a way in — the first admin (a flask command or the
first-run page), then supervisors and pickers created, edited and deactivated on the desk."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.infra.credentials import pin_digest
from warehouse.models import User, Warehouse


def user(app, **where) -> User | None:
    with app.app_context():
        return db.session().scalar(select(User).filter_by(**where))


def test_create_admin_command_makes_the_first_admin_and_a_warehouse(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--login", "chief", "--name", "Главный"],
        input="s3cret-pw\ns3cret-pw\n",
    )
    assert result.exit_code == 0, result.output
    admin = user(app, login="chief")
    assert admin is not None and admin.role == "admin" and admin.password_hash != "s3cret!"
    with app.app_context():
        assert db.session().scalar(select(Warehouse.id)) is not None
    client = app.test_client()
    assert (
        client.post("/login", data={"login": "chief", "password": "s3cret-pw"}).status_code == 302
    )
    again = runner.invoke(args=["create-admin", "--login", "chief"], input="long-enough\n" * 2)
    assert again.exit_code == 1 and "chief" in again.output  # the login is taken: said, not a trace
    short = runner.invoke(args=["create-admin", "--login", "other"], input="short\nshort\n")
    assert short.exit_code == 1 and "8" in short.output


def test_first_run_page_only_while_there_is_no_admin(app, client):
    assert client.get("/login").headers["Location"].endswith("/setup")
    page = client.get("/setup")
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    short = client.post("/setup", data={"name": "Главный", "login": "chief", "password": "1"})
    assert short.status_code == 422
    response = client.post(
        "/setup",
        data={"name": "Главный", "login": "chief", "password": "long-enough", "warehouse": "Склад"},
    )
    assert response.status_code == 302
    assert "Заказы" in client.get("/").get_data(as_text=True)  # logged in as the admin
    assert user(app, login="chief").role == "admin"
    with app.app_context():
        assert db.session().scalar(select(Warehouse.name)) == "Склад"
    # once an admin exists the page is gone, for everyone
    other = app.test_client()
    assert other.get("/setup").status_code == 404
    grab = other.post("/setup", data={"name": "X", "login": "x", "password": "long-enough"})
    assert grab.status_code == 404
    assert user(app, login="x") is None
    assert other.get("/login").status_code == 200


def desk(app, role: str = "admin"):
    with app.app_context():
        f.make_warehouse(db.session())
        f.make_supervisor(db.session(), login="chief", password="chief", role="admin")
        if role == "supervisor":
            f.make_supervisor(db.session(), login="boss", password="boss")
        db.session().commit()
    client = app.test_client()
    login = "chief" if role == "admin" else "boss"
    assert client.post("/login", data={"login": login, "password": login}).status_code == 302
    return client


def test_admin_creates_edits_and_deactivates_a_picker(app):
    client = desk(app)
    assert "Сотрудники" in client.get("/users").get_data(as_text=True)
    created = client.post(
        "/users", data={"role": "picker", "name": "Пётр", "badge": "PICKER-77", "pin": "4321"}
    )
    assert created.status_code == 302
    picker = user(app, badge="PICKER-77")
    assert picker.pin_digest == pin_digest("4321", app.config["SECRET_KEY"])
    assert picker.login is None and picker.password_hash is None
    tsd = app.test_client()
    assert tsd.post("/tsd/login", data={"badge": "PICKER-77"}).status_code == 302
    no_badge = client.post("/users", data={"role": "picker", "name": "Без бейджа", "pin": "1"})
    assert no_badge.status_code == 422 and "бейдж" in no_badge.get_data(as_text=True).lower()
    taken = client.post("/users", data={"role": "picker", "name": "Двойник", "badge": "PICKER-77"})
    assert taken.status_code == 422
    edit = {"name": "Пётр Иванов", "badge": "PICKER-78", "pin": ""}
    assert client.post(f"/users/{picker.id}", data=edit).status_code == 302
    edited = user(app, id=picker.id)
    assert (edited.name, edited.badge, edited.pin_digest) == (
        "Пётр Иванов",
        "PICKER-78",
        picker.pin_digest,  # a blank PIN keeps the old one
    )
    assert client.post(f"/users/{picker.id}/active", data={"active": "0"}).status_code == 302
    assert user(app, id=picker.id).active is False
    assert tsd.post("/tsd/login", data={"badge": "PICKER-78"}).status_code == 422
    assert client.post("/users/999999", data=edit).status_code == 404


def test_admin_creates_a_supervisor_with_a_password(app):
    client = desk(app)
    data = {"role": "supervisor", "name": "Смена 2", "login": "shift2", "password": "pass-word"}
    assert client.post("/users", data=data).status_code == 302
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"login": "shift2", "password": "pass-word"}).status_code == 302
    )
    no_password = client.post("/users", data=data | {"login": "shift3", "password": ""})
    assert no_password.status_code == 422


def test_a_supervisor_manages_pickers_only(app):
    client = desk(app, role="supervisor")
    assert (
        client.post(
            "/users", data={"role": "picker", "name": "Пётр", "badge": "PICKER-77"}
        ).status_code
        == 302
    )
    grab = {"role": "admin", "name": "Я главный", "login": "me", "password": "long-enough"}
    assert client.post("/users", data=grab).status_code == 403
    assert user(app, login="me") is None
    chief = user(app, login="chief")
    assert client.post(f"/users/{chief.id}/active", data={"active": "0"}).status_code == 403
    assert user(app, login="chief").active is True


def test_pickers_cannot_open_the_user_pages(app):
    with app.app_context():
        f.make_picker(db.session(), badge="PICKER-1")
        db.session().commit()
    client = app.test_client()
    client.post("/tsd/login", data={"badge": "PICKER-1"})
    assert client.get("/users").status_code == 302


def test_the_last_admin_cannot_be_deactivated(app):
    client = desk(app)
    chief = user(app, login="chief")
    response = client.post(f"/users/{chief.id}/active", data={"active": "0"})
    assert response.status_code == 422
    assert user(app, login="chief").active is True


def test_two_pickers_may_choose_the_same_pin(app):
    """The PIN is a second factor after a badge: it need not be unique, and refusing a
    taken one would tell a supervisor that somebody already uses it."""
    client = desk(app)
    for badge in ("PICKER-81", "PICKER-82"):
        made = client.post(
            "/users", data={"role": "picker", "name": badge, "badge": badge, "pin": "2468"}
        )
        assert made.status_code == 302, made.get_data(as_text=True)
    tsd = app.test_client()
    assert tsd.post("/tsd/login", data={"badge": "PICKER-82"}).status_code == 302
    assert tsd.post("/tsd/login/pin", data={"pin": "2468"}).status_code == 302
    assert "PICKER-82" in tsd.get("/tsd/").get_data(as_text=True)
