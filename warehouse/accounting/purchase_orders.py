"""A delivery expected from a МойСклад purchase order (Заказ поставщику).

The desk's deliveries page lists, for every active account, the orders МойСклад has not yet
taken in full (read live each time the page opens — МойСклад's reference has no filter on
what was received, so the newest ``LIST_PAGES`` pages are read and the received ones left
out; asking records nothing on the account). «Принять по заказу» reads the order and its
positions again and opens a ``Receipt`` expecting, per position, what is still awaited
(ordered minus already taken in, ``shipped``) of the product our ``AccountingItem`` links
to the position's item. A position that cannot be expected here — a service, an item
linked to no product of ours, a fractional quantity (we count whole units: МойСклад's
quantity is a Float, so 3.0 is 3 but 2.5 is refused), or one already taken in — is kept
on the receipt with the reason, and the delivery opens with the rest; when nothing is
left, no delivery is opened and the refusal names every position and why.

The receipt remembers the order (account, МойСклад id, number): a UNIQUE constraint lets
one order open one delivery, so a second press — or a second supervisor — is refused
naming the delivery already opened (the same form's ``request_id`` again is answered with
it: a double click).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.accounting import accounts
from warehouse.accounting.moysklad import MoySkladClient, OrderPosition, PurchaseOrder
from warehouse.errors import DomainError, NotFound
from warehouse.marketplaces.accounts import problem_of
from warehouse.marketplaces.base import MarketplaceError, RejectedError
from warehouse.models import AccountingAccount, AccountingItem, Receipt, User
from warehouse.stock import receiving

logger = logging.getLogger(__name__)

LIST_PAGES = 3  # the newest 300 orders are looked at (pages of 100: the expand limit)
NOT_FOUND = "1021"  # the reference's «Объект … не найден»
EPSILON = 1e-6  # what is left of a Float over a whole number by rounding
ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GOODS = ("product", "variant")


@dataclass(frozen=True)
class Listing:
    """One account's open purchase orders for the desk, or why there are none to show:
    ``problem`` is ``off`` (switched off or its token refused before), ``auth``,
    ``unavailable`` or ``refused``; ``taken`` maps an order's id to the delivery it opened."""

    account: AccountingAccount
    orders: list[PurchaseOrder] = field(default_factory=list)
    taken: dict[str, int] = field(default_factory=dict)
    problem: str | None = None


def accounts_to_list(session: Session) -> list[AccountingAccount]:
    return list(
        session.scalars(
            select(AccountingAccount)
            .where(AccountingAccount.active.is_(True))
            .order_by(AccountingAccount.id)
        )
    )


def listing(session: Session, account_id: int) -> Listing:
    """The account's orders not yet taken in full, newest first, asked of МойСклад now."""
    account = accounts.get(session, account_id)
    if not account.may_be_called:
        return Listing(account, problem="off")
    try:
        with accounts.client_for(account) as client:
            orders = _open_orders(client)
    except MarketplaceError as exc:
        logger.warning("purchase orders not listed account=%s: %s", account.id, exc)
        return Listing(account, problem=problem_of(exc))
    return Listing(account, orders, _taken(session, account.id, [o.id for o in orders]))


def _open_orders(client: MoySkladClient) -> list[PurchaseOrder]:
    found: list[PurchaseOrder] = []
    offset: int | None = 0
    for _ in range(LIST_PAGES):
        if offset is None:
            break
        page = client.purchase_orders(offset)
        found.extend(order for order in page.rows if not order.received)
        offset = page.next_offset
    return found


def _taken(session: Session, account_id: int, order_ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(Receipt.purchase_order_id, Receipt.id).where(
            Receipt.purchase_order_account_id == account_id,
            Receipt.purchase_order_id.in_(order_ids),
        )
    )
    return {str(order_id): receipt_id for order_id, receipt_id in rows}


# --- opening a delivery from an order ----------------------------------------------------------


def open_receipt(
    session: Session,
    account_id: int,
    order_id: str,
    warehouse_id: int,
    *,
    user: User | None,
    request_id: str | None = None,
) -> Receipt:
    """A delivery expecting the order's positions (see the module's docstring)."""
    account = accounts.get(session, account_id)
    if not ID.match(order_id):
        raise NotFound("purchase_order_not_found")
    earlier = _opened(session, account.id, order_id, request_id)
    if earlier is not None:
        return earlier
    if not account.may_be_called:
        raise DomainError("purchase_order_account_off")
    order, positions = _read(account, order_id)
    quantities, lines, refused = expected(session, account, positions)
    if not quantities:
        raise DomainError("purchase_order_nothing_expected", order=order.name, refused=refused)
    try:
        with session.begin_nested():
            receipt = receiving.create_expected(
                session,
                warehouse_id,
                order.agent_name or order.name,
                quantities,
                user=user,
                request_id=request_id,
                purchase_order_account_id=account.id,
                purchase_order_id=order_id,
                purchase_order_name=order.name,
                purchase_order_lines=lines,
                purchase_order_refused=refused,
            )
    except IntegrityError:  # another request opened it a moment earlier
        earlier = _opened(session, account.id, order_id, request_id)
        if earlier is None:
            raise
        return earlier
    logger.info(
        "receipt from purchase order receipt=%s account=%s order=%s refused=%s",
        receipt.id,
        account.id,
        order_id,
        len(refused),
    )
    return receipt


def _opened(
    session: Session, account_id: int, order_id: str, request_id: str | None
) -> Receipt | None:
    """The delivery this order already opened: the same form again (a double click) gets
    it; anyone else is refused, told which."""
    found = session.scalar(
        select(Receipt).where(
            Receipt.purchase_order_account_id == account_id, Receipt.purchase_order_id == order_id
        )
    )
    if found is None:
        return None
    if request_id and found.request_id == request_id:
        return found
    raise DomainError(
        "purchase_order_taken", order=found.purchase_order_name or order_id, receipt=found.id
    )


def _read(account: AccountingAccount, order_id: str) -> tuple[PurchaseOrder, list[OrderPosition]]:
    try:
        with accounts.client_for(account) as client:
            order = client.purchase_order(order_id)
            return order, _positions(client, order_id)
    except RejectedError as exc:
        if str(exc.code) == NOT_FOUND:
            raise NotFound("purchase_order_not_found") from exc
        raise DomainError("purchase_order_refused") from exc
    except MarketplaceError as exc:
        logger.warning("purchase order not read account=%s order=%s: %s", account.id, order_id, exc)
        raise DomainError(f"purchase_order_{problem_of(exc)}") from exc


def _positions(client: MoySkladClient, order_id: str) -> list[OrderPosition]:
    """Every position, page by page (an order may hold more than the 1000 a document
    carries with it: the reference's positions resource pages them)."""
    found: list[OrderPosition] = []
    offset: int | None = 0
    while offset is not None:
        page = client.purchase_order_positions(order_id, offset)
        found.extend(page.rows)
        if page.next_offset is not None and page.next_offset <= offset:
            break  # a next page that does not move on would never end
        offset = page.next_offset
    return found


def expected(
    session: Session, account: AccountingAccount, positions: list[OrderPosition]
) -> tuple[dict[int, int], list[dict[str, Any]], list[dict[str, Any]]]:
    """(units per product, the positions taken as МойСклад names them, the ones refused
    with the reason) — see the module's docstring."""
    items = _items(session, account, positions)
    quantities: dict[int, int] = {}
    lines: dict[int, dict[str, Any]] = {}
    refused: list[dict[str, Any]] = []
    for number, position in enumerate(positions, start=1):
        item = items.get((position.item_type, position.item_id))
        awaited = position.quantity - position.shipped
        reason = _refusal(position, item, awaited)
        if reason is not None or item is None:
            refused.append(_refused(number, position, awaited, reason or "not_linked"))
            continue
        units = round(awaited)
        quantities[item.product_id] = quantities.get(item.product_id, 0) + units
        line = lines.setdefault(
            item.product_id,
            {
                "product": item.product_id,
                "type": position.item_type,
                "id": position.item_id,
                "price": position.price_kopecks,
                "quantity": 0,
            },
        )
        line["quantity"] += units
    return quantities, list(lines.values()), refused


def _refusal(position: OrderPosition, item: AccountingItem | None, awaited: float) -> str | None:
    if position.item_type not in GOODS:
        return "service" if position.item_type == "service" else "not_goods"
    if awaited <= EPSILON:
        return "received"
    if item is None:
        return "not_linked"
    if abs(awaited - round(awaited)) > EPSILON:
        return "fractional"
    return None


def _refused(number: int, position: OrderPosition, awaited: float, reason: str) -> dict[str, Any]:
    return {
        "position": number,
        "name": position.name or position.item_id,
        "article": position.article,
        "quantity": _plain(max(awaited, 0.0) if reason != "received" else position.quantity),
        "reason": reason,
    }


def _plain(number: float) -> float | int:
    """3.0 as 3 for people; 2.5 stays 2.5."""
    return round(number) if abs(number - round(number)) <= EPSILON else round(number, 3)


def _items(
    session: Session, account: AccountingAccount, positions: list[OrderPosition]
) -> dict[tuple[str, str], AccountingItem]:
    ids = [p.item_id for p in positions if p.item_type in GOODS]
    found = session.scalars(
        select(AccountingItem).where(
            AccountingItem.account_id == account.id, AccountingItem.external_id.in_(ids)
        )
    )
    return {(item.item_type, item.external_id): item for item in found}
