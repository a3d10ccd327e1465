"""Our shipments, returns and supplies written to МойСклад as documents, through the outbox.

What is owed, and when, is ``owed.py``: an ``AccountingDocument`` row plus an outbox
command made in the transaction that closes a pickup, a return or a delivery — closing
never waits on МойСклад, and a dead or slow МойСклад only delays the documents.

Delivering (``send``) makes the document once, whatever happens in between: it is looked up
by its ``externalCode`` (our stable name: the marketplace's order number, the purchase
order's МойСклад id) before it is created, it carries a ``syncId`` derived from that name
(МойСклад answers a repeated create with the document it made), and its МойСклад id is kept
once known. A line whose product has no МойСклад item is left out of the positions and kept
in ``skipped``: the document still goes, the desk names what was left out. A return waits
for its order's shipment to be in МойСклад and is then made on it (the reference wants the
demand's agent, goods and prices), else — an order shipped before documents were written —
without a basis. A supply is made on its purchase order, with the order's agent and legal
entity as МойСклад has them.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.accounting import accounts
from warehouse.accounting.moysklad import MoySkladClient, Refused
from warehouse.accounting.owed import COMMAND, RETURNED
from warehouse.errors import NotFound
from warehouse.labels.own_labels import MARKETPLACE_NAMES
from warehouse.marketplaces import outbox
from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.models import (
    AccountingAccount,
    AccountingDocument,
    AccountingItem,
    HandOver,
    Order,
    OutboxCommand,
    Receipt,
    Return,
    utcnow,
)
from warehouse.shipping.handovers import LOCAL, number

logger = logging.getLogger(__name__)

SETTINGS = ("no_store", "no_agent")  # our own refusals: the account's settings lack an id


# --- delivered by the outbox ------------------------------------------------------------------


def send(session: Session, command: OutboxCommand) -> None:
    """The outbox handler of accounting commands (raises ``marketplaces.base`` errors)."""
    account = command.accounting_account
    if account is None or command.kind != COMMAND:
        raise RejectedError(f"unknown accounting command {command.kind!r}", code="unknown")
    document = session.get_one(AccountingDocument, int(command.payload["document_id"]))
    if document.moysklad_id:
        return  # made by an earlier delivery whose answer was recorded
    with accounts.client_for(account) as client:
        try:
            _make(session, client, account, document)
        except Refused as exc:
            document.error = exc.words
            raise
        except RejectedError as exc:
            ours = exc.code in SETTINGS
            document.error = f"settings:{exc.code}" if ours else str(exc)[:1000]
            raise
    document.error = None


def _make(
    session: Session,
    client: MoySkladClient,
    account: AccountingAccount,
    document: AccountingDocument,
) -> None:
    if document.kind == "salesreturn":
        _shipped(session, account, _order(document))  # no call while its demand is owed
    found = client.find_document(document.kind, document.external_code)
    if found is None:
        body = _body(session, client, account, document)
        found = client.create_document(document.kind, body)
        logger.info("accounting document created document=%s id=%s", document.id, found.get("id"))
    else:
        logger.info("accounting document found document=%s id=%s", document.id, found.get("id"))
    document.moysklad_id = str(found["id"])
    document.sent_at = utcnow()
    if document.kind == "demand":
        _wake_return(session, document)


def _wake_return(session: Session, demand: AccountingDocument) -> None:
    """A return that waited for this shipment goes now, not after its backoff."""
    waiting = session.scalar(
        select(AccountingDocument.command_id).where(
            AccountingDocument.account_id == demand.account_id,
            AccountingDocument.kind == "salesreturn",
            AccountingDocument.order_id == demand.order_id,
        )
    )
    if waiting is not None:
        outbox.wake(session, waiting)


def _body(
    session: Session,
    client: MoySkladClient,
    account: AccountingAccount,
    document: AccountingDocument,
) -> dict[str, Any]:
    settings = accounts.document_settings(account)
    if not (settings.organization_id and settings.store_id):
        raise RejectedError("the account names no legal entity or store", code="no_store")
    base = account.base_url
    body: dict[str, Any] = {
        "externalCode": document.external_code,
        "syncId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"warehouse:{document.external_code}")),
        "applicable": True,
        "store": ref(base, "store", settings.store_id),
    }
    if document.kind == "supply":
        return body | _supply(session, client, account, document)
    if document.kind == "purchaseorder":
        return body | _purchase_order(session, account, document, settings.agents)
    order = _order(document)
    agent = settings.agents.get(order.account.kind, "")
    if not agent:
        raise RejectedError(f"no counterparty for {order.account.kind}", code="no_agent")
    body |= {
        "organization": ref(base, "organization", settings.organization_id),
        "agent": ref(base, "counterparty", agent),
    }
    if document.kind == "demand":
        return body | _demand(session, account, document)
    return body | _salesreturn(session, client, account, document)


def _order(document: AccountingDocument) -> Order:
    """The order of a shipment or a return (every one has one; a supply has none)."""
    if document.order is None:
        raise RejectedError(f"document {document.id} names no order", code="no_order")
    return document.order


def _demand(
    session: Session, account: AccountingAccount, document: AccountingDocument
) -> dict[str, Any]:
    order = _order(document)
    units = {line.id: line.quantity for line in order.lines if line.quantity > 0}
    document.positions, document.skipped = _positions(session, account, order, units)
    handover = session.get(HandOver, document.handover_id) if document.handover_id else None
    pickup = f"; отгрузка {number(handover)}" if handover is not None else ""
    return {
        "moment": moment(handover.closed_at if handover and handover.closed_at else utcnow()),
        "description": f"{_sale(order)}{pickup}",
        "positions": [_position(account.base_url, p) for p in document.positions],
    }


def _salesreturn(
    session: Session,
    client: MoySkladClient,
    account: AccountingAccount,
    document: AccountingDocument,
) -> dict[str, Any]:
    ret = session.get_one(Return, document.return_id)
    units: dict[int, int] = {}
    defect = 0
    for unit in ret.units:
        if unit.grade in RETURNED:
            units[unit.line_id] = units.get(unit.line_id, 0) + unit.quantity
            defect += unit.quantity if unit.grade == "defect" else 0
    found: dict[str, Any] = {
        "moment": moment(ret.closed_at or utcnow()),
        "description": f"Возврат: {_sale(ret.order)}" + (f"; брак: {defect} шт." if defect else ""),
    }
    demand = _shipped(session, account, ret.order)
    if demand is None:
        document.positions, document.skipped = _positions(session, account, ret.order, units)
    else:
        document.positions, document.skipped = _as_shipped(demand, units)
        shipped = client.document("demand", str(demand.moysklad_id))
        found |= {  # the reference: a return's agent and legal entity are its demand's
            "demand": {"meta": shipped["meta"]},
            "agent": shipped["agent"],
            "organization": shipped["organization"],
        }
    found["positions"] = [_position(account.base_url, p) for p in document.positions]
    return found


def _supply(
    session: Session,
    client: MoySkladClient,
    account: AccountingAccount,
    document: AccountingDocument,
) -> dict[str, Any]:
    """A supply on its purchase order: the order's agent and legal entity (read from
    МойСклад), the units each line received at the order's price."""
    receipt = session.get_one(Receipt, document.receipt_id)
    ordered = client.document("purchaseorder", str(receipt.purchase_order_id))
    document.positions, document.skipped = _received(session, account, receipt)
    return {
        "moment": moment(receipt.closed_at or utcnow()),
        "description": (
            f"Поставка №{receipt.id} на склад «{receipt.warehouse.name}», "
            f"заказ поставщику №{receipt.purchase_order_name}"
        ),
        "purchaseOrder": {"meta": ordered["meta"]},
        "agent": {"meta": ordered["agent"]["meta"]},
        "organization": {"meta": ordered["organization"]["meta"]},
        "positions": [_position(account.base_url, p) for p in document.positions],
    }


def _purchase_order(
    session: Session,
    account: AccountingAccount,
    document: AccountingDocument,
    agents: dict[str, str],
) -> dict[str, Any]:
    """A Заказ поставщику to the account's supplier: the units «what to order next»
    suggested per product (kept on the document when it was made), as the products'
    МойСклад items at our cost price; a product with no item is left out and named."""
    if not agents.get("supplier"):
        raise RejectedError("the account names no supplier", code="no_agent")
    keys = ("product", "article", "quantity", "price")
    wanted = [{k: line[k] for k in keys} for line in [*document.positions, *document.skipped]]
    items = _items(session, account, [int(line["product"]) for line in wanted])
    sent, skipped = [], []
    for line in wanted:
        item = items.get(int(line["product"]))
        if item is None:
            skipped.append({**line, "reason": "not_linked"})
            continue
        sent.append({**line, "type": item.item_type, "id": item.external_id})
    document.positions, document.skipped = sent, skipped
    base = account.base_url
    return {
        "moment": moment(document.created_at),
        "organization": ref(
            base, "organization", accounts.document_settings(account).organization_id
        ),
        "agent": ref(base, "counterparty", agents["supplier"]),
        "description": "Автозаказ: что заказать по продажам и остаткам FBS + FBO",
        "positions": [_position(base, p) for p in sent],
    }


def _received(
    session: Session, account: AccountingAccount, receipt: Receipt
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(positions, skipped) of a delivery: each line's received units as the order's
    position named its item (at the order's price), a product the order did not name as
    its linked МойСклад item (at МойСклад's buy price), else skipped."""
    ordered = {line["product"]: line for line in receipt.purchase_order_lines or ()}
    items = _items(session, account, [line.product_id for line in receipt.lines])
    sent: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for line in receipt.lines:
        if line.received <= 0:
            continue
        entry = {"line": line.id, "article": line.product.article, "quantity": line.received}
        if line.product_id in ordered:
            position = ordered[line.product_id]
            named = {"type": position["type"], "id": position["id"], "price": position["price"]}
            sent.append(entry | named)
        elif line.product_id in items:
            item = items[line.product_id]
            price = item.buy_price_kopecks or 0
            sent.append({**entry, "type": item.item_type, "id": item.external_id, "price": price})
        else:
            skipped.append({**entry, "reason": "not_linked"})
            logger.warning("supply position skipped receipt=%s line=%s", receipt.id, line.id)
    return sent, skipped


def _shipped(
    session: Session, account: AccountingAccount, order: Order
) -> AccountingDocument | None:
    """The order's shipment in МойСклад; a TransientError while it is owed but not there
    yet (the return is made on it, so it waits — also behind a refused one, which a person
    retries)."""
    demand = session.scalar(
        select(AccountingDocument).where(
            AccountingDocument.account_id == account.id,
            AccountingDocument.kind == "demand",
            AccountingDocument.order_id == order.id,
        )
    )
    if demand is not None and not demand.moysklad_id:
        raise TransientError("the order's shipment is not in МойСклад yet: the return waits")
    return demand


def _positions(
    session: Session, account: AccountingAccount, order: Order, units: dict[int, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(positions, skipped) for ``units`` per order line: each line as its product's
    МойСклад item at the line's price, or skipped when its product has none."""
    items = _items(session, account, [line.product_id for line in order.lines if line.product_id])
    sent: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for line in order.lines:
        quantity = units.get(line.id, 0)
        if quantity <= 0:
            continue
        article = line.product.article if line.product else line.article or line.barcode
        item = items.get(line.product_id) if line.product_id else None
        if item is None:
            reason = "not_linked" if line.product_id else "no_product"
            skipped.append(
                {"line": line.id, "article": article, "quantity": quantity, "reason": reason}
            )
            logger.warning(
                "accounting position skipped order=%s line=%s %s", order.id, line.id, reason
            )
            continue
        sent.append(
            {
                "line": line.id,
                "article": article,
                "type": item.item_type,
                "id": item.external_id,
                "quantity": quantity,
                "price": line.price_kopecks,
            }
        )
    return sent, skipped


def _as_shipped(
    demand: AccountingDocument, units: dict[int, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A return on its demand: each returned line as the demand sent it (same item, same
    price); a line the demand left out is left out again."""
    shipped = {position["line"]: position for position in demand.positions}
    left = {entry["line"]: entry for entry in demand.skipped}
    sent, skipped = [], []
    for line_id, quantity in sorted(units.items()):
        if line_id in shipped:
            sent.append(
                {**shipped[line_id], "quantity": min(quantity, shipped[line_id]["quantity"])}
            )
        else:
            entry = left.get(line_id, {"line": line_id, "article": "", "reason": "not_shipped"})
            skipped.append({**entry, "quantity": quantity})
    return sent, skipped


def _items(
    session: Session, account: AccountingAccount, product_ids: list[int]
) -> dict[int, AccountingItem]:
    """The МойСклад item of each product (the first linked, should there be two)."""
    found: dict[int, AccountingItem] = {}
    rows = session.scalars(
        select(AccountingItem)
        .where(AccountingItem.account_id == account.id, AccountingItem.product_id.in_(product_ids))
        .order_by(AccountingItem.id)
    )
    for item in rows:
        found.setdefault(item.product_id, item)
    return found


def _position(base: str, position: dict[str, Any]) -> dict[str, Any]:
    """A position at the order's unit price (kopecks); VAT and discount are left to
    МойСклад (the item's own rate), which knows the seller's taxes and we do not."""
    return {
        "quantity": float(position["quantity"]),
        "price": float(position["price"]),
        "assortment": ref(base, position["type"], position["id"]),
    }


def _sale(order: Order) -> str:
    marketplace = MARKETPLACE_NAMES.get(order.account.kind, order.account.kind)
    return f"{marketplace}, заказ {order.external_id}"


def ref(base: str, entity: str, entity_id: str) -> dict[str, Any]:
    """A reference by meta, as the reference writes one in a request body."""
    return {
        "meta": {
            "href": f"{base.rstrip('/')}/entity/{entity}/{entity_id}",
            "type": entity,
            "mediaType": "application/json",
        }
    }


def moment(at: datetime) -> str:
    """A document's date as МойСклад reads it: Moscow time, ``ГГГГ-ММ-ДД ЧЧ:мм:сс``."""
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


# --- the desk ---------------------------------------------------------------------------------


def recent(session: Session, account_id: int, limit: int = 100) -> list[AccountingDocument]:
    return list(
        session.scalars(
            select(AccountingDocument)
            .where(AccountingDocument.account_id == account_id)
            .order_by(AccountingDocument.id.desc())
            .limit(limit)
        )
    )


def of_receipt(session: Session, receipt_id: int) -> AccountingDocument | None:
    """The supply a delivery owes (or wrote), if it owes one."""
    return session.scalar(
        select(AccountingDocument).where(AccountingDocument.receipt_id == receipt_id)
    )


def command_of(session: Session, document: AccountingDocument) -> OutboxCommand | None:
    return session.get(OutboxCommand, document.command_id) if document.command_id else None


def retry(session: Session, account_id: int, document_id: int) -> None:
    """A person fixed the cause (settings, a link, МойСклад itself): send it again."""
    document = session.get(AccountingDocument, document_id)
    if document is None or document.account_id != account_id:
        raise NotFound("document_not_found")
    if document.command_id is not None:
        outbox.retry_failed(session, document.command_id)
