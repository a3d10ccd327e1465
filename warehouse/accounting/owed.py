"""The documents our work owes МойСклад, made when that work is closed (``documents.py``
delivers them).

When a pickup is closed (``shipping.closing.finish``) every order it handed over owes each
writing account an Отгрузка (``demand``); when a return is finished
(``orders.returns.close``), a Возврат покупателя (``salesreturn``) of the units that came
back — put on a shelf or kept aside as defect (written-off ones were destroyed, not
returned to stock); when a delivery opened from a purchase order is closed
(``stock.receiving.close``), its account — if it writes documents and anything arrived —
a Приёмка (``supply``) of the units received, on that order. Each is an
``AccountingDocument`` row plus an outbox command made in the closing transaction, once
per order (or delivery) and account.

Kept apart from the delivery so that the closing code low in the stack (receiving) can owe
a document without importing what delivering needs (labels, hand-overs).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.accounting import accounts
from warehouse.errors import DomainError
from warehouse.marketplaces import outbox
from warehouse.models import (
    AccountingAccount,
    AccountingDocument,
    HandOver,
    Order,
    Receipt,
    Return,
)

logger = logging.getLogger(__name__)

COMMAND = "accounting_document"
RETURNED = ("stock", "defect")  # the grades that came back to us; write-offs were destroyed
SAFE = re.compile(r"[^0-9A-Za-z._-]")


def handover_closed(session: Session, handover: HandOver, orders: Iterable[Order]) -> int:
    """Owe each writing account a shipment document for every order handed over."""
    made = 0
    for account in accounts.writing_accounts(session):
        for order in orders:
            code = external_code("demand", order)
            key = {"order_id": order.id}
            made += _owe(session, account, "demand", code, key, handover_id=handover.id)
    return made


def return_closed(session: Session, ret: Return) -> int:
    """Owe each writing account a customer return of the units that came back, if any."""
    if not any(unit.grade in RETURNED for unit in ret.units):
        return 0
    made = 0
    for account in accounts.writing_accounts(session):
        code = external_code("salesreturn", ret.order)
        key = {"order_id": ret.order.id}
        made += _owe(session, account, "salesreturn", code, key, return_id=ret.id)
    return made


def receipt_closed(session: Session, receipt: Receipt) -> int:
    """Owe the purchase order's account a supply of what the delivery took in: only a
    delivery opened from an order, only if its account writes documents, only if anything
    arrived."""
    if receipt.purchase_order_account_id is None or not receipt.purchase_order_id:
        return 0
    account = session.get_one(AccountingAccount, receipt.purchase_order_account_id)
    if not (account.active and accounts.document_settings(account).write):
        return 0
    if not any(line.received > 0 for line in receipt.lines):
        return 0
    code = f"wh-supply-{SAFE.sub('_', receipt.purchase_order_id)}"[:255]
    return _owe(session, account, "supply", code, {"receipt_id": receipt.id})


def purchase_order(
    session: Session, account: AccountingAccount, lines: list[dict[str, Any]], key: str = ""
) -> AccountingDocument:
    """A Заказ поставщику owed to ``account``'s supplier: ``lines`` of «what to order
    next» (product id, article, units, price in kopecks), sent by the outbox. ``key`` is the
    form's one-time key: the same form sent twice (a double click) is the one order."""
    key = key if re.fullmatch(r"[0-9a-f]{32}", key) else uuid.uuid4().hex
    code = f"wh-order-{key}"
    earlier = session.scalar(
        select(AccountingDocument).where(
            AccountingDocument.account_id == account.id, AccountingDocument.external_code == code
        )
    )
    if earlier is not None:
        return earlier
    settings = accounts.document_settings(account)
    if not account.active:
        raise DomainError("purchase_order_account_off", name=account.name)
    if not (settings.organization_id and settings.store_id):
        raise DomainError("purchase_order_no_store", name=account.name)
    if not settings.agents.get("supplier"):
        raise DomainError("purchase_order_no_supplier", name=account.name)
    if not lines:
        raise DomainError("purchase_order_nothing")
    document = _queued(
        session,
        account,
        AccountingDocument(
            account_id=account.id, kind="purchaseorder", external_code=code, positions=lines
        ),
    )
    logger.info("purchase order owed document=%s lines=%s", document.id, len(lines))
    return document


def external_code(kind: str, order: Order) -> str:
    """Our name for the document in МойСклад: the marketplace's order number, which names
    the same sale even if our own database were started afresh."""
    prefix = "wh-demand" if kind == "demand" else "wh-return"
    return f"{prefix}-{order.account.kind}-{SAFE.sub('_', order.external_id)}"[:255]


def _owe(
    session: Session,
    account: AccountingAccount,
    kind: str,
    code: str,
    key: dict[str, int],
    **link: int,
) -> int:
    """One document of ``kind`` for what ``key`` names (an order, a delivery), once."""
    owed = session.scalar(
        select(AccountingDocument.id).filter_by(account_id=account.id, kind=kind, **key)
    )
    if owed is not None:
        return 0
    document = _queued(
        session,
        account,
        AccountingDocument(account_id=account.id, kind=kind, external_code=code, **key, **link),
    )
    logger.info("accounting document owed document=%s kind=%s %s", document.id, kind, key)
    return 1


def _queued(
    session: Session, account: AccountingAccount, document: AccountingDocument
) -> AccountingDocument:
    """The document kept and owed to the outbox, once (its command deduplicated by id)."""
    session.add(document)
    session.flush()
    command = outbox.queue_accounting(
        session,
        account,
        COMMAND,
        payload={"document_id": document.id},
        dedupe_key=f"{COMMAND}:{document.id}",
    )
    document.command_id = command.id
    return document
