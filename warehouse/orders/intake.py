"""Orders from every marketplace in one place: import, unified status, cancellation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from warehouse.catalog import listings
from warehouse.floor import picking
from warehouse.marketplaces import outbox
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import (
    Listing,
    MarketplaceAccount,
    Order,
    OrderLine,
    OrderNumber,
    PickTask,
    Product,
    ProductBarcode,
)
from warehouse.models.base import utcnow
from warehouse.orders import numbers, statuses
from warehouse.stock import inventory, stock_sync

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
    """Upsert orders by (account, external id); reserve new ones and tell the marketplace.

    The account's row is written first: two imports of one cabinet at once (the cron's and
    «Загрузить сейчас», two workers, a Megamarket push) take turns there, so the second
    reads the orders the first imported and skips them, instead of failing on UNIQUE."""
    session.execute(
        update(MarketplaceAccount)
        .where(MarketplaceAccount.id == account.id)
        .values(last_import_at=utcnow())
    )
    result = ImportResult()
    known = set(
        session.scalars(
            select(Order.external_id).where(
                Order.account_id == account.id,
                Order.external_id.in_({item.external_id for item in incoming}),
            )
        )
    )  # one query for the page, not one per order
    products = _PageProducts(session, account.id, incoming)
    fresh: list[IncomingOrder] = []
    for item in incoming:
        if item.external_id in known:
            result.unchanged += 1
            continue
        known.add(item.external_id)  # the same order twice in one page: once
        fresh.append(item)
    new = _store_orders(session, account, fresh, products)
    for order in new:
        logger.info(
            "order imported order=%s account=%s external=%s",
            order.id,
            account.id,
            order.external_id,
        )
    reserved = accept_orders(session, new)
    result.created, result.reserved = len(new), len(reserved)
    result.awaiting_stock = len(new) - len(reserved)
    return result


class _PageProducts:
    """Our products for a page of orders' lines, looked up for the whole page at once: by
    the cabinet's card (its SKU), else by barcode, else by article (``listings``' rules)."""

    def __init__(self, session: Session, account_id: int, incoming: list[IncomingOrder]) -> None:
        lines = [line for item in incoming for line in item.lines]
        skus = {line.external_sku for line in lines if line.external_sku}
        codes = {code for line in lines for code in line.barcodes}
        self.session = session
        self.by_sku: dict[str, Product] = {}
        if skus:
            found = session.execute(
                select(Listing.sku, Product)
                .join(Product, Product.id == Listing.product_id)
                .where(Listing.account_id == account_id, Listing.sku.in_(skus))
            ).all()
            self.by_sku = {sku: product for sku, product in found}
        self.by_code: dict[str, Product] = {}
        if codes:
            found_codes = session.execute(
                select(ProductBarcode.barcode, Product)
                .join(Product, Product.id == ProductBarcode.product_id)
                .where(ProductBarcode.barcode.in_(codes))
            ).all()
            self.by_code = {code: product for code, product in found_codes}

    def of(self, line: IncomingLine) -> Product | None:
        if line.external_sku in self.by_sku:
            return self.by_sku[line.external_sku]
        for code in line.barcodes:
            if code in self.by_code:
                return self.by_code[code]
        return listings.match_product(self.session, (), line.article)


def _store_orders(
    session: Session,
    account: MarketplaceAccount,
    items: list[IncomingOrder],
    products: _PageProducts,
) -> list[Order]:
    """A page of new orders, their lines and numbers written by three batched INSERTs, then
    read back as the ORM's orders with their lines, in the page's order. The unit of work
    would insert them one row at a time (on SQLite it must read each new id back in
    order), which cost an import more than every other step together."""
    if not items:
        return []
    connection = session.connection()
    now = utcnow()
    stored = connection.execute(
        insert(Order).returning(Order.external_id, Order.id),
        [
            {
                "account_id": account.id,
                "external_id": item.external_id,
                "group_id": item.group_id or "",
                "marketplace_status": item.status,
                "status": "new",
                "placed_at": item.created_at,
                "ship_by": item.ship_by,
                "raw": item.raw,
                "created_at": now,
                "updated_at": now,
            }
            for item in items
        ],
    )
    ids = {external_id: order_id for external_id, order_id in stored}  # unique in the cabinet
    lines = [
        {
            "order_id": ids[item.external_id],
            "product_id": product.id if (product := products.of(line)) else None,
            "article": line.article,
            "barcode": line.barcodes[0] if line.barcodes else "",
            "external_sku": line.external_sku or "",
            "quantity": line.quantity,
            "price_kopecks": line.price_kopecks or 0,
        }
        for item in items
        for line in item.lines
    ]
    if lines:
        connection.execute(insert(OrderLine), lines)
    kept = [
        {"order_id": ids[item.external_id], "number": number}
        for item in items
        for number in numbers.of(
            account.kind, item.external_id, item.group_id or "", item.raw or {}
        )
    ]
    if kept:
        connection.execute(insert(OrderNumber), kept)
    loaded = {
        order.id: order
        for order in session.scalars(
            select(Order).where(Order.id.in_(ids.values())).options(selectinload(Order.lines))
        )
    }
    for order in loaded.values():
        for line in order.lines:  # new: no reservations yet (not read back when reserving)
            set_committed_value(line, "reservations", [])
    return [loaded[ids[item.external_id]] for item in items]


def accept_order(session: Session, order: Order) -> bool:
    """Reserve a new order's goods; if they are there, confirm it and hand it to pickers."""
    return bool(accept_orders(session, [order]))


def accept_orders(session: Session, orders: Sequence[Order]) -> list[Order]:
    """Reserve new orders' goods, first come first served; the orders reserved are
    confirmed to their marketplace and handed to pickers, the others wait for stock.
    Returns the orders reserved (a page of imported orders is done at once)."""
    reserved: list[Order] = []
    for warehouse_id in dict.fromkeys(order.account.warehouse_id for order in orders):
        here = [order for order in orders if order.account.warehouse_id == warehouse_id]
        reserved += inventory.reserve_orders(session, here, warehouse_id)
    taken = {id(order) for order in reserved}
    for order in orders:
        if id(order) in taken:
            order.status = "reserved"
        else:
            order.status = "awaiting_stock"
            logger.info("order awaiting stock order=%s", order.id)
    session.flush()  # the statuses (and their history) before the tasks, as they happened
    picking.create_tasks(session, reserved)
    outbox.queue_for_orders(session, "confirm", reserved)
    stock_sync.changed(
        session, {line.product_id for order in reserved for line in order.lines if line.product_id}
    )
    return reserved


_PROGRESS = {
    "new": 0,
    "awaiting_stock": 1,
    "reserved": 1,
    "picking": 2,
    "picked": 3,
    "packed": 4,
    "labelled": 5,
    "handed_over": 6,
    "shipped": 7,
    "delivered": 8,
    "returned": 9,
}


def apply_marketplace_status(
    session: Session, order: Order, external: str, table: dict[str, str]
) -> None:
    """Record what the marketplace says; act on cancelled, shipped and delivered."""
    order.marketplace_status = external
    meaning = statuses.unified(table, external)
    if order.status == "cancelled" or meaning is None:
        return
    if meaning == "cancelled":
        if order.status not in ("handed_over", "shipped", "delivered", "returned"):
            cancel(session, order, by_marketplace=True)
    elif _PROGRESS.get(meaning, 0) > _PROGRESS.get(order.status, 0) and meaning != "new":
        order.status = meaning
        logger.info("order %s by marketplace order=%s", meaning, order.id)


def cancel(session: Session, order: Order, *, by_marketplace: bool) -> None:
    """Cancel an order: release what is still reserved, send picked goods back to bins.

    A picker holding its task is told at the next scan; the seller's own cancel is
    owed to the marketplace (outbox).
    """
    if order.status in ("cancelled", "handed_over", "shipped", "delivered", "returned"):
        return
    released = inventory.release_order(session, order)
    picking.cancel_tasks(session, order)
    picking.forget_marking_codes(session, order)
    order.status = "cancelled"
    if not by_marketplace:
        outbox.queue_command(session, order.account, "cancel", order=order)
    stock_sync.changed(session, released)
    logger.info("order cancelled order=%s by_marketplace=%s", order.id, by_marketplace)


def active_orders(session: Session, account: MarketplaceAccount) -> list[Order]:
    """Orders still in the seller's hands, whose marketplace status we follow."""
    return list(
        session.scalars(
            select(Order)
            .where(
                Order.account_id == account.id,
                Order.status.notin_(("cancelled", "delivered", "returned")),
            )
            .execution_options(populate_existing=True)
        )
    )


def retry_waiting(session: Session, account: MarketplaceAccount) -> int:
    """Orders that waited for stock: reserve the ones that can be now.

    An order already picked once waits for the supervisor's decision on its shortage
    (shortages.resolve): re-accepting it would send a picker back to the bin found empty
    and confirm it to the marketplace a second time."""
    picked_before = select(PickTask.id).where(PickTask.order_id == Order.id).exists()
    waiting = session.scalars(
        select(Order)
        .where(Order.account_id == account.id, Order.status == "awaiting_stock", ~picked_before)
        .order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)
    )
    return sum(1 for order in list(waiting) if _retry(session, order))


def _retry(session: Session, order: Order) -> bool:
    """The order's row is taken first, only while it still waits: of two retries at once
    (an import and a put-away) one reserves it, the other finds it taken and leaves it.
    The touch changes nothing (the status changes through the ORM, with its history)."""
    taken = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == "awaiting_stock")
        .values(id=Order.id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(order, ["status"])
        return False
    return _relink(session, order) and accept_order(session, order)


def _relink(session: Session, order: Order) -> bool:
    """Lines whose product was unknown may be linked by now."""
    for line in order.lines:
        if line.product_id is None:
            line.product = listings.product_for_sku(
                session, order.account_id, line.external_sku
            ) or listings.match_product(
                session, (line.barcode,) if line.barcode else (), line.article
            )
    return all(line.product_id is not None or line.product is not None for line in order.lines)
