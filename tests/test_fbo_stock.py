"""FBO stock read from each marketplace's own report and shown beside ours on the desk:
the demo's four cabinets against the sandboxes over HTTP, the read job, the pages."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import CREDENTIALS_KEY, load_demo, run_worker
from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.models import FboRead, FboStock, MarketplaceAccount, Product

SHIRT, MUG, THIRD, GONE = PRODUCTS[0], PRODUCTS[2], PRODUCTS[3], PRODUCTS[4]
WB_ROWS = [
    {"warehouse": "Коледино", "article": SHIRT.article, "available": 12, "reserved": 2},
    {"warehouse": "Казань", "article": MUG.article, "available": 5, "incoming": 3},
    {"warehouse": "Казань", "article": GONE.article, "available": 1},  # not ours any more
]


@pytest.fixture
def site(app, live_server, zebra):
    """The demo's cabinets; one demo product the sandboxes sell is no longer ours (its
    article and barcodes changed), so nothing of its report rows can be matched."""
    served = load_demo(app, live_server, zebra, ("wb", "ozon", "yandex", "megamarket"))
    with app.app_context():
        s = db.session()
        gone = s.scalars(select(Product).where(Product.article == GONE.article)).one()
        gone.article, gone.barcodes = "RENAMED-1", []
        s.commit()
    return served


def _accounts(app) -> dict[str, int]:
    with app.app_context():
        found = db.session().execute(select(MarketplaceAccount.kind, MarketplaceAccount.id))
        return dict(found.tuples().all())


def _set(site, kind: str, rows: list[dict]) -> None:
    answer = httpx.post(f"{site.url}/sandbox/{kind}/_control/fbo", json={"rows": rows})
    answer.raise_for_status()


def _kept(app, account_id: int) -> dict[tuple[str, str], tuple[int, int, int]]:
    with app.app_context():
        rows = db.session().execute(
            select(
                Product.article,
                FboStock.warehouse_name,
                FboStock.available,
                FboStock.reserved,
                FboStock.incoming,
            )
            .join(Product, Product.id == FboStock.product_id)
            .where(FboStock.account_id == account_id)
        )
        return {(a, w): (av, r, i) for a, w, av, r, i in rows}


def _read_all(app, site) -> dict[str, int]:
    ids = _accounts(app)
    _set(site, "wb", WB_ROWS)
    _set(
        site,
        "ozon",
        [
            {
                "warehouse": "ТВЕРЬ_РФЦ",
                "article": MUG.article,
                "available": 4,
                "reserved": 1,
                "incoming": 20,
            }
        ],
    )
    _set(
        site,
        "yandex",
        [{"warehouse": "145", "article": THIRD.article, "available": 6, "reserved": 1}],
    )
    with app.app_context():
        assert jobs.read_fbo_stock(ids["wb"]) == "kept 4"
        assert jobs.read_fbo_stock(ids["ozon"]) == "kept 1"
        assert jobs.read_fbo_stock(ids["yandex"]) == "kept 1"
        assert jobs.read_fbo_stock(ids["megamarket"]) == "not read"  # its API gives none
    return ids


def test_each_marketplace_report_is_kept_per_product_and_warehouse(app, site):
    ids = _read_all(app, site)
    # WB's report is by barcode (no chrtId); the units on the way have no warehouse
    assert _kept(app, ids["wb"]) == {
        (SHIRT.article, "Коледино"): (12, 0, 0),
        (SHIRT.article, ""): (0, 2, 0),
        (MUG.article, "Казань"): (5, 0, 0),
        (MUG.article, ""): (0, 0, 3),
    }
    assert _kept(app, ids["ozon"]) == {(MUG.article, "ТВЕРЬ_РФЦ"): (4, 1, 20)}
    assert _kept(app, ids["yandex"]) == {(THIRD.article, "Yandex Market 145"): (6, 1, 0)}
    with app.app_context():
        note = db.session().get(FboRead, ids["wb"])
        assert note is not None and note.rows == 4 and note.unlinked == 1 and note.error is None


def test_a_failed_read_keeps_the_last_full_one_and_says_why(app, site):
    ids = _read_all(app, site)
    _set(site, "wb", [{"warehouse": "Коледино", "article": SHIRT.article, "available": 1}])
    httpx.post(f"{site.url}/sandbox/wb/_control/faults", json={"queue": ["500"]})
    with app.app_context():
        assert jobs.read_fbo_stock(ids["wb"]) == "failed"
        note = db.session().get(FboRead, ids["wb"])
        assert note is not None and note.error and note.failed_at is not None
    assert _kept(app, ids["wb"])[(SHIRT.article, "Коледино")] == (12, 0, 0)


def test_a_refused_report_does_not_stop_the_accounts_orders(app, site):
    """A WB token without the analytics category is refused on the analytics host only:
    the read fails in words, the account keeps importing and pushing."""
    ids = _accounts(app)
    with app.app_context():
        s = db.session()
        account = s.get_one(MarketplaceAccount, ids["wb"])
        account.credentials_encrypted = seal({"token": "no-analytics"}, CREDENTIALS_KEY)
        s.commit()
        assert jobs.read_fbo_stock(ids["wb"]) == "failed"
        s.expire_all()
        assert s.get_one(MarketplaceAccount, ids["wb"]).problem is None
        note = s.get(FboRead, ids["wb"])
        assert note is not None and "401" in (note.error or "")
        assert "no-analytics" not in (note.error or "")


def _login(client) -> None:
    client.post("/login", data={"login": "admin", "password": "admin"})


def test_the_stock_page_shows_fbo_beside_ours_and_reads_on_demand(app, site, client):
    ids = _read_all(app, site)
    _login(client)
    page = client.get("/stock/").get_data(as_text=True)
    rows = dict(re.findall(r'data-article="([^"]+)">(.*?)</tr>', page, re.S))
    fbo_cell = re.compile(r'<td class="num fbo"[^>]*>(\S+)</td>')
    assert fbo_cell.search(rows[SHIRT.article]).group(1) == "12"
    assert fbo_cell.search(rows[MUG.article]).group(1) == "9"  # WB 5 + Ozon 4
    assert fbo_cell.search(rows[PRODUCTS[1].article]).group(1) == "—"
    sources = dict(
        re.findall(r'<tr class="fbo-source" data-account="(\d+)">(.*?)</tr>', page, re.S)
    )
    assert "Коледино" in sources[str(ids["wb"])]
    assert "ТВЕРЬ_РФЦ" in sources[str(ids["ozon"])]
    assert "API маркетплейса не отдаёт остатки FBO" in sources[str(ids["megamarket"])]
    # one product: each account's warehouses
    with app.app_context():
        mug = db.session().scalar(select(Product.id).where(Product.article == MUG.article))
    product = client.get(f"/stock/products/{mug}").get_data(as_text=True)
    assert "Казань" in product and "ТВЕРЬ_РФЦ" in product and "в пути" in product
    # «Прочитать сейчас»: the job runs in the worker and the new report replaces the old
    _set(site, "ozon", [{"warehouse": "ТВЕРЬ_РФЦ", "article": MUG.article, "available": 40}])
    answer = client.post(f"/stock/fbo/{ids['ozon']}/read", follow_redirects=True)
    assert "Читаем остатки FBO" in answer.get_data(as_text=True)
    run_worker(app)
    assert _kept(app, ids["ozon"]) == {(MUG.article, "ТВЕРЬ_РФЦ"): (40, 0, 0)}
    assert client.post("/stock/fbo/987654321/read").status_code == 404


def test_the_read_button_is_the_desks_and_needs_the_csrf_token(app, site, client):
    ids = _accounts(app)
    anonymous = client.post(f"/stock/fbo/{ids['wb']}/read")
    assert anonymous.status_code in (302, 401, 403)
    _login(client)
    forged = client.post(f"/stock/fbo/{ids['wb']}/read", headers={"X-CSRFToken": ""})
    assert forged.status_code in (400, 403)


def test_cron_reads_the_accounts_whose_api_gives_fbo_stock(app, site):
    with app.app_context():
        assert jobs.read_all_fbo_stock() == 3  # WB, Ozon and the YM account with its FBY shop
