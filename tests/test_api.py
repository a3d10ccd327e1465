"""The integration API (issue 16): service accounts made on the desk, their tokens and
scopes, rate limits and request log; orders read page by page; problem details; the
OpenAPI document."""

from __future__ import annotations

import re
import threading

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.integrations import service_accounts
from warehouse.models import (
    API_SCOPES,
    ApiRequest,
    ApiToken,
    MarketplaceAccount,
    Order,
    ServiceAccount,
    User,
)

TOKEN_RE = re.compile(r"wh_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def _people(app) -> None:
    with app.app_context():
        s = db.session()
        f.make_supervisor(s, "root", "root", role="admin")
        f.make_supervisor(s)  # boss / boss
        s.commit()


def _stock(app) -> int:
    """A warehouse with a product in stock and a WB cabinet; the cabinet's id."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        product = f.make_product(s, "SKU-1", "4600000000011")
        f.put_stock(s, product, f.make_location(s, warehouse, "A-01"), 1000)
        s.commit()
        return account.id


def _orders(app, account_id: int, *numbers: str) -> None:
    with app.app_context():
        s = db.session()
        account = s.get_one(MarketplaceAccount, account_id)
        for number in numbers:
            f.import_order(s, account, number, ("4600000000011", 1))
        s.commit()


def _token(app, scopes: tuple[str, ...] = ("orders:read",), per_minute: int = 120) -> str:
    with app.app_context():
        s = db.session()
        admin = s.scalar(select(User).where(User.login == "root")) or f.make_supervisor(
            s, "root", "root", role="admin"
        )
        name = f"system-{len(s.scalars(select(ServiceAccount)).all())}"
        account = service_accounts.create(s, name, scopes, admin)
        token = service_accounts.issue_token(s, account, admin, per_minute=per_minute)
        s.commit()
        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_makes_an_account_on_the_desk_and_its_token_is_shown_once(app, client):
    _people(app)
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/integrations/").get_data(as_text=True)
    assert "Интеграции" in page and "заводит только администратор" in page
    refused = client.post("/integrations/", data={"name": "1C", "scope": "orders:read"})
    assert refused.status_code == 403
    client.post("/logout")
    client.post("/login", data={"login": "root", "password": "root"})
    made = client.post(
        "/integrations/", data={"name": "1C:УТ", "scope": ["orders:read", "stock:read"]}
    )
    assert made.status_code == 302
    with app.app_context():
        account = db.session().scalar(select(ServiceAccount))
        assert account is not None and account.scopes == {"orders:read", "stock:read"}
        account_id = account.id
    issued = client.post(f"/integrations/{account_id}/tokens", data={"label": "prod"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    shown = TOKEN_RE.findall(issued.get_data(as_text=True))
    assert len(shown) == 1
    token = shown[0]
    again = client.get("/integrations/").get_data(as_text=True)
    assert token not in again and token[:15] in again  # only its prefix is shown again
    with app.app_context():
        row = db.session().scalar(select(ApiToken))
        assert row is not None and token not in (row.secret_hash, row.prefix)
    assert client.get("/api/v1/orders", headers=bearer(token)).status_code == 200
    duplicate = client.post("/integrations/", data={"name": "1C:УТ", "scope": "orders:read"})
    assert duplicate.status_code == 422 and "уже есть" in duplicate.get_data(as_text=True)
    unknown = client.post("/integrations/", data={"name": "X", "scope": "everything"})
    assert unknown.status_code == 422
    assert client.get("/integrations/987654/log").status_code == 404
    assert client.post("/integrations/987654/tokens").status_code == 404


def test_every_endpoint_refuses_a_missing_wrong_revoked_or_underscoped_token(app, client):
    _people(app)
    every = _token(app, API_SCOPES)
    revoked, switched_off = _token(app, API_SCOPES), _token(app, API_SCOPES)
    with app.app_context():
        s = db.session()
        admin = s.scalar(select(User))
        row = _token_row(s, revoked)
        service_accounts.revoke(s, row.account, row.id, admin)
        service_accounts.set_active(_token_row(s, switched_off).account, False)
        s.commit()
    wrong = every[:-4] + ("aaaa" if not every.endswith("aaaa") else "bbbb")
    operations = api_operations(app, client)
    assert {("GET", "/api/v1/orders"), ("POST", "/api/v1/stock/corrections")} <= set(operations)
    for (method, path), scope in operations.items():
        for headers in (
            {},
            bearer("nope"),
            bearer(wrong),
            bearer(revoked),
            bearer(switched_off),
            {"Authorization": every},
        ):
            answer = client.open(path, method=method, headers=headers, json={})
            assert answer.status_code == 401, (method, path, headers)
            assert answer.mimetype == "application/problem+json"
            assert answer.get_json()["code"] == "unauthorized"
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        others = tuple(other for other in API_SCOPES if other != scope)
        under = client.open(path, method=method, headers=bearer(_token(app, others)), json={})
        assert under.status_code == 403 and scope in under.get_json()["detail"], (method, path)
        allowed = client.open(path, method=method, headers=bearer(_token(app, (scope,))), json={})
        assert allowed.status_code not in (401, 403), (method, path)


def _token_row(session, token: str) -> ApiToken:  # type: ignore[no-untyped-def]
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == token.split("_")[1]))
    assert row is not None
    return row


def api_operations(app, client) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    """Every operation of the document with the scope it needs, ids filled with 1; the
    document's paths are the app's routes under /api/v1 (a test checks that)."""
    doc = client.get("/api/v1/openapi.json").get_json()
    return {
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path)): operation["security"][0]["token"][0]
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
    }


def api_paths(app) -> list[str]:
    """Every route under /api/v1 but the document and its page, ids filled with 1."""
    paths = []
    for rule in app.url_map.iter_rules():
        path = str(rule)
        if path.startswith("/api/v1/") and rule.endpoint.startswith("api."):
            paths.append(re.sub(r"<[^>]+>", "1", path))
    return sorted(set(paths))


def test_orders_are_read_page_by_page_while_new_ones_arrive(app, client):
    account_id = _stock(app)
    _orders(app, account_id, *(f"A{n}" for n in range(7)))
    token = _token(app)
    seen: list[str] = []
    cursor, arriving = 0, iter(range(5))
    for _ in range(20):
        page = client.get(f"/api/v1/orders?limit=3&after={cursor}", headers=bearer(token))
        assert page.status_code == 200, page.get_data(as_text=True)
        body = page.get_json()
        seen += [order["external_id"] for order in body["items"]]
        cursor = body["next"]
        number = next(arriving, None)
        if number is not None:  # an import lands between two pages
            _orders(app, account_id, f"B{number}")
        elif not body["has_more"]:
            break
    assert sorted(seen) == sorted([f"A{n}" for n in range(7)] + [f"B{n}" for n in range(5)])
    assert len(seen) == len(set(seen))
    empty = client.get(f"/api/v1/orders?after={cursor}", headers=bearer(token)).get_json()
    assert empty == {"items": [], "next": cursor, "has_more": False}


def test_filters_and_one_order_with_its_lines_reservations_and_history(app, client):
    account_id = _stock(app)
    _orders(app, account_id, "W1", "W2")
    token = _token(app)
    with app.app_context():
        s = db.session()
        order = s.scalar(select(Order).where(Order.external_id == "W2"))
        assert order is not None
        order.status = "cancelled"
        s.commit()
        order_id = order.id
    cancelled = client.get("/api/v1/orders?status=cancelled", headers=bearer(token)).get_json()
    assert [o["external_id"] for o in cancelled["items"]] == ["W2"]
    assert cancelled["next"] > 0  # a filtered reader's cursor still moves on
    other = client.get("/api/v1/orders?marketplace=ozon", headers=bearer(token)).get_json()
    assert other["items"] == []
    since = client.get(
        "/api/v1/orders?changed_since=2000-01-01T00:00:00%2B03:00", headers=bearer(token)
    ).get_json()
    assert len(since["items"]) == 2
    detail = client.get(f"/api/v1/orders/{order_id}", headers=bearer(token)).get_json()
    assert detail["external_id"] == "W2" and detail["marketplace"] == "wb"
    assert detail["history"][-1]["to_status"] == "cancelled"
    first = client.get("/api/v1/orders?status=new", headers=bearer(token)).get_json()["items"]
    reserved = client.get(
        f"/api/v1/orders/{first[0]['id'] if first else order_id}", headers=bearer(token)
    ).get_json()
    assert reserved["lines"][0]["article"] is not None
    changes = client.get("/api/v1/orders/changes", headers=bearer(token)).get_json()
    assert [c["to_status"] for c in changes["items"]][-1] == "cancelled"
    later = client.get(f"/api/v1/orders/changes?after={changes['next']}", headers=bearer(token))
    assert later.get_json()["items"] == []


def test_refusals_are_problem_details_in_the_callers_language(app, client):
    _people(app)
    token = _token(app)
    missing = client.get("/api/v1/orders/987654", headers=bearer(token))
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    body = missing.get_json()
    assert body["code"] == "not_found" and body["instance"] == "/api/v1/orders/987654"
    assert body["type"] == "/api/v1/docs#problem-not_found" and body["detail"] == "Заказ не найден"
    english = client.get(
        "/api/v1/orders/987654", headers={**bearer(token), "Accept-Language": "en"}
    ).get_json()
    assert english["detail"] == "Order not found"
    bad = client.get("/api/v1/orders?limit=0&status=lost", headers=bearer(token))
    assert bad.status_code == 422
    wrong = {error["where"] for error in bad.get_json()["errors"]}
    assert wrong == {"limit", "status"}
    nowhere = client.get("/api/v1/no-such-thing", headers=bearer(token))
    assert nowhere.status_code == 404 and nowhere.mimetype == "application/problem+json"
    posted = client.post("/api/v1/orders", headers=bearer(token))
    assert posted.status_code == 405 and posted.get_json()["code"] == "method_not_allowed"


def test_a_token_over_its_limit_waits_and_every_call_is_logged(app, client):
    _people(app)
    token = _token(app, per_minute=3)
    answers = [client.get("/api/v1/orders", headers=bearer(token)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.get_json()["code"] == "too_many_requests"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    other = _token(app, per_minute=3)  # each token has its own limit
    assert client.get("/api/v1/orders", headers=bearer(other)).status_code == 200
    with app.app_context():
        s = db.session()
        prefix = token.split("_")[1]
        row = s.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
        assert row is not None and row.last_used_at is not None
        log = s.scalars(select(ApiRequest).where(ApiRequest.token_id == row.id)).all()
        assert [(call.method, call.path, call.status) for call in log] == [
            ("GET", "/api/v1/orders", 200)
        ] * 3 + [("GET", "/api/v1/orders", 429)]
    client.post("/login", data={"login": "boss", "password": "boss"})
    with app.app_context():
        account_id = db.session().scalars(select(ServiceAccount.id)).first()
    page = client.get(f"/integrations/{account_id}/log").get_data(as_text=True)
    assert page.count("GET /api/v1/orders") == 4 and "429" in page


def test_the_openapi_document_validates_and_covers_every_endpoint(app, client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    doc = answer.get_json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    documented = {re.sub(r"\{[^}]+\}", "1", path) for path in doc["paths"]}
    assert documented == set(api_paths(app))
    for operations in doc["paths"].values():
        for operation in operations.values():
            assert operation["security"][0]["token"], operation["operationId"]
            problem = operation["responses"]["401"]["content"]
            assert list(problem) == ["application/problem+json"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "GET /api/v1/orders/changes" in text and 'id="problem-not_found"' in text


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_documentation_page_speaks_both_languages(client, language):
    page = client.get(f"/api/v1/docs?lang={language}").get_data(as_text=True)
    assert ("Параметр" if language == "ru" else "Parameter") in page


def test_an_order_committed_late_with_a_smaller_id_is_not_skipped(app, client):
    """PostgreSQL lets two imports write at once: order 1 (first id) commits after order 2.
    A reader that saw 2 alone would move its cursor past 1 for good; the page waits for
    the writer in flight instead (SQLite has one writer at a time: nothing to race)."""
    account_id = _stock(app)
    token = _token(app)
    engine = app.extensions["db.engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("one writer at a time: ids commit in order")
    from sqlalchemy.orm import Session

    def order(number: str) -> Order:
        return Order(account_id=account_id, external_id=number, marketplace_status="new")

    slow, quick = Session(engine), Session(engine)
    slow.add(order("SLOW"))
    slow.flush()  # the smaller id, not committed
    quick.add(order("QUICK"))
    quick.commit()
    timer = threading.Timer(0.5, slow.commit)
    timer.start()
    try:
        page = client.get("/api/v1/orders", headers=bearer(token)).get_json()
    finally:
        timer.join()
        slow.close()
        quick.close()
    assert [o["external_id"] for o in page["items"]] == ["SLOW", "QUICK"]


def test_a_writer_that_does_not_finish_makes_the_reader_busy_not_wrong(app, client):
    account_id = _stock(app)
    token = _token(app)
    engine = app.extensions["db.engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("one writer at a time: ids commit in order")
    from sqlalchemy.orm import Session

    stuck = Session(engine)
    stuck.add(Order(account_id=account_id, external_id="STUCK", marketplace_status="new"))
    stuck.flush()
    try:
        answer = client.get("/api/v1/orders", headers=bearer(token))
    finally:
        stuck.rollback()
        stuck.close()
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 2
    assert answer.get_json()["code"] == "busy"
    assert client.get("/api/v1/orders", headers=bearer(token)).status_code == 200
