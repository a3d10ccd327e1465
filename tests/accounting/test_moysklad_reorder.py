"""«What to order next» sent to МойСклад as a Заказ поставщику (issue 18 item 6), through
the outbox, against the sandbox over loopback HTTP (documents/_purchaseOrder.md «Создать
Заказ поставщику»: organization and agent required; positions by assortment meta)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.accounting.conftest import MoySkladSandbox
from tests.accounting.test_moysklad_documents import deliver
from tests.accounting.test_moysklad_supplies import MUG, SHIRT, SUPPLIER, site  # noqa: F401
from warehouse.accounting import accounts, owed
from warehouse.errors import DomainError
from warehouse.marketplaces.base import SaleRow
from warehouse.models import AccountingDocument, MarketplaceAccount, Product, utcnow
from warehouse.reports import reorder, sales


def _sold(session, article: str, units: int) -> None:  # type: ignore[no-untyped-def]
    """``units`` orders of ``article`` in the last days, as a marketplace's statistics say."""
    account = session.scalar(select(MarketplaceAccount))
    if account is None:
        account = f.make_account(session, f.make_warehouse(session))
    now = utcnow()
    rows = [
        SaleRow(f"{article}-{n}", "order", now - timedelta(days=n % 28, hours=1), article=article)
        for n in range(units)
    ]
    sales.keep(session, account, rows, now)


def test_the_suggested_order_goes_to_the_supplier_as_a_purchase_order(
    session,
    site,  # noqa: F811  (the supplies' fixture)
    moysklad_sandbox: MoySkladSandbox,
):
    account = site["account"]
    shirt = session.scalar(select(Product).where(Product.article == "SHIRT-1"))
    socks = session.scalar(select(Product).where(Product.article == "SOCKS-1"))
    shirt.cost_price, socks.cost_price = 1200_00, 90_00
    _sold(session, "SHIRT-1", 28)  # a shirt a day, nothing in stock
    _sold(session, "SOCKS-1", 14)  # socks: not a МойСклад item
    session.commit()
    params = {"lead_days": 14, "cover_days": 30, "history_days": 28}
    suggested = {p.article: needed for p, *_f, needed in reorder.suggestions(session, params)}
    assert suggested == {"SHIRT-1": 44, "SOCKS-1": 22}  # ⌈per day × 44 days⌉

    with pytest.raises(DomainError) as refused:
        owed.purchase_order(session, account, [{"product": shirt.id}])
    assert refused.value.code == "purchase_order_no_supplier"
    settings = accounts.document_settings(account)
    accounts.set_document_settings(
        session,
        account.id,
        write=True,
        organization_id=settings.organization_id,
        store_id=settings.store_id,
        agents={"supplier": moysklad_sandbox.ids("counterparty")[SUPPLIER]},
    )
    lines = [
        {"product": p.id, "article": p.article, "quantity": needed, "price": p.cost_price}
        for p, *_f, needed in reorder.suggestions(session, params)
    ]
    key = "0" * 31 + "1"  # the form's one-time key
    document = owed.purchase_order(session, account, lines, key)
    session.commit()
    assert owed.purchase_order(session, account, lines, key).id == document.id  # double click
    deliver(session)
    session.refresh(document)
    assert document.moysklad_id and document.error is None
    assert [p["article"] for p in document.positions] == ["SHIRT-1"]
    assert [(s["article"], s["reason"]) for s in document.skipped] == [("SOCKS-1", "not_linked")]
    made = moysklad_sandbox.get(f"/entity/purchaseorder/{document.moysklad_id}").json()
    assert made["agent"]["meta"]["href"].endswith(moysklad_sandbox.ids("counterparty")[SUPPLIER])
    positions = moysklad_sandbox.get(f"/entity/purchaseorder/{document.moysklad_id}/positions")
    rows = positions.json()["rows"]
    assert [(r["quantity"], r["price"]) for r in rows] == [(44.0, 1200_00.0)]
    assert rows[0]["assortment"]["meta"]["href"].endswith(SHIRT)
    # delivered once: the outbox's retry finds it by its externalCode, never makes a second
    assert session.scalar(select(AccountingDocument).where(AccountingDocument.id == document.id))
    listed = moysklad_sandbox.get(
        "/entity/purchaseorder", filter=f"externalCode={document.external_code}"
    )
    assert len(listed.json()["rows"]) == 1
    assert MUG  # the site's other items are not ordered: nothing sold
    # the next day's suggestion counts what is on order: the shirts are not asked again
    again = {p.article: needed for p, *_f, needed in reorder.suggestions(session, params)}
    assert again == {"SHIRT-1": 0, "SOCKS-1": 22}  # the socks never reached МойСклад
