"""The orders window on the desk: who may see it, its links, its refusals, its marks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories as f
from warehouse.infra import db
from warehouse.models import Order, OrderLine, OrderNumber, utcnow
from warehouse.orders import numbers


def _order(session, account, external, ship_by=None, status="reserved") -> Order:
    order = Order(
        account=account,
        external_id=external,
        marketplace_status="new",
        status=status,
        ship_by=ship_by,
        raw={},
    )
    order.lines.append(OrderLine(article=f"ART-{external}", quantity=2))
    kept = numbers.of(account.kind, order.external_id, order.group_id or "", order.raw)
    order.numbers = [OrderNumber(number=number) for number in kept]
    session.add(order)
    return order


@pytest.fixture
def desk(app):
    """A supervisor, a picker and orders: one late, one nearly late, one far, one gone."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        f.make_supervisor(session)
        f.make_picker(session, badge="PICKER-9")
        now = utcnow()
        _order(session, account, "LATE-1", now - timedelta(hours=2, minutes=5), "picking")
        _order(session, account, "SOON-1", now + timedelta(hours=1, minutes=30))
        _order(session, account, "FAR-1", now + timedelta(days=3))
        _order(session, account, "GONE-1", now - timedelta(days=3), "delivered")
        session.commit()
        return account.id


def _login(client):
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302


def test_a_picker_or_a_stranger_cannot_see_the_orders(client, desk):
    for path in ("/", "/orders", "/orders?q=LATE-1"):
        assert client.get(path).status_code == 302
    client.post("/tsd/login", data={"badge": "PICKER-9"})
    for path in ("/", "/orders", "/orders?q=LATE-1"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.location.endswith("/login"), path
    refused = client.get("/orders", headers={"HX-Request": "true"})
    assert refused.status_code == 401 and refused.headers["HX-Redirect"] == "/login"


def test_late_and_nearly_late_rows_say_so_in_words(client, desk):
    _login(client)
    page = client.get("/").get_data(as_text=True)
    assert 'id="order-filters"' in page and 'id="orders"' in page
    assert page.index("LATE-1") < page.index("SOON-1") < page.index("FAR-1")
    assert "GONE-1" not in page  # the window opens on orders still in work
    late_row = page[page.index('class="order-row late"') :]
    assert "просрочен на 2 ч 0" in late_row[: late_row.index("</tr>")]
    soon_row = page[page.index('class="order-row at-risk"') :]
    assert "осталось 1 ч " in soon_row[: soon_row.index("</tr>")]
    assert page.count('class="order-row"') == 1  # the far one is plain


def test_the_list_fragment_pushes_the_desk_link_and_keeps_the_filters(app, client, desk):
    _login(client)
    answer = client.get(
        "/orders?q=ART-FAR-1&marketplace=wb",
        headers={"HX-Request": "true", "HX-Trigger": "order-filters"},
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body
    assert answer.headers["HX-Push-Url"] == "/?marketplace=wb&q=ART-FAR-1"
    assert "FAR-1" in body and "LATE-1" not in body
    assert 'hx-get="/orders?marketplace=wb&amp;q=ART-FAR-1"' in body  # its own refresh
    refresh = client.get(
        "/orders?q=ART-FAR-1&marketplace=wb", headers={"HX-Request": "true", "HX-Trigger": "orders"}
    )
    assert "HX-Push-Url" not in refresh.headers  # a refresh leaves the address and history alone


def test_pages_turn_by_cursor_with_the_filters_kept(app, client, desk):
    app.config["ORDERS_PAGE_SIZE"] = 2
    _login(client)
    first = client.get("/?marketplace=wb").get_data(as_text=True)
    assert "LATE-1" in first and "SOON-1" in first and "FAR-1" not in first
    start = first.index('class="next-page" href="') + len('class="next-page" href="')
    link = first[start : first.index('"', start)].replace("&amp;", "&")
    assert link.startswith("/?marketplace=wb&after=")
    second = client.get(link).get_data(as_text=True)
    assert "FAR-1" in second and "LATE-1" not in second and 'class="next-page"' not in second
    assert 'class="first-page" href="/?marketplace=wb"' in second


@pytest.mark.parametrize(
    "query",
    ["after=%FF%FE", "after=bm90LWEtY3Vyc29y", "from=2026-02-30", "to=31.12.2026", "status=lost"],
)
def test_a_broken_link_is_a_400_in_words_never_a_500(client, desk, query):
    _login(client)
    page = client.get(f"/?{query}")
    assert page.status_code == 400
    assert "Ссылку на заказы не удалось прочитать" in page.get_data(as_text=True)
    fragment = client.get(f"/orders?{query}", headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and "<html" not in fragment.get_data(as_text=True)


def test_the_status_chips_keep_the_other_filters(client, desk):
    _login(client)
    page = client.get("/?marketplace=wb&q=x").get_data(as_text=True)
    assert 'href="/?marketplace=wb&amp;q=x&amp;status=packed"' in page
