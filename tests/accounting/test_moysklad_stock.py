"""МойСклад's stock by store read in full by an RQ job and kept beside ours, against the
sandbox over loopback HTTP (reports/_report_stock.md «Остатки по складам»)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.accounting.conftest import TOKEN, MoySkladSandbox
from tests.conftest import CREDENTIALS_KEY
from warehouse import jobs
from warehouse.accounting import accounts, assortment, stock
from warehouse.models import AccountingItem, AccountingStock, Product


@pytest.fixture
def account(session, moysklad_sandbox: MoySkladSandbox):
    """30 goods imported from МойСклад (so linked), each with stock on both stores."""
    moysklad_sandbox.generate(30)
    found = accounts.create(
        session,
        name="МойСклад",
        base_url=moysklad_sandbox.api_url,
        token=TOKEN,
        credentials_key=CREDENTIALS_KEY,
    )
    sync = assortment.start(session, found)
    session.commit()
    assert jobs.sync_assortment(sync.id) == "done"
    return found


def report(sandbox: MoySkladSandbox) -> dict[str, list[float]]:
    rows = sandbox.get("/report/stock/bystore", filter="stockMode=all").json()["rows"]
    return {
        row["meta"]["href"].split("?")[0].rsplit("/", 1)[-1]: [
            s["stock"] for s in row["stockByStore"]
        ]
        for row in rows
    }


def kept(session) -> dict[str, list[float]]:
    rows = session.execute(
        select(AccountingItem.external_id, AccountingStock.store_name, AccountingStock.stock)
        .join(AccountingStock, AccountingStock.product_id == AccountingItem.product_id)
        .order_by(AccountingItem.external_id, AccountingStock.store_name)
    )
    found: dict[str, dict[str, float]] = {}
    for item_id, store_name, level in rows:
        found.setdefault(item_id, {})[store_name] = level
    return {
        item_id: [levels["Основной склад"], levels["Не основной склад"]]
        for item_id, levels in found.items()
    }


def test_the_whole_report_is_kept_for_linked_goods(app, session, account, moysklad_sandbox):
    app.config["MOYSKLAD_PAGE_LIMIT"] = 7  # five pages
    moysklad_sandbox.add_rows(
        {"meta": {"type": "product"}, "name": "не наш", "code": "x", "article": "NOT-OURS"}
    )
    moysklad_sandbox.set_stock(
        {
            "product": moysklad_sandbox.get("/entity/assortment").json()["rows"][-1]["id"],
            "store": "Основной склад",
            "stock": 3,
        }
    )

    assert jobs.read_accounting_stock(account.id) == "done"

    expected = report(moysklad_sandbox)
    assert len(expected) == 31
    linked = {item_id: levels for item_id, levels in expected.items() if item_id in kept(session)}
    assert kept(session) == linked and len(linked) == 30  # the unlinked row is not kept
    assert session.scalar(select(func.count(AccountingStock.id))) == 60


def test_429_500_timeouts_on_pages_are_waited_out_and_nothing_is_kept_twice(
    app, session, account, moysklad_sandbox
):
    app.config["MOYSKLAD_PAGE_LIMIT"] = 10
    moysklad_sandbox.app.config["SANDBOX_SLOW_SECONDS"] = 1.5
    moysklad_sandbox.faults("429", "duplicate", "500", "timeout", "drop", retry_after=0.01)
    assert jobs.read_accounting_stock(account.id) == "done"
    assert moysklad_sandbox.state()["faults"] == []
    assert kept(session) == report(moysklad_sandbox)
    assert session.scalar(select(func.count(AccountingStock.id))) == 60


def test_a_read_that_fails_keeps_the_last_full_one(app, session, account, moysklad_sandbox):
    app.config["MOYSKLAD_PAGE_LIMIT"] = 10
    assert jobs.read_accounting_stock(account.id) == "done"
    before = kept(session)
    moysklad_sandbox.set_stock(
        {"product": next(iter(before)), "store": "Основной склад", "stock": 999}
    )
    moysklad_sandbox.faults("500", "500", "500", "500", "500", "500", retry_after=0.01)
    assert jobs.read_accounting_stock(account.id) == "failed"
    session.expire_all()
    assert kept(session) == before and account.problem == "unavailable"
    assert jobs.read_accounting_stock(account.id) == "done"
    session.expire_all()
    assert kept(session)[next(iter(before))][0] == 999 and account.problem is None


def test_our_on_hand_is_compared_with_the_chosen_store(session, account, moysklad_sandbox):
    item = session.scalars(select(AccountingItem).order_by(AccountingItem.id)).first()
    main = moysklad_sandbox.ids("store")["Основной склад"]
    moysklad_sandbox.set_stock(
        {"product": item.external_id, "store": "Основной склад", "stock": 7},
        {"product": item.external_id, "store": "Не основной склад", "stock": 4},
    )
    warehouse = f.make_warehouse(session)
    f.put_stock(
        session,
        session.get(Product, item.product_id),
        f.make_location(session, warehouse, "Z-1"),
        5,
    )
    session.commit()
    assert jobs.read_accounting_stock(account.id) == "done"

    seen = stock.compare(session, account, store_id=main)

    assert (
        seen.stores == ["Не основной склад", "Основной склад"]
        and seen.compared_with == "Основной склад"
    )
    assert seen.total == 30 and seen.read_at is not None
    first = (
        seen.lines[0]
        if seen.lines[0].product.id == item.product_id
        else next(line for line in seen.lines if line.product.id == item.product_id)
    )
    assert (first.on_hand, first.stores["Основной склад"].stock, first.difference) == (5, 7.0, 2.0)
    everywhere = stock.compare(session, account)
    line = next(ln for ln in everywhere.lines if ln.product.id == item.product_id)
    assert line.difference == 6.0  # 7 + 4 on all stores, 5 here
    assert all(ln.difference for ln in seen.lines[: seen.differing])
    assert abs(seen.lines[0].difference or 0) >= abs(seen.lines[-1].difference or 0)


def test_cron_reads_every_account_that_may_be_called(session, account, moysklad_sandbox):
    off = accounts.create(
        session,
        name="выкл",
        base_url=moysklad_sandbox.api_url,
        token=TOKEN,
        credentials_key=CREDENTIALS_KEY,
    )
    off.active = False
    session.commit()
    assert jobs.read_all_accounting_stock() == 1
