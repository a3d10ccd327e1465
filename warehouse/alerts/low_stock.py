"""Critical stock: a product whose free units (every warehouse, the receiving area not
counted) fall below its minimum is one alert until it is back at the minimum or above.

Where stock changes — ``ledger.move`` (a movement that can change free units) and
``stock_sync.changed`` (a reservation, a release, a count) — the product is marked; once
the transaction commits, one ``check_stock_alerts`` job checks the marked products. The
alerts' cron tick checks every product too (a job lost with Redis, a minimum edited in
the catalogue). A product never stocked is not «below» (unknown is not zero).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.alerts import crossings
from warehouse.infra import db, queue
from warehouse.models import Alert, Location, Product, Stock
from warehouse.stock.overview import free_units

KIND = "low_stock"


def mark(session: Session, product_ids: Iterable[int | None]) -> None:
    """These products' free units may have changed: check them after the commit."""
    ids = {int(product_id) for product_id in product_ids if product_id}
    if ids:
        db.gather(session, KIND, ids, _enqueue_check)


def _enqueue_check(product_ids: set[int]) -> None:
    """One job for the transaction's products; Redis away: the cron tick checks them."""
    queue.enqueue_now("default", "warehouse.jobs.check_stock_alerts", sorted(product_ids))


def check(session: Session, product_ids: Collection[int] | None = None) -> list[Alert]:
    """Open an alert for each product (of ``product_ids``, or every one) newly below its
    minimum, resolve those back at it or above. The alerts opened."""
    below = {
        product_id: seen
        for product_id, seen in levels(session, product_ids).items()
        if seen["free"] < seen["min"]
    }
    return crossings.settle(session, KIND, below, product_ids)


def levels(
    session: Session, product_ids: Collection[int] | None = None
) -> dict[int, dict[str, Any]]:
    """product id → its name, article, free units and minimum, for active products with a
    minimum and stock rows."""
    query = (
        select(Product.id, Product.article, Product.name, Product.min_stock, func.sum(free_units()))
        .join(Stock, Stock.product_id == Product.id)
        .join(Location, Location.id == Stock.location_id)
        .where(Product.active.is_(True), Product.min_stock > 0)
        .group_by(Product.id, Product.article, Product.name, Product.min_stock)
    )
    if product_ids is not None:
        query = query.where(Product.id.in_(list(product_ids)))
    return {
        product_id: {"article": article, "name": name, "free": int(free), "min": minimum}
        for product_id, article, name, minimum, free in session.execute(query)
    }
