"""Stock: finding goods, reserving them for orders, taking them off the shelf."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import Location, Order, OrderLine, Product, ProductBarcode, Reservation, Stock

logger = logging.getLogger(__name__)


def product_by_barcode(session: Session, barcode: str) -> ProductBarcode | None:
    return session.scalar(select(ProductBarcode).where(ProductBarcode.barcode == barcode))


def product_for_line(session: Session, barcodes: tuple[str, ...], article: str) -> Product | None:
    """Our product for a marketplace line: any of its barcodes first, then the article."""
    if barcodes:
        found = session.scalar(
            select(Product)
            .join(ProductBarcode)
            .where(ProductBarcode.barcode.in_(barcodes))
            .limit(1)
        )
        if found:
            return found
    return session.scalar(select(Product).where(Product.article == article)) if article else None


def _free_stock(session: Session, product_id: int, warehouse_id: int) -> list[Stock]:
    return list(
        session.scalars(
            select(Stock)
            .join(Location)
            .where(
                Stock.product_id == product_id,
                Location.warehouse_id == warehouse_id,
                Stock.on_hand > Stock.reserved,
            )
            .order_by(Location.walk_order, Stock.id)
            .with_for_update(of=Stock)
        )
    )


def reserve_order(session: Session, order: Order, warehouse_id: int) -> bool:
    """Reserve every line of ``order`` in the warehouse, all or nothing.

    Returns False (and reserves nothing) when some line cannot be covered: a line
    whose product we do not know, or not enough free stock.
    """
    plan: list[tuple[OrderLine, Stock, int]] = []
    planned: dict[int, int] = {}
    for line in order.lines:
        if line.product_id is None:
            return False
        needed = line.quantity - sum(r.quantity for r in line.reservations)
        for stock in _free_stock(session, line.product_id, warehouse_id):
            if needed == 0:
                break
            take = min(needed, stock.free - planned.get(stock.id, 0))
            if take <= 0:
                continue
            planned[stock.id] = planned.get(stock.id, 0) + take
            plan.append((line, stock, take))
            needed -= take
        if needed:
            return False
    for line, stock, take in plan:
        stock.reserved += take
        session.add(Reservation(line=line, stock=stock, quantity=take))
    session.flush()
    logger.info("order reserved order=%s lines=%s", order.id, len(order.lines))
    return True


def take_from_bin(session: Session, stock: Stock, quantity: int) -> None:
    """Picked goods leave the bin: on hand and reserved both go down."""
    stock.on_hand -= quantity
    stock.reserved -= quantity
    session.flush()
