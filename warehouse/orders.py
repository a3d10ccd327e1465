"""Orders from every marketplace in one place: import, unified status, cancellation."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse import inventory, outbox, picking
from warehouse.marketplaces.base import IncomingOrder
from warehouse.models import MarketplaceAccount, Order, OrderLine

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    reserved: int = 0
    awaiting_stock: int = 0


def import_orders(
    session: Session, account: MarketplaceAccount, incoming: list[IncomingOrder]
) -> ImportResult:
    """Upsert orders by (account, external id); reserve new ones and tell the marketplace."""
    result = ImportResult()
    for item in incoming:
        existing = session.scalar(
            select(Order).where(
                Order.account_id == account.id, Order.external_id == item.external_id
            )
        )
        if existing is not None:
            result.unchanged += 1
            continue
        order = _create_order(session, account, item)
        result.created += 1
        if accept_order(session, order):
            result.reserved += 1
        else:
            result.awaiting_stock += 1
    return result


def _create_order(session: Session, account: MarketplaceAccount, item: IncomingOrder) -> Order:
    order = Order(
        account=account,
        external_id=item.external_id,
        group_id=item.group_id,
        marketplace_status=item.status,
        status="new",
        placed_at=item.created_at,
        ship_by=item.ship_by,
    )
    for incoming_line in item.lines:
        product = inventory.product_for_line(session, incoming_line.barcodes, incoming_line.article)
        order.lines.append(
            OrderLine(
                product=product,
                article=incoming_line.article,
                barcode=incoming_line.barcodes[0] if incoming_line.barcodes else "",
                external_sku=incoming_line.external_sku,
                quantity=incoming_line.quantity,
                price_kopecks=incoming_line.price_kopecks,
            )
        )
    session.add(order)
    session.flush()
    logger.info(
        "order imported order=%s account=%s external=%s", order.id, account.id, item.external_id
    )
    return order


def accept_order(session: Session, order: Order) -> bool:
    """Reserve a new order's goods; if they are there, confirm it and hand it to pickers."""
    if not inventory.reserve_order(session, order, order.account.warehouse_id):
        order.status = "awaiting_stock"
        logger.info("order awaiting stock order=%s", order.id)
        return False
    order.status = "reserved"
    picking.create_task(session, order)
    outbox.queue_command(session, order.account, "confirm", order=order)
    return True
