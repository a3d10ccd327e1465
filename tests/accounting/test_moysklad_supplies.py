"""A delivery opened from a МойСклад purchase order, once closed, is written to МойСклад as
a supply (Приёмка) on that order, through the outbox, against the sandbox over loopback
HTTP (documents/_supply.md «Создать Приемку»: organization, agent, store; «Связи с другими
документами»: purchaseOrder)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.accounting.conftest import TOKEN, MoySkladSandbox
from tests.accounting.test_moysklad_documents import deliver
from tests.conftest import CREDENTIALS_KEY
from warehouse import jobs
from warehouse.accounting import accounts, assortment, documents, purchase_orders
from warehouse.models import AccountingDocument, OutboxCommand, Product
from warehouse.stock import receiving

SUPPLIER = 'ООО "Поставщик"'
SHIRT, MUG, CUP, KETTLE = (str(uuid.UUID(int=n)) for n in (201, 202, 203, 204))


def _item(item_id: str, name: str, article: str, price: float = 0.0) -> dict[str, Any]:
    return {
        "meta": {"type": "product"},
        "id": item_id,
        "name": name,
        "code": article,
        "article": article,
        "buyPrice": {"value": price},
    }


@pytest.fixture
def site(session, moysklad_sandbox: MoySkladSandbox) -> dict[str, Any]:
    """Shirt, mug and cup imported from МойСклад (linked), its kettle added afterwards (not
    linked), our socks unknown to it; an account writing documents to the main store."""
    moysklad_sandbox.add_rows(
        _item(SHIRT, "Рубашка", "SHIRT-1"),
        _item(MUG, "Кружка", "MUG-1"),
        _item(CUP, "Чашка", "CUP-1", price=5_000.0),
    )
    warehouse = f.make_warehouse(session)
    boss = f.make_supervisor(session)
    f.make_product(session, "Носки", article="SOCKS-1")
    account = accounts.create(
        session,
        name="МойСклад",
        base_url=moysklad_sandbox.api_url,
        token=TOKEN,
        credentials_key=CREDENTIALS_KEY,
    )
    sync = assortment.start(session, account)
    session.commit()
    assert jobs.sync_assortment(sync.id) == "done"
    accounts.set_document_settings(
        session,
        account.id,
        write=True,
        organization_id=next(iter(moysklad_sandbox.ids("organization").values())),
        store_id=moysklad_sandbox.ids("store")["Основной склад"],
        agents={},
    )
    session.commit()
    moysklad_sandbox.add_rows(_item(KETTLE, "Чайник", "KETTLE-1"))
    order_id = moysklad_sandbox.purchase_order(
        SUPPLIER, (SHIRT, 3, 120_000.0), (MUG, 2, 35_000.0), (KETTLE, 1, 99_000.0)
    )
    return {"warehouse": warehouse, "boss": boss, "account": account, "order": order_id}


def _received(session, site, *units: tuple[str, int]):
    """The order's delivery opened, ``units`` (article, count) scanned in, and closed."""
    receipt = purchase_orders.open_receipt(
        session, site["account"].id, site["order"], site["warehouse"].id, user=site["boss"]
    )
    for n, (article, count) in enumerate(units):
        product = session.scalar(select(Product).where(Product.article == article))
        receiving.receive(session, receipt, product, count, user=site["boss"], scan_id=f"s-{n}")
    receiving.close(session, receipt.id, user=site["boss"])
    session.commit()
    return receipt


def _supply_commands(session) -> list[OutboxCommand]:
    return list(
        session.scalars(
            select(OutboxCommand).where(OutboxCommand.accounting_account_id.is_not(None))
        )
    )


def test_a_closed_delivery_writes_one_supply_on_its_order(session, site, moysklad_sandbox):
    receipt = _received(session, site, ("SHIRT-1", 3), ("MUG-1", 1), ("CUP-1", 1), ("SOCKS-1", 2))
    [owed] = session.scalars(select(AccountingDocument)).all()
    assert (owed.kind, owed.receipt_id, owed.order_id, owed.moysklad_id) == (
        "supply",
        receipt.id,
        None,
        None,
    )  # closing waited on nothing

    deliver(session)

    [written] = moysklad_sandbox.documents("supply")
    assert written["externalCode"] == f"wh-supply-{site['order']}"
    assert (written["purchaseOrder"], written["agent"], written["store"]) == (
        "00001",
        SUPPLIER,
        "Основной склад",
    )
    assert [(p["article"], p["quantity"], p["price"]) for p in written["positions"]] == [
        ("SHIRT-1", 3.0, 120_000.0),
        ("MUG-1", 1.0, 35_000.0),  # one of two came: the order waits for the other
        ("CUP-1", 1.0, 5_000.0),  # not ordered, linked: at МойСклад's buy price
    ]
    assert f"Поставка №{receipt.id}" in written["description"]
    assert [(s["article"], s["quantity"], s["reason"]) for s in owed.skipped] == [
        ("SOCKS-1", 2, "not_linked")
    ]
    assert owed.moysklad_id == written["id"]
    [ordered] = moysklad_sandbox.state()["purchaseorders"]
    assert [(p["article"], p["shipped"]) for p in ordered["positions"]] == [
        ("SHIRT-1", 3.0),
        ("MUG-1", 1.0),
        ("KETTLE-1", 0.0),
    ]
    assert documents.of_receipt(session, receipt.id) is owed


def test_faults_on_the_way_make_the_supply_once(session, site, moysklad_sandbox):
    _received(session, site, ("SHIRT-1", 3))
    moysklad_sandbox.app.config["SANDBOX_SLOW_SECONDS"] = 1.5  # beyond our 1 s timeout
    moysklad_sandbox.faults(
        "429", "500", "timeout", "drop", "duplicate", "drop", "timeout", "429", retry_after=0.01
    )

    deliver(session)

    assert len(moysklad_sandbox.documents("supply")) == 1
    assert moysklad_sandbox.state()["faults"] == []  # every fault was met
    [command] = _supply_commands(session)
    assert command.status == "done" and command.attempts > 1
    [ordered] = moysklad_sandbox.state()["purchaseorders"]
    assert ordered["positions"][0]["shipped"] == 3.0  # taken in once


def test_a_refusal_keeps_moysklads_words_until_retried(session, site, moysklad_sandbox):
    receipt = _received(session, site, ("SHIRT-1", 1))
    settings = accounts.document_settings(site["account"])
    accounts.set_document_settings(
        session,
        site["account"].id,
        write=True,
        organization_id=settings.organization_id,
        store_id="00000000-0000-4000-8000-000000000000",  # no such store
        agents={},
    )
    session.commit()
    deliver(session)
    document = documents.of_receipt(session, receipt.id)
    assert document.error == "Ошибка формата: неправильное значение href для meta поля 'store'"
    assert documents.command_of(session, document).status == "failed"
    accounts.set_document_settings(
        session,
        site["account"].id,
        write=True,
        organization_id=settings.organization_id,
        store_id=settings.store_id,
        agents={},
    )
    documents.retry(session, site["account"].id, document.id)
    session.commit()
    deliver(session)
    assert document.error is None and len(moysklad_sandbox.documents("supply")) == 1


def test_nothing_is_owed_unless_the_account_writes_and_something_arrived(
    session, site, moysklad_sandbox
):
    _received(session, site)  # closed with nothing scanned
    settings = accounts.document_settings(site["account"])
    accounts.set_document_settings(
        session,
        site["account"].id,
        write=False,
        organization_id=settings.organization_id,
        store_id=settings.store_id,
        agents={},
    )
    second = moysklad_sandbox.purchase_order(SUPPLIER, (SHIRT, 1, 100.0))
    receipt = purchase_orders.open_receipt(
        session, site["account"].id, second, site["warehouse"].id, user=site["boss"]
    )
    shirt = session.scalar(select(Product).where(Product.article == "SHIRT-1"))
    receiving.receive(session, receipt, shirt, 1, user=site["boss"], scan_id="x-1")
    receiving.close(session, receipt.id, user=site["boss"])
    listed = receiving.create(session, site["warehouse"].id, "Посуда", None, user=site["boss"])
    receiving.receive(session, listed, shirt, 1, user=site["boss"], scan_id="x-2")
    receiving.close(session, listed.id, user=site["boss"])
    assert session.scalars(select(AccountingDocument)).all() == []
