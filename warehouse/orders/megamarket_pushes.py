"""Megamarket's pushes to the seller: ``order/new`` makes the order, ``order/cancel`` ends it.

MM posts each new shipment and each buyer's cancel to the URLs the seller set in its cabinet
(they are also found by polling ``order/search``; whichever comes first makes the order, the
other finds it there). Both are idempotent: a push repeated, or for a shipment we never
saw, changes nothing more. The shapes are read by ``megamarket_shapes``.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import NotFound
from warehouse.infra.credentials import unseal
from warehouse.marketplaces import megamarket_shapes as shapes
from warehouse.models import MarketplaceAccount, Order
from warehouse.orders import intake

logger = logging.getLogger(__name__)

CANCELLED_BY_PUSH = "CUSTOMER_CANCELED"


def account_for(
    session: Session, account_id: int, login: str, password: str
) -> MarketplaceAccount | None:
    """The Megamarket cabinet whose push login and password these are (None: refuse).

    A cabinet that is not there (or not Megamarket's) is NotFound, as every missing id is."""
    account = session.get(MarketplaceAccount, account_id)
    if account is None or account.kind != "megamarket":
        raise NotFound("account_not_found")
    if not account.active:
        return None
    secrets = unseal(account.credentials_encrypted)
    expected_login, expected = secrets.get("push_login", ""), secrets.get("push_password", "")
    if not expected:
        return None  # pushes not set up for this cabinet: nobody may post
    same_login = hmac.compare_digest(login.encode(), expected_login.encode())
    same_password = hmac.compare_digest(password.encode(), expected.encode())
    return account if same_login and same_password else None


def receive_new(session: Session, account: MarketplaceAccount, body: Any) -> intake.ImportResult:
    """Make the pushed shipments' orders (reserve, confirm) unless they exist."""
    result = intake.import_orders(session, account, shapes.push_orders(body))
    logger.info("mm push order/new account=%s %s", account.id, result)
    return result


def receive_cancel(session: Session, account: MarketplaceAccount, body: Any) -> list[str]:
    """Cancel the orders whose every lot the buyer cancelled; returns their shipment ids.

    A cancel of some lots only is recorded on the order (``raw.cancelledItemIndexes``) and
    left to status polling and the supervisor: our order lines count units, not lots."""
    cancelled = []
    for shipment_id, indexes in shapes.push_cancellations(body).items():
        order = session.scalar(
            select(Order).where(Order.account_id == account.id, Order.external_id == shipment_id)
        )
        if order is None:
            logger.info("mm push order/cancel for an unknown shipment=%s", shipment_id)
            continue
        if _all_lots(order, indexes):
            order.marketplace_status = CANCELLED_BY_PUSH
            intake.cancel(session, order, by_marketplace=True)
            cancelled.append(shipment_id)
        else:
            known = list((order.raw or {}).get("cancelledItemIndexes", []))
            order.raw = {**(order.raw or {}), "cancelledItemIndexes": sorted({*known, *indexes})}
            logger.warning("mm push cancels some lots shipment=%s lots=%s", shipment_id, indexes)
    return cancelled


def _all_lots(order: Order, indexes: list[str]) -> bool:
    alive = {str(index) for index in (order.raw or {}).get("itemIndexes", [])}
    return not indexes or alive <= set(indexes)
