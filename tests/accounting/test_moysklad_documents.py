"""Our shipments and returns written to МойСклад as documents, through the outbox, against
the sandbox over loopback HTTP.

A pickup is closed the way the outbox's hand_over command ends (``closing.finish``, after
the marketplace has it); its orders owe demand documents, delivered by the outbox's RQ job
function (``jobs.deliver_outbox``) to the sandbox, which checks them as the reference says
МойСклад does (documents/_demand.md, _sales_return.md).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, update

from tests import factories as f
from tests.accounting.conftest import TOKEN, MoySkladSandbox
from tests.conftest import CREDENTIALS_KEY
from tests.test_handovers import make_site
from tests.test_pack_lookup import MUG, SHIRT, picked
from warehouse import jobs
from warehouse.accounting import accounts, assortment, documents
from warehouse.floor import packing
from warehouse.marketplaces import outbox
from warehouse.models import (
    AccountingDocument,
    Location,
    OutboxCommand,
    Parcel,
    Product,
    utcnow,
)
from warehouse.orders import returns
from warehouse.shipping import closing, handovers

SOCKS = "4600000000015"  # a product МойСклад does not know


@pytest.fixture
def site(session, moysklad_sandbox: MoySkladSandbox):
    """Shirt and mug known to МойСклад (imported, so linked), socks not; a writing account
    naming the sandbox's legal entity, main store and «Wildberries» for WB orders."""
    site = make_site(session)
    shelf = session.scalar(select(Location).where(Location.code == "A-01"))
    f.put_stock(session, f.make_product(session, "Socks", SOCKS), shelf, 20)
    known = session.scalars(select(Product).where(Product.name.in_(("Shirt", "Mug")))).all()
    moysklad_sandbox.add_rows(
        *(
            {"meta": {"type": "product"}, "name": p.name, "code": p.article, "article": p.article}
            for p in known
        )
    )
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
        agents={"wb": moysklad_sandbox.ids("counterparty")["Wildberries"]},
    )
    session.commit()
    return {**site, "moysklad": account}


def packed(session, site, external_id: str, *lines: tuple[str, int], account=None):
    """An order of ``lines`` (499 ₽ a unit) picked, packed and its sticker printed."""
    task = picked(session, {**site, "account": account or site["account"]}, external_id, *lines)
    packing.pack_task(session, task.id, site["picker"], site["printer"].id)
    order = task.order
    session.scalar(
        select(Parcel).where(Parcel.order_id == order.id)
    ).label_barcode = f"STICKER-{external_id}"
    order.status = "labelled"
    for line in order.lines:
        line.price_kopecks = 49_900
    session.flush()
    return order


def handed_over(session, site, *orders: tuple[str, tuple[str, int], ...]) -> list:
    """Orders packed, loaded, and their pickup closed as the marketplace's answer ends it
    (``closing.finish``, what the outbox's hand_over command runs when it has been told)."""
    made = []
    for external_id, *lines in orders:
        order = packed(session, site, external_id, *lines)
        handovers.load(session, order.handover_id, f"STICKER-{external_id}", site["picker"])
        made.append(order)
    handover = handovers.close(session, made[0].handover_id, site["boss"])
    closing.finish(session, handover)
    session.commit()
    return made


def deliver(session, rounds: int = 40) -> None:
    """Run the outbox's job for every pending accounting command until none is left."""
    for _ in range(rounds):
        session.expire_all()
        pending = session.scalars(
            select(OutboxCommand.id).where(
                OutboxCommand.accounting_account_id.is_not(None),
                OutboxCommand.status == "pending",
            )
        ).all()
        if not pending:
            return
        for command_id in pending:
            jobs.deliver_outbox(command_id)
        time.sleep(0.05)
    session.expire_all()


def test_a_closed_pickup_writes_one_demand_per_order(session, site, moysklad_sandbox):
    one, two = handed_over(session, site, ("wb-1", (SHIRT, 2)), ("wb-2", (SHIRT, 1), (MUG, 3)))
    owed = session.scalars(select(AccountingDocument).order_by(AccountingDocument.id)).all()
    assert [(d.kind, d.order_id, d.moysklad_id) for d in owed] == [
        ("demand", one.id, None),
        ("demand", two.id, None),
    ]  # closing waited on nothing: the documents are owed, not sent

    deliver(session)

    written = moysklad_sandbox.documents("demand")
    assert [d["externalCode"] for d in written] == ["wh-demand-wb-wb-1", "wh-demand-wb-wb-2"]
    assert {(d["agent"], d["store"]) for d in written} == {("Wildberries", "Основной склад")}
    shirt, mug = (
        session.scalar(select(Product).where(Product.name == n)) for n in ("Shirt", "Mug")
    )
    assert [(p["article"], p["quantity"], p["price"]) for p in written[1]["positions"]] == [
        (shirt.article, 1.0, 49_900.0),
        (mug.article, 3.0, 49_900.0),
    ]
    assert "Wildberries, заказ wb-2" in written[1]["description"]
    assert all(d.moysklad_id and d.skipped == [] for d in owed)
    assert {
        c.status
        for c in session.scalars(
            select(OutboxCommand).where(OutboxCommand.accounting_account_id.is_not(None))
        )
    } == {"done"}
    report = moysklad_sandbox.get("/report/stock/bystore", filter="stockMode=all").json()["rows"]
    assert sorted(row["stockByStore"][0]["stock"] for row in report) == [-3.0, -3.0]


def test_a_line_without_a_moysklad_item_is_left_out_and_named(session, site, moysklad_sandbox):
    handed_over(session, site, ("wb-3", (SHIRT, 1), (SOCKS, 2)))
    deliver(session)
    [written] = moysklad_sandbox.documents("demand")
    assert [p["quantity"] for p in written["positions"]] == [1.0]
    document = session.scalars(select(AccountingDocument)).one()
    socks = session.scalar(select(Product).where(Product.name == "Socks"))
    assert document.skipped == [
        {
            "line": document.skipped[0]["line"],
            "article": socks.article,
            "quantity": 2,
            "reason": "not_linked",
        }
    ]
    assert document.moysklad_id == written["id"]


def test_429_500_timeouts_and_dropped_answers_lose_nothing_and_duplicate_nothing(
    session, site, moysklad_sandbox
):
    orders = [(f"wb-{n}", (SHIRT, 1)) for n in range(10, 16)]
    moysklad_sandbox.app.config["SANDBOX_SLOW_SECONDS"] = 1.5  # beyond our 1 s timeout
    moysklad_sandbox.faults(
        "429", "500", "timeout", "drop", "duplicate", "drop", "timeout", "429", retry_after=0.01
    )
    handed_over(session, site, *orders)

    deliver(session)

    written = moysklad_sandbox.documents("demand")
    assert sorted(d["externalCode"] for d in written) == sorted(
        f"wh-demand-wb-{e}" for e, _ in orders
    )
    assert moysklad_sandbox.state()["faults"] == []  # every fault was met
    commands = session.scalars(
        select(OutboxCommand).where(OutboxCommand.accounting_account_id.is_not(None))
    ).all()
    assert {c.status for c in commands} == {"done"}
    assert sum(c.attempts for c in commands) > len(commands)
    ids = {d.moysklad_id for d in session.scalars(select(AccountingDocument))}
    assert ids == {d["id"] for d in written}


def test_a_refused_token_marks_the_account_and_holds_its_documents(session, site, moysklad_sandbox):
    moysklad_sandbox.app.config["SANDBOX_MOYSKLAD_TOKEN"] = "another"
    handed_over(session, site, ("wb-20", (SHIRT, 1)))
    command = session.scalars(
        select(OutboxCommand).where(OutboxCommand.accounting_account_id.is_not(None))
    ).one()
    jobs.deliver_outbox(command.id)
    session.expire_all()
    assert (command.status, command.attempts, site["moysklad"].problem) == ("pending", 0, "auth")
    assert command.id not in outbox.due_commands(session)  # the sweeper leaves it alone
    assert moysklad_sandbox.documents("demand") == []
    moysklad_sandbox.app.config["SANDBOX_MOYSKLAD_TOKEN"] = TOKEN
    accounts.update(
        session,
        site["moysklad"].id,
        name="МойСклад",
        base_url=moysklad_sandbox.api_url,
        token=TOKEN,
        credentials_key=CREDENTIALS_KEY,
    )
    session.commit()
    assert command.id in outbox.due_commands(session)
    deliver(session)
    assert len(moysklad_sandbox.documents("demand")) == 1


def test_a_refusal_fails_the_document_with_moysklads_words_until_retried(
    session, site, moysklad_sandbox
):
    settings = accounts.document_settings(site["moysklad"])
    accounts.set_document_settings(
        session,
        site["moysklad"].id,
        write=True,
        organization_id=settings.organization_id,
        store_id=settings.store_id,
        agents={"wb": "00000000-0000-4000-8000-000000000000"},  # no such counterparty
    )
    handed_over(session, site, ("wb-30", (SHIRT, 1)))
    deliver(session)
    document = session.scalars(select(AccountingDocument)).one()
    command = documents.command_of(session, document)
    assert command.status == "failed" and command.attempts == 1
    assert document.error == "Ошибка формата: неправильное значение href для meta поля 'agent'"
    accounts.set_document_settings(
        session,
        site["moysklad"].id,
        write=True,
        organization_id=settings.organization_id,
        store_id=settings.store_id,
        agents={"wb": settings.agents["wb"]},
    )
    documents.retry(session, site["moysklad"].id, document.id)
    session.commit()
    deliver(session)
    assert command.status == "done" and document.error is None
    assert len(moysklad_sandbox.documents("demand")) == 1


def test_an_order_of_a_marketplace_without_a_counterparty_waits_for_the_settings(
    session, site, moysklad_sandbox
):
    ozon_order = packed(session, site, "oz-1", (SHIRT, 1), account=site["other"])
    handovers.load(session, ozon_order.handover_id, "STICKER-oz-1", site["picker"])
    closing.finish(session, handovers.close(session, ozon_order.handover_id, site["boss"]))
    session.commit()
    deliver(session)
    document = session.scalars(select(AccountingDocument)).one()
    assert document.error == "settings:no_agent"
    assert documents.command_of(session, document).status == "failed"
    assert moysklad_sandbox.documents("demand") == []


def _return(session, site, code: str, *grades: tuple[str, str]) -> None:
    """The parcel comes back: each (barcode, grade) unit graded (stock into bin A-01)."""
    ret = returns.receive(session, code, user=site["picker"])
    for n, (barcode, grade) in enumerate(grades):
        step = returns.scan(session, ret.id, {}, barcode, user=site["picker"], scan_id=f"p{n}")
        if grade == "stock":
            returns.scan(
                session, ret.id, step.state, "LOC-A-01", user=site["picker"], scan_id=f"b{n}"
            )
        else:
            returns.grade(session, ret.id, step.state, grade, user=site["picker"], scan_id=f"g{n}")
    if ret.status == "open":
        returns.close(session, ret.id, user=site["picker"])
    session.commit()


def test_a_return_is_written_on_its_demand_with_shelf_and_defect_units(
    session, site, moysklad_sandbox
):
    handed_over(session, site, ("wb-40", (SHIRT, 3), (MUG, 1)))
    deliver(session)
    _return(
        session,
        site,
        "STICKER-wb-40",
        (SHIRT, "stock"),
        (SHIRT, "defect"),
        (SHIRT, "write_off"),
        (MUG, "stock"),
    )
    deliver(session)
    [written] = moysklad_sandbox.documents("salesreturn")
    assert written["demand"] == "wh-demand-wb-wb-40" and written["agent"] == "Wildberries"
    assert [p["quantity"] for p in written["positions"]] == [2.0, 1.0]  # the write-off stays out
    assert "брак: 1 шт." in written["description"]
    back = session.scalar(
        select(AccountingDocument).where(AccountingDocument.kind == "salesreturn")
    )
    assert back.moysklad_id == written["id"] and back.skipped == []


def test_a_return_waits_for_its_shipment_to_reach_moysklad(app, session, site, moysklad_sandbox):
    handed_over(session, site, ("wb-50", (SHIRT, 1)))
    moysklad_sandbox.faults("500", retry_after=0.01)
    demand_command = session.scalars(
        select(OutboxCommand).where(OutboxCommand.accounting_account_id.is_not(None))
    ).one()
    jobs.deliver_outbox(demand_command.id)  # 500: the demand is still owed
    _return(session, site, "STICKER-wb-50", (SHIRT, "stock"))
    back = session.scalar(
        select(AccountingDocument).where(AccountingDocument.kind == "salesreturn")
    )
    app.config["OUTBOX_BACKOFF_SECONDS"] = (600,)
    jobs.deliver_outbox(back.command_id)
    session.expire_all()
    waiting = documents.command_of(session, back)
    assert "not in МойСклад yet" in waiting.last_error
    assert (waiting.next_attempt_at - utcnow()).total_seconds() > 500  # it would wait…
    session.execute(  # (the demand's own backoff is not what this test is about)
        update(OutboxCommand)
        .where(OutboxCommand.id == demand_command.id)
        .values(next_attempt_at=utcnow())
    )
    session.commit()
    jobs.deliver_outbox(demand_command.id)
    session.expire_all()
    assert demand_command.status == "done"
    assert waiting.next_attempt_at <= utcnow()  # …but its shipment's arrival wakes it
    deliver(session)
    [written] = moysklad_sandbox.documents("salesreturn")
    assert written["demand"] == "wh-demand-wb-wb-50"


def test_a_return_with_nothing_back_on_a_shelf_or_as_defect_owes_nothing(session, site):
    handed_over(session, site, ("wb-60", (SHIRT, 1)))
    _return(session, site, "STICKER-wb-60", (SHIRT, "write_off"))
    kinds = session.scalars(select(AccountingDocument.kind)).all()
    assert kinds == ["demand"]


def test_nothing_is_owed_while_the_account_does_not_write_documents(session, site):
    settings = accounts.document_settings(site["moysklad"])
    accounts.set_document_settings(
        session,
        site["moysklad"].id,
        write=False,
        organization_id=settings.organization_id,
        store_id=settings.store_id,
        agents=settings.agents,
    )
    handed_over(session, site, ("wb-70", (SHIRT, 1)))
    assert session.scalars(select(AccountingDocument)).all() == []


def test_a_dead_moysklad_never_holds_up_closing_a_pickup_or_a_return(session, site):
    site["moysklad"].base_url = "http://127.0.0.1:9/api/remap/1.2"  # nothing listens there
    session.commit()
    [order] = handed_over(session, site, ("wb-80", (SHIRT, 1)))
    _return(session, site, "STICKER-wb-80", (SHIRT, "stock"))
    assert (order.status, order.handover.status) == ("returned", "closed")
    deliver(session, rounds=2)
    commands = session.scalars(
        select(OutboxCommand)
        .where(OutboxCommand.accounting_account_id.is_not(None))
        .order_by(OutboxCommand.id)  # the demand, then the return (PostgreSQL has no default)
    ).all()
    assert [c.status for c in commands] == ["pending", "pending"]
    assert "connection to МойСклад failed" in commands[0].last_error
    assert "not in МойСклад yet" in commands[1].last_error
