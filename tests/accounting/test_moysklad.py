"""МойСклад: the connector and the assortment import against the sandbox over loopback HTTP.

Payloads fed to the sandbox are the official reference's own examples
(github.com/moysklad/api-remap-1.2-doc, md/dictionaries/_assortment.md «Получить
Ассортимент», md/dictionaries/_product.md «Штрихкоды»).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.accounting.conftest import TOKEN, MoySkladSandbox
from tests.conftest import CREDENTIALS_KEY
from warehouse import jobs
from warehouse.accounting import accounts, assortment
from warehouse.accounting.moysklad import MoySkladClient
from warehouse.marketplaces.base import AuthError, TransientError
from warehouse.models import AccountingItem, AccountingSync, Product, ProductBarcode

CURRENCY = {
    "meta": {
        "href": "https://api.moysklad.ru/api/remap/1.2/entity/currency/10772c12-36e7-11e7-8a7f-40d000000097",
        "type": "currency",
        "mediaType": "application/json",
    }
}
# The reference's example rows (a product, a service, a variant with every barcode kind).
REFERENCE_PRODUCT = {
    "meta": {"type": "product"},
    "id": "35427052-36e7-11e7-8a7f-40d0000000d7",
    "name": "product",
    "code": "00001",
    "externalCode": "LsAGeHdbgyQ3oSlTzZUvH0",
    "archived": False,
    "buyPrice": {"value": 500.0, "currency": CURRENCY},
    "article": "100000000",
    "barcodes": [{"ean13": "2000000000015"}],
}
REFERENCE_SERVICE = {
    "meta": {"type": "service"},
    "id": "437f2d67-36e7-11e7-8a7f-40d0000000df",
    "name": "service",
    "code": "00002",
    "externalCode": "DDBfxV4djLuOlbr80-I1A0",
    "buyPrice": {"value": 700.0, "currency": CURRENCY},
    "barcodes": [{"ean13": "34875834765872435"}],
}
REFERENCE_VARIANT = {
    "meta": {"type": "variant"},
    "id": "7944ef04-f831-11e5-7a69-971500188b20",
    "name": "Сапоги (размер 42)",
    "code": "00004",
    "externalCode": "hDGmIIuLgHGnvCfhsyTfJ0",
    "buyPrice": {"value": 1234.0, "currency": CURRENCY},
    "barcodes": [{"ean8": "20000000"}, {"code128": "code128 barcode"}, {"gtin": "00000000000130"}],
}


@pytest.fixture
def account(session, moysklad_sandbox: MoySkladSandbox):
    found = accounts.create(
        session,
        name="МойСклад",
        base_url=moysklad_sandbox.api_url,
        token=TOKEN,
        credentials_key=CREDENTIALS_KEY,
    )
    session.commit()
    return found


def _run_until_done(session, sync_id: int, calls: int = 30) -> list[str]:
    results = []
    for _ in range(calls):
        results.append(jobs.sync_assortment(sync_id))
        if results[-1] != "postponed":
            break
    session.expire_all()
    return results


def test_reference_rows_become_products_with_barcodes_and_buy_price(
    session, account, moysklad_sandbox
):
    moysklad_sandbox.add_rows(REFERENCE_PRODUCT, REFERENCE_SERVICE, REFERENCE_VARIANT)
    sync = assortment.start(session, account)
    session.commit()

    assert _run_until_done(session, sync.id) == ["done"]

    product = session.scalar(select(Product).where(Product.article == "100000000"))
    assert product is not None and product.name == "product"
    assert [b.barcode for b in product.barcodes] == ["2000000000015"]
    item = session.scalar(select(AccountingItem).where(AccountingItem.product_id == product.id))
    assert item.external_id == REFERENCE_PRODUCT["id"] and item.buy_price_kopecks == 500
    # a variant without an article is keyed by its code; every barcode kind is kept
    variant = session.scalar(select(Product).where(Product.article == "00004"))
    assert sorted(b.barcode for b in variant.barcodes) == sorted(
        ["20000000", "code128 barcode", "00000000000130"]
    )
    # a service is no goods: not a product
    assert session.scalar(select(func.count(Product.id))) == 2


def test_a_thousand_products_survive_429_500_timeouts_and_repeats(
    app, session, account, moysklad_sandbox
):
    moysklad_sandbox.generate(1000)
    app.config["MOYSKLAD_PAGE_LIMIT"] = 100
    moysklad_sandbox.app.config["SANDBOX_SLOW_SECONDS"] = 1.5  # beyond our 1 s timeout
    moysklad_sandbox.faults("429", retry_after=0.01)
    moysklad_sandbox.faults("duplicate", "500", "timeout", "drop", "429", retry_after=0.01)
    sync = assortment.start(session, account)
    session.commit()

    results = _run_until_done(session, sync.id)

    assert results[-1] == "done" and results.count("postponed") == 5
    assert session.scalar(select(func.count(Product.id))) == 1000
    assert session.scalar(select(func.count(ProductBarcode.id))) == 1000
    assert session.scalar(select(func.count(AccountingItem.id))) == 1000
    expected = _all_rows(moysklad_sandbox)
    prices = dict(
        session.execute(
            select(Product.article, AccountingItem.buy_price_kopecks).join(AccountingItem)
        ).all()
    )
    assert prices == {row["article"]: round(row["buyPrice"]["value"]) for row in expected}
    done = session.get(AccountingSync, sync.id)
    assert (done.status, done.total, done.attempts) == ("done", 1000, 5)


def test_a_second_import_changes_nothing_twice(session, account, moysklad_sandbox):
    moysklad_sandbox.generate(30)
    for _ in range(2):
        sync = assortment.start(session, account)
        session.commit()
        assert _run_until_done(session, sync.id) == ["done"]
    assert session.scalar(select(func.count(Product.id))) == 30
    assert session.scalar(select(func.count(ProductBarcode.id))) == 30


def test_a_barcode_of_another_product_is_not_taken(session, account, moysklad_sandbox):
    other = Product(article="OURS-1", name="наш товар")
    other.barcodes.append(ProductBarcode(barcode="2000000000015"))
    session.add(other)
    session.commit()
    moysklad_sandbox.add_rows(REFERENCE_PRODUCT)
    sync = assortment.start(session, account)
    session.commit()
    _run_until_done(session, sync.id)
    imported = session.scalar(select(Product).where(Product.article == "100000000"))
    assert imported.barcodes == []
    assert [b.barcode for b in other.barcodes] == ["2000000000015"]


def test_a_refused_token_marks_the_account_and_fails_the_run(session, account, moysklad_sandbox):
    moysklad_sandbox.app.config["SANDBOX_MOYSKLAD_TOKEN"] = "another"
    sync = assortment.start(session, account)
    session.commit()
    assert _run_until_done(session, sync.id) == ["failed"]
    assert account.problem == "auth"
    assert "1056" in (session.get(AccountingSync, sync.id).last_error or "")


def test_the_sandbox_answers_the_documented_401_and_415(moysklad_sandbox):
    refused = moysklad_sandbox.get("/entity/assortment", token="wrong")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == 1056
    plain = moysklad_sandbox.http.get(
        f"{moysklad_sandbox.api_url}/entity/assortment",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity"},
    )
    assert plain.status_code == 415 and plain.content == b""


def test_the_46th_request_in_3_seconds_is_a_429_with_the_documented_headers(moysklad_sandbox):
    answers = [moysklad_sandbox.get("/entity/assortment", limit=1) for _ in range(46)]
    assert [a.status_code for a in answers[:45]] == [200] * 45
    limited = answers[45]
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["code"] == 1049
    assert limited.headers["X-RateLimit-Limit"] == "45"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-Lognex-Retry-TimeInterval"] == "3000"
    assert 0 < int(limited.headers["X-Lognex-Retry-After"]) <= 3000
    client = MoySkladClient(moysklad_sandbox.api_url, TOKEN, timeout=2)
    with client, pytest.raises(TransientError) as raised:
        client.ping()
    assert 0 < (raised.value.retry_after or 0) <= 3


def test_paging_follows_next_href_and_stock_is_read_by_store(moysklad_sandbox):
    moysklad_sandbox.generate(25)
    first = moysklad_sandbox.get("/entity/assortment", limit=10).json()["meta"]
    assert first["size"] == 25 and first["nextHref"].endswith("limit=10&offset=10")
    with MoySkladClient(moysklad_sandbox.api_url, TOKEN, timeout=2) as client:
        page = client.assortment(20, 10)
        assert (len(page.rows), page.next_offset) == (5, None)
        stock = client.stock_by_store(0, 30)
        with pytest.raises(AuthError):
            MoySkladClient(moysklad_sandbox.api_url, "bad", timeout=2).ping()
    assert len(stock.rows) == 25
    item_id, stores = stock.rows[0]
    assert item_id == page.rows[0].external_id or len(item_id) == 36
    assert [s.store_name for s in stores] == ["Основной склад", "Не основной склад"]


def _all_rows(sandbox: MoySkladSandbox) -> list[dict]:
    return sandbox.get("/entity/assortment", limit=1000).json()["rows"]
