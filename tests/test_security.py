"""What a forged request, a PIN guesser, a crafted link or a huge id gets: nothing.

Every test here failed before its fix (issue #10, items 5–9 and the wrong-PIN words of 19).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from tests.test_api import _token
from tests.test_web import _task
from warehouse import demo
from warehouse.infra import db
from warehouse.models import API_SCOPES, User
from warehouse.web import security

EVIL = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}
HUGE_IDS = (2**31, 2**63, 2**64, 10**30)  # ids are INTEGER (32-bit on PostgreSQL)
MISSING_ID = 987654321


@pytest.fixture
def supervisor(app: Flask) -> User:
    with app.app_context():
        boss = User(
            name="Boss", role="admin", login="boss", password_hash=generate_password_hash("pw")
        )
        db.session().add(boss)
        db.session().commit()
        return boss


@pytest.fixture
def demo_data(app: Flask) -> None:
    with app.app_context():
        demo.load(
            db.session(),
            public_url="http://127.0.0.1:9",
            credentials_key=app.config["CREDENTIALS_KEY"],
            pin_secret=app.config["SECRET_KEY"],
        )
        db.session().commit()


def plain_client(app: Flask) -> FlaskClient:
    """A client that sends no CSRF token, as a forged cross-site form would."""
    return FlaskClient(app, app.response_class, use_cookies=True)


def log_in_supervisor(client: FlaskClient) -> None:
    answer = client.post("/login", data={"login": "boss", "password": "pw"})
    assert answer.status_code == 302


def state_changing_urls(app: Flask) -> list[str]:
    """Every POST/PUT/PATCH/DELETE route of our own pages (not the API, the marketplaces'
    pushes — Basic auth, no cookies — or the sandboxes)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not set(rule.methods or ()) & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        if rule.rule.startswith(("/api/", "/push/", "/sandbox/", "/static")):
            continue
        urls.append(re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule))
    return urls


def test_every_state_changing_request_needs_the_csrf_token(app, supervisor):
    forger = plain_client(app)
    # the session is real (the forger rides on the supervisor's cookie) but has no token
    with app.test_client() as honest:
        log_in_supervisor(honest)
        cookie = honest.get_cookie("session")
        assert cookie is not None
        forger.set_cookie("session", cookie.value)
    urls = state_changing_urls(app)
    assert len(urls) > 30
    for url in urls:
        refused = forger.post(url, data={"action": "cancel", "name": "x"}, headers=EVIL)
        assert refused.status_code == 400, url
        htmx = forger.post(url, headers={**EVIL, "HX-Request": "true"})
        assert htmx.status_code == 400 and htmx.headers.get("HX-Refresh") == "true", url


def test_a_forged_printer_and_status_mapping_change_nothing(app, supervisor):
    from sqlalchemy import func, select

    from warehouse.models import Printer, StatusMap

    forger = plain_client(app)
    forger.post("/login", data={"login": "boss", "password": "pw"}, headers=EVIL)
    assert forger.post("/printers", data={"name": "evil", "address": "10.0.0.1"}).status_code == 400
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Printer)) == 0
        assert db.session().scalar(select(func.count()).select_from(StatusMap)) == 0


def test_the_pages_carry_the_token_for_forms_and_htmx(app, client, supervisor):
    log_in_supervisor(client)
    page = client.get("/printers").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert token is not None
    assert f'hx-headers=\'{{"X-CSRFToken": "{token.group(1)}"}}\'' in page
    assert 'name="csrf_token"' in page  # the logout and language forms


def test_a_pin_alone_does_not_log_in(client, demo_data):
    answer = client.post("/tsd/login", data={"badge": "1002"})
    assert answer.status_code == 422
    assert "Сначала сканируйте бейдж, затем введите PIN" in answer.get_data(as_text=True)
    assert client.get("/tsd/").status_code == 302


def test_pin_guessing_stops_before_the_right_pin(app, client, demo_data):
    assert client.post("/tsd/login", data={"badge": "PICKER-002"}).status_code == 302
    limit = int(app.config["LOGIN_LIMIT_PER_PERSON"].split()[0])
    for guess in range(limit):
        assert client.post("/tsd/login/pin", data={"pin": f"{guess:04d}"}).status_code == 422
    stopped = client.post("/tsd/login/pin", data={"pin": "1002"})
    assert stopped.status_code == 429
    assert int(stopped.headers["Retry-After"]) > 0
    assert "Слишком много неверных попыток" in stopped.get_data(as_text=True)
    assert client.get("/tsd/").status_code == 302  # still not logged in


def test_one_device_cannot_try_badge_after_badge(app, client, demo_data):
    limit = int(app.config["LOGIN_LIMIT_PER_DEVICE"].split()[0])
    for n in range(limit):
        assert client.post("/tsd/login", data={"badge": f"PICKER-9{n:02d}"}).status_code == 422
    stopped = client.post("/tsd/login", data={"badge": "PICKER-001"})
    assert stopped.status_code == 429
    assert "Подождите" in stopped.get_data(as_text=True)


def test_supervisor_password_guessing_is_limited(app, supervisor):
    limit = int(app.config["LOGIN_LIMIT_PER_PERSON"].split()[0])
    for n in range(limit):
        # from several devices: the limit follows the login name, not only the address
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"127.0.0.{n + 2}"
        assert (
            guesser.post("/login", data={"login": "boss", "password": f"x{n}"}).status_code == 422
        )
    right = app.test_client().post("/login", data={"login": "Boss", "password": "pw"})
    assert right.status_code == 429


def test_a_right_login_does_not_use_up_the_limit(app, client, demo_data):
    for _ in range(int(app.config["LOGIN_LIMIT_PER_DEVICE"].split()[0]) + 2):
        assert client.post("/tsd/login", data={"badge": "PICKER-001"}).status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_the_language_switch_stays_on_this_site(client, target):
    answer = client.post("/lang/en", data={"next": target}, headers=EVIL)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/tsd/"


def test_the_language_switch_returns_to_the_page(client):
    answer = client.post("/lang/ru", data={"next": "/orders?status=new"})
    assert answer.headers["Location"] == "/orders?status=new"


def test_security_headers_and_cookie_flags(app, client, supervisor):
    answer = client.post("/login", data={"login": "boss", "password": "pw"})
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    cookie = answer.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # plain HTTP on the LAN: a Secure cookie would never return


def _plain_app(database_url: str, redis_url: str, **config: object) -> Flask:
    """An app of its own (not the suite's), CSRF off, with ``config`` on top."""
    from warehouse import create_app

    base = {
        "ENV": "test",
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "s",
        "CREDENTIALS_KEY": "x" * 43 + "=",
        "WTF_CSRF_ENABLED": False,
    }
    return create_app({**base, **config})


def test_behind_tls_the_session_cookie_is_secure(database_url, redis_url, tmp_path):
    app = _plain_app(database_url, redis_url, PUBLIC_URL="https://warehouse.example")
    client = app.test_client()
    answer = client.post(
        "/login", data={"login": "nobody", "password": "x"}, base_url="https://warehouse.example"
    )
    assert "Secure" in answer.headers["Set-Cookie"]
    assert "max-age" in answer.headers["Strict-Transport-Security"]


def test_behind_a_proxy_the_client_is_the_one_it_forwards(database_url, redis_url):
    """nginx in front (PROXY_HOPS=1): each device's login attempts count apart, although
    every request reaches gunicorn from the proxy's address; without the setting, the
    headers are not believed (anyone could send them)."""

    def attempts(hops: int) -> list[int]:
        app = _plain_app(
            database_url, redis_url, LOGIN_LIMIT_PER_DEVICE="2 per minute", PROXY_HOPS=hops
        )
        client = app.test_client()
        codes = []
        for n in range(3):  # three devices, one wrong badge each
            forwarded = {"X-Forwarded-For": f"10.0.0.{n + 1}", "X-Forwarded-Proto": "https"}
            codes.append(
                client.post("/tsd/login", data={"badge": "NOBODY"}, headers=forwarded).status_code
            )
        return codes

    assert 429 not in attempts(1)  # three devices: each its own count
    assert attempts(0)[-1] == 429  # one address (the proxy's): the third is refused


def test_no_page_has_an_inline_script(app, client, supervisor, demo_data):
    """The CSP allows only our own script files: an inline handler would be dead."""
    log_in_supervisor(client)
    for url in ("/", "/locations", "/badges", "/printers", "/labels/preview", "/tsd/login"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert not re.search(r"\son[a-z]+=", page), url
        assert "hx-on" not in page, url


def id_urls(app: Flask, value: int) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule or rule.rule.startswith("/sandbox/"):
            continue
        url = re.sub(r"<int:[^>]+>", str(value), rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


@pytest.mark.parametrize("value", [*HUGE_IDS, MISSING_ID])
def test_an_id_that_does_not_exist_is_404_never_500(app, client, supervisor, value):
    log_in_supervisor(client)
    urls = id_urls(app, value)
    assert len(urls) > 30
    api = {"Authorization": f"Bearer {_token(app, API_SCOPES, per_minute=100_000)}"}
    for method, url in urls:
        data = {"action": "printed", "barcode": "4601234567893", "scan_id": "s1", "reason": "x"}
        headers = api if url.startswith("/api/") else {}
        answer = client.open(url, method=method, data=data, headers=headers)
        # a form that is itself wrong may be refused (422) before the id is looked up;
        # never a 500, and never accepted as if the thing existed
        allowed = (404,) if method == "GET" or value in HUGE_IDS else (404, 422)
        assert answer.status_code in allowed, (method, url, answer.status_code)


def test_a_missing_page_speaks_russian_in_the_tsd_layout(client):
    page = client.get("/tsd/no-such-page")
    text = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "Такой страницы нет" in text and 'class="tsd"' in text and "К заданиям" in text


def test_a_missing_page_on_the_desk_keeps_the_desk_layout(client):
    text = client.get("/no-such-page").get_data(as_text=True)
    assert "Такой страницы нет" in text and 'class="desk"' in text and "К заказам" in text


def test_the_desk_has_a_language_switch(client, supervisor):
    page = client.get("/login").get_data(as_text=True)
    assert 'action="/lang/en"' in page
    client.post("/lang/en", data={"next": "/login"})
    assert "Supervisor login" in client.get("/login").get_data(as_text=True)


# --- the access table on every route (issue #13 item 6) ------------------------------------

# routes that check no role: the ways in and out, the language switch, health
PUBLIC = {
    "static",
    "health.healthz",
    "language.switch",
    "tsd.login",
    "tsd.login_post",
    "tsd.login_pin",
    "tsd.login_pin_post",
    "tsd.logout",
    "supervisor.login",
    "supervisor.login_post",
    "supervisor.logout",
    "users.setup",
    "users.setup_post",
}
# one person per way of working: each ТСД role alone, a picker who also packs, the desk
PROFILES = {
    "picker": ("picker",),
    "packer": ("packer",),
    "loader": ("loader",),
    "picker+packer": ("picker", "packer"),
    "supervisor": ("supervisor",),
    "admin": ("admin",),
}


def our_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every page and form of ours, ids that do not exist."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/push/", "/sandbox/", "/static")):
            continue
        url = re.sub(r"<int:[^>]+>", str(MISSING_ID), rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def person_client(app: Flask, name: str, roles: tuple[str, ...]) -> FlaskClient:
    """A client logged in as a new person holding ``roles`` (ТСД: badge; desk: password)."""
    from warehouse.models import UserRole

    with app.app_context():
        main, *more = roles
        on_tsd = main not in ("supervisor", "admin")
        person = User(
            name=name,
            role=main,
            badge=f"B-{name}" if on_tsd else None,
            login=None if on_tsd else name,
            password_hash=None if on_tsd else generate_password_hash("pw"),
        )
        person.extra_roles = [UserRole(role=role) for role in more]
        db.session().add(person)
        db.session().commit()
    client = app.test_client()
    if on_tsd:
        answer = client.post("/tsd/login", data={"badge": f"B-{name}"})
    else:
        answer = client.post("/login", data={"login": name, "password": "pw"})
    assert answer.status_code == 302, name
    return client


def test_every_route_names_its_area_of_the_access_table(app):
    from warehouse.staff.access import ACCESS
    from warehouse.web.auth import area_of

    for endpoint, _method, url in our_routes(app):
        area = area_of(app, endpoint)
        assert area in ACCESS or (area is None and endpoint in PUBLIC), (endpoint, url)


def test_each_role_opens_only_the_routes_its_roles_allow(app):
    """Every ТСД and desk route, with every role: an allowed person reaches the page (or
    its 404 — the ids do not exist), another gets a 403 in words on the ТСД and the desk's
    login page at the desk."""
    from warehouse.staff.access import ACCESS
    from warehouse.web.auth import area_of

    with app.app_context():
        from tests import factories as f

        f.make_warehouse(db.session())
        db.session().commit()
    data = {"barcode": "x", "scan_id": "s1", "reason": "x", "name": ""}
    routes = [(e, m, u) for e, m, u in our_routes(app) if e not in PUBLIC]
    for name, roles in PROFILES.items():
        client = person_client(app, name.replace("+", "-"), roles)
        for endpoint, method, url in routes:
            area = area_of(app, endpoint)
            assert area is not None
            answer = client.open(url, method=method, data=data)
            where = (name, method, url, answer.status_code)
            login = answer.headers.get("Location", "") in ("/login", "/tsd/login")
            if set(roles) & set(ACCESS[area]):
                assert answer.status_code not in (401, 403, 500) and not login, where
            elif url.startswith("/tsd") or set(roles) & set(ACCESS["desk"]):
                # the ТСД, or a desk person outside an admin's settings: told in words
                assert answer.status_code == 403, where
                assert "Это не ваша работа" in answer.get_data(as_text=True), where
            else:
                assert answer.status_code == 302 and answer.headers["Location"] == "/login", where


def test_limits_sit_on_the_login_routes_only_and_a_scan_never_meets_the_limiter(app, client):
    """Flask-Limiter's check before every request is skipped (``ViewLimiter``): that is
    only right while every limit is a view's own decorator (the logins', each API view's
    per-token limit), checked when the view runs. A login answer carries the limit's
    headers; a scan's answer has none."""
    limited = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "__wrapper-limiter-instance", None) == security.limiter
    }
    logins = {"tsd.login_post", "tsd.login_pin_post", "supervisor.login_post"}
    api = {endpoint for endpoint in app.view_functions if endpoint.startswith("api.")}
    assert limited == logins | api and len(api) >= 3
    for setting in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META"):
        assert not app.config.get(setting), setting
    with app.app_context():
        task_id = _task(db.session())
    refused = client.post("/tsd/login", data={"badge": "NOBODY"})
    assert refused.status_code == 422 and "X-RateLimit-Limit" in refused.headers
    assert client.post("/tsd/login", data={"badge": "PICKER-9"}).status_code == 302
    client.post(f"/tsd/tasks/{task_id}/start")
    scanned = client.post(
        f"/tsd/tasks/{task_id}/scan", data={"barcode": "LOC-A-01", "scan_id": "limits-1"}
    )
    assert scanned.status_code == 200 and "X-RateLimit-Limit" not in scanned.headers


def test_no_view_sets_security_headers_of_its_own(app):
    """``security.Headers`` builds Talisman's options and policy line once for every
    answer: a view with options of its own (``@talisman(...)``) would be served the
    common ones."""
    for endpoint, view in app.view_functions.items():
        assert not hasattr(view, "talisman_view_options"), endpoint
