"""bench/orders_page.py runs: a tiny seed through the bench's own code, then every view it
times answers 200 with rows (the speed itself is measured by the bench, never here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select

from tests import factories as f
from warehouse.infra import db
from warehouse.models import MarketplaceAccount

BENCH = Path(__file__).resolve().parents[1] / "bench" / "orders_page.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("orders_page_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_seeds_and_every_view_it_times_answers(app, client):
    bench = _bench()
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        accounts = []
        for kind, name in bench.CABINETS:
            account = f.make_account(session, warehouse)
            account.kind, account.name = kind, name
            accounts.append((account.id, kind))
        f.make_supervisor(session)
        bench._products(session)
        asks = bench._orders(session, accounts, 300)
        session.commit()
        assert len(session.scalars(select(MarketplaceAccount)).all()) == 5
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302
    rows = {}
    for name, path, headers in bench.views(asks):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, name
        rows[name] = answer.get_data(as_text=True).count('class="order-row')
    assert rows["first page (whole desk page)"] >= 1 and rows["page in the middle (cursor)"] >= 1
    assert rows["search: a sticker"] == rows["search: an order number"] == 1
    found = client.get(f"/orders?q={asks['number']}").get_data(as_text=True)
    assert found.count('class="order-row') == 1 and asks["number"] in found
