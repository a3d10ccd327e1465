"""How each outbox command is carried out at each marketplace.

Every handler checks the marketplace's state before acting, so delivering a
command twice (a job retried after a lost answer) has the effect of once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.marketplaces.base import Label, RejectedError, TransientError
from warehouse.marketplaces.connectors import client_for
from warehouse.marketplaces.wildberries import WildberriesClient
from warehouse.models import MarketplaceAccount, Order, OutboxCommand, Supply

logger = logging.getLogger(__name__)


def send(session: Session, command: OutboxCommand) -> None:
    """Deliver ``command`` to its account's marketplace (raises base.* errors)."""
    with client_for(command.account) as client:
        if command.account.kind == "wb" and command.kind == "confirm":
            _wb_confirm(session, client, command)
            return
    raise RejectedError(f"unknown command {command.kind!r} for {command.account.kind}")


def _wb_confirm(session: Session, client: WildberriesClient, command: OutboxCommand) -> None:
    """WB confirms an assembly order by adding it to an open supply."""
    order = session.get_one(Order, command.order_id)
    statuses = client.order_statuses([order.external_id])
    if order.external_id not in statuses:
        raise RejectedError("Wildberries does not know this order", code="unknown_order")
    supplier_status, _wb_status = statuses[order.external_id]
    if supplier_status in ("confirm", "complete"):
        order.marketplace_status = supplier_status
        return
    if supplier_status != "new":
        raise RejectedError(f"order is {supplier_status} at Wildberries", code=supplier_status)
    supply = _open_wb_supply(session, client, command.account)
    client.add_to_supply(supply.external_id, [order.external_id])
    order.marketplace_status = "confirm"
    order.supply_id = supply.id
    logger.info("wb order confirmed order=%s supply=%s", order.id, supply.external_id)


def _open_wb_supply(
    session: Session, client: WildberriesClient, account: MarketplaceAccount
) -> Supply:
    supply = session.scalar(
        select(Supply)
        .where(Supply.account_id == account.id, Supply.is_open.is_(True))
        .order_by(Supply.id.desc())
        .limit(1)
    )
    if supply is None:
        external_id = client.create_supply(f"warehouse {datetime.now():%Y-%m-%d}")
        supply = Supply(account_id=account.id, external_id=external_id)
        session.add(supply)
        session.flush()
    return supply


def fetch_label(order: Order) -> Label:
    """The marketplace's own sticker for the order (WB: ZPL, once the order is confirmed)."""
    if order.account.kind == "wb":
        if order.marketplace_status not in ("confirm", "complete"):
            raise TransientError("waiting for Wildberries to confirm the order")
        with client_for(order.account) as client:
            return client.sticker(order.external_id, kind="zplv", width=58, height=40)
    raise RejectedError(f"labels from {order.account.kind} are not supported yet")
