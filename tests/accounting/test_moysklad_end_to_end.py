"""The whole way to МойСклад, over HTTP, with a real RQ worker: 1,000 goods imported from the
МойСклад sandbox; WB orders (from the WB sandbox of the demo site) picked, packed, loaded
and their pickup closed; each order handed over arrives in МойСклад as one demand — while
the МойСклад sandbox answers 429, 500, times out and drops answers on the way.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.accounting.conftest import TOKEN, MoySkladSandbox
from tests.conftest import CREDENTIALS_KEY
from tests.test_close_wb import close, load, wb
from tests.test_marketplace_flows import import_all, pick_all
from warehouse import jobs
from warehouse.accounting import accounts, assortment
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import packing
from warehouse.infra import db
from warehouse.models import (
    AccountingDocument,
    AccountingItem,
    HandOver,
    Order,
    OutboxCommand,
    PickTask,
    User,
)

MUG, SOCKS, OTHER = PRODUCTS[2], PRODUCTS[3], PRODUCTS[1]  # OTHER: not in МойСклад


def until_delivered(app, worker, seconds: float = 60) -> None:
    """Run the worker until the outbox owes nothing (retries are scheduled apart)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        worker()
        with app.app_context():
            pending = db.session().scalar(
                select(func.count(OutboxCommand.id)).where(OutboxCommand.status == "pending")
            )
        if not pending:
            return
        time.sleep(0.3)


@pytest.fixture
def moysklad(app, demo_site, worker, moysklad_sandbox: MoySkladSandbox):
    """МойСклад with 1,000 goods — two of them the demo's mug and socks — imported through
    429 / 500 / timeouts, writing WB orders as demands from its main store."""
    assert not OTHER.marked
    moysklad_sandbox.add_rows(
        *(
            {"meta": {"type": "product"}, "name": p.name, "code": p.article, "article": p.article}
            for p in (MUG, SOCKS)
        )
    )
    moysklad_sandbox.generate(998)
    app.config["MOYSKLAD_PAGE_LIMIT"] = 100
    moysklad_sandbox.app.config["SANDBOX_SLOW_SECONDS"] = 1.5  # beyond our 1 s timeout
    moysklad_sandbox.faults("429", "500", "timeout", retry_after=0.01)
    with app.app_context():
        session = db.session()
        account = accounts.create(
            session,
            name="МойСклад",
            base_url=moysklad_sandbox.api_url,
            token=TOKEN,
            credentials_key=CREDENTIALS_KEY,
        )
        sync = assortment.start(session, account)
        session.commit()
        sync_id, account_id = sync.id, account.id
    deadline = time.monotonic() + 60
    with app.app_context():
        while time.monotonic() < deadline and jobs.sync_assortment(sync_id) == "postponed":
            time.sleep(0.05)
        session = db.session()
        assert session.scalar(select(func.count(AccountingItem.id))) == 1000
        accounts.set_document_settings(
            session,
            account_id,
            write=True,
            organization_id=next(iter(moysklad_sandbox.ids("organization").values())),
            store_id=moysklad_sandbox.ids("store")["Основной склад"],
            agents={"wb": moysklad_sandbox.ids("counterparty")["Wildberries"]},
        )
        session.commit()
    return account_id


def test_a_closed_pickup_of_several_orders_arrives_as_demands_through_faults(
    app, client, demo_site, worker, moysklad_sandbox, moysklad
):
    carts = [(MUG, 2), (SOCKS, 1), (OTHER, 1)]
    external = []
    for product, qty in carts:
        ids = wb(
            demo_site,
            "POST",
            "/_control/orders",
            json={"items": [{"article": product.article, "qty": qty}]},
        )
        external += [str(i) for i in ids.json()["ids"]]
    import_all(app, worker)
    with app.app_context():
        orders = {
            e: db.session().scalar(select(Order).where(Order.external_id == e)) for e in external
        }
        ids = [order.id for order in orders.values()]
        assert {order.status for order in orders.values()} == {"reserved"}
    for order_id in ids:
        pick_all(app, order_id)
    with app.app_context():
        session = db.session()
        packer = session.scalar(select(User).where(User.badge == "PICKER-001"))
        for task in session.scalars(select(PickTask).where(PickTask.order_id.in_(ids))):
            packing.pack_task(session, task.id, packer, None)
        session.commit()
    worker()
    handover_id = load(app, ids)
    moysklad_sandbox.faults("429", "500", "timeout", "drop", "duplicate", "drop", retry_after=0.01)

    close(app, handover_id)
    with app.app_context():  # closing waited on nothing: МойСклад is only owed the documents
        assert db.session().scalar(select(func.count(AccountingDocument.id))) == 0
    until_delivered(app, worker)

    with app.app_context():
        session = db.session()
        assert session.get(HandOver, handover_id).status == "closed"
        commands = session.scalars(
            select(OutboxCommand).where(OutboxCommand.accounting_account_id.is_not(None))
        ).all()
        assert len(commands) == 4 and {c.status for c in commands} == {"done"}
        assert sum(c.attempts for c in commands) > len(commands)  # the faults were met
        lines = {
            order.external_id: [
                (line.article, line.quantity, line.price_kopecks) for line in order.lines
            ]
            for order in session.scalars(select(Order).where(Order.id.in_(ids)))
        }
        left_out = session.scalar(
            select(AccountingDocument).where(AccountingDocument.order_id == orders[external[-1]].id)
        )
        assert [(s["article"], s["quantity"], s["reason"]) for s in left_out.skipped] == [
            (OTHER.article, 1, "not_linked")
        ]
    assert moysklad_sandbox.state()["faults"] == []
    demands = moysklad_sandbox.documents("demand")
    assert sorted(d["externalCode"] for d in demands) == sorted(
        f"wh-demand-wb-{e}" for e in external
    )
    by_order = {d["externalCode"].rsplit("-", 1)[-1]: d for d in demands}
    for order_external, demand in by_order.items():
        assert (demand["agent"], demand["store"]) == ("Wildberries", "Основной склад")
        expected = [
            (article, float(qty), float(price))
            for article, qty, price in lines[order_external]
            if article != OTHER.article
        ]
        assert [(p["article"], p["quantity"], p["price"]) for p in demand["positions"]] == expected
    assert by_order[external[-1]]["positions"] == []  # the document still went

    boss = {"login": "admin", "password": "admin"}
    assert client.post("/login", data=boss).status_code == 302
    page = client.get(f"/settings/accounting/{moysklad}").get_data(as_text=True)
    table = page.split('class="msk-documents"', 1)[1].split("</table>", 1)[0]
    assert table.count("Отгрузка<br>") == 4 and table.count("в МойСклад") == 4
    assert f"{OTHER.article} × 1: товар не связан с товаром МойСклад" in table
