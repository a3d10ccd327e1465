"""Stock: finding goods, reserving them for orders, taking them off the shelf."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session, contains_eager, object_session

from warehouse.errors import DomainError
from warehouse.floor import marking
from warehouse.models import (
    Location,
    Order,
    OrderLine,
    PickItem,
    PickTask,
    Product,
    ProductBarcode,
    Reservation,
    Someone,
    Stock,
    StockMove,
)
from warehouse.stock import ledger
from warehouse.stock.ledger import stock_of

__all__ = ["stock_of"]  # the ledger's: where goods go is the ledger's business

logger = logging.getLogger(__name__)


def product_by_barcode(session: Session, barcode: str) -> ProductBarcode | None:
    """The product barcode scanned: stored exactly (marketplace codes are opaque strings),
    else by the GTIN it carries (UPC-A for an EAN-13 with a leading 0, a GS1-128 carton)."""
    exact = session.scalar(select(ProductBarcode).where(ProductBarcode.barcode == barcode))
    if exact is not None:
        return exact
    gtin = marking.scanned_gtin(barcode)
    if gtin is None:
        return None
    forms = marking.gtin_barcodes(gtin)
    return session.scalar(select(ProductBarcode).where(ProductBarcode.barcode.in_(forms)).limit(1))


def product_by_gtin(session: Session, gtin: str) -> Product | None:
    """The product a GTIN-14 (from a GS1 code) stands for, by any of its barcode forms."""
    return session.scalar(
        select(Product)
        .join(ProductBarcode)
        .where(ProductBarcode.barcode.in_(marking.gtin_barcodes(gtin)))
        .limit(1)
    )


def _free_stock(
    session: Session, product_ids: Iterable[int], warehouse_id: int
) -> dict[int, list[Stock]]:
    """The bins a new reservation may take each product from, in walk order (one query,
    the rows locked).

    Never the receiving or the defect area, never a bin or a product switched off in the
    catalogue: what lies there is not for sale. Reservations made before a switch-off stay
    valid (the goods are promised and the pick task already names the bin; the desk
    refuses to switch off a bin holding reserved goods), only new ones look elsewhere."""
    found: dict[int, list[Stock]] = {}
    rows = session.scalars(
        select(Stock)
        .join(Location)
        .join(Product, Product.id == Stock.product_id)
        .where(
            Stock.product_id.in_(set(product_ids)),
            Location.warehouse_id == warehouse_id,
            ~Location.receiving,  # received goods are free only once put away
            ~Location.defect,  # returned defects wait for a claim, never sold
            Location.active,
            Product.active,
            Stock.on_hand > Stock.reserved,
        )
        .order_by(Stock.product_id, Location.walk_order, Stock.id)
        .options(contains_eager(Stock.location))  # the task's walk order reads it
        .with_for_update(of=Stock)
        # the rows as they are once locked, not as this session read them before
        .execution_options(populate_existing=True)
    )
    for stock in rows:
        found.setdefault(stock.product_id, []).append(stock)
    return found


# a stock row's reservations grow by SQL arithmetic, many rows in one executemany
_RESERVE = (
    update(Stock)
    .where(Stock.id == bindparam("stock"))
    .values(reserved=Stock.reserved + bindparam("units"))
)


def reserve_orders(session: Session, orders: Sequence[Order], warehouse_id: int) -> list[Order]:
    """Reserve ``orders`` in the warehouse in their order (the first come are served
    first), each all or nothing: an order with a line whose product we do not know, or
    without enough free stock, reserves nothing. Returns the orders reserved.

    A page of imported orders is reserved at once: the free stock of all its products
    read (and locked) in one query, the plan made here, the stock rows changed by one
    executemany of ``reserved = reserved + n`` (the table's CHECKs refuse promising more
    than is there), the reservations written in one more (not through the ORM: its unit
    of work cost an import more than the statements)."""
    free = _free_stock(
        session,
        {line.product_id for order in orders for line in order.lines if line.product_id},
        warehouse_id,
    )
    planned: Counter[int] = Counter()  # units promised per stock row by this call
    reserved: list[Order] = []
    plan: list[tuple[OrderLine, Stock, int]] = []
    for order in orders:
        taken = _plan(order, free, planned)
        if taken is None:
            continue
        for _line, stock, take in taken:
            planned[stock.id] += take
        plan += taken
        reserved.append(order)
    if not planned:  # nothing to take (or an order of no units: reserved as it is)
        return reserved
    session.connection().execute(
        _RESERVE, [{"stock": stock_id, "units": units} for stock_id, units in planned.items()]
    )
    for stocks in free.values():  # what SQL changed is read again on the next use
        for stock in stocks:
            if stock.id in planned:
                session.expire(stock, ["reserved"])
    session.connection().execute(
        insert(Reservation),
        [
            {"line_id": line.id, "stock_id": stock.id, "quantity": take}
            for line, stock, take in plan
        ],
    )
    for line in {line for line, _stock, _take in plan}:  # read again on their next use
        session.expire(line, ["reservations"])
    for order in reserved:
        logger.info("order reserved order=%s lines=%s", order.id, len(order.lines))
    return reserved


def _plan(
    order: Order, free: dict[int, list[Stock]], planned: Counter[int]
) -> list[tuple[OrderLine, Stock, int]] | None:
    """Where each line of the order would be taken from, after what is ``planned``
    already; None when some line cannot be covered."""
    taken: list[tuple[OrderLine, Stock, int]] = []
    mine: Counter[int] = Counter()
    for line in order.lines:
        if line.product_id is None:
            return None
        needed = line.quantity - sum(r.quantity for r in line.reservations)
        for stock in free.get(line.product_id, ()):
            if needed == 0:
                break
            take = min(needed, stock.free - planned[stock.id] - mine[stock.id])
            if take <= 0:
                continue
            mine[stock.id] += take
            taken.append((line, stock, take))
            needed -= take
        if needed:
            return None
    return taken


def _change(stock: Stock, *, reserved: int) -> None:
    """A reservation moves as SQL arithmetic (``reserved = reserved + 1``), never as a
    value read before: two orders reserving one bin at once must both be counted. The
    CHECKs on the table refuse promising more than is there. On-hand changes only through
    ``ledger.move``, which writes the movement row with it."""
    stock.reserved = Stock.reserved + reserved
    session = object_session(stock)
    if session is not None:  # at once: a second move of the same row must add to this one
        session.flush([stock])


def take_from_bin(
    session: Session,
    product_id: int,
    location_id: int,
    quantity: int,
    *,
    document: str,
    user: Someone | None,
) -> None:
    """Picked goods leave the bin: on hand and reserved both go down (the stock row is not
    read: a scan's hot path)."""
    ledger.move_in_bin(
        session,
        product_id,
        location_id,
        -quantity,
        "pick",
        reserved=-quantity,
        document=document,
        user=user,
    )


def release_order(session: Session, order: Order) -> set[int]:
    """Give back what an order still holds on the shelves; returns the products touched.

    What was already picked has left the bins (see take_from_bin); it goes back
    through a put-back task, not here.
    """
    touched: set[int] = set()
    for line in order.lines:
        for reservation in line.reservations:
            picked = _picked_from(session, line, reservation.stock)
            unpicked = reservation.quantity - picked
            if unpicked > 0:
                _change(reservation.stock, reserved=-unpicked)
                touched.add(reservation.stock.product_id)
    session.flush()
    return touched


def _picked_from(session: Session, line: OrderLine, stock: Stock) -> int:
    picked = session.scalar(
        select(func.coalesce(func.sum(PickItem.picked), 0))
        .join(PickTask)
        .where(
            PickItem.line_id == line.id,
            PickItem.location_id == stock.location_id,
            PickTask.kind == "pick",
        )
    )
    return int(picked or 0)


def return_to_bin(
    session: Session, stock: Stock, quantity: int, *, document: str, user: Someone | None
) -> None:
    """Goods of a cancelled order are back on the shelf, free again."""
    ledger.move(session, stock, quantity, "put_back", document=document, user=user)


def unreserve(session: Session, line: OrderLine, location_id: int, quantity: int) -> Stock:
    """Reserved goods the picker did not find: the line no longer holds them in this bin.

    The stock row is written first, so from here to the commit no one else moves it
    (a row lock on PostgreSQL, the write lock on SQLite): what it reads next is exact."""
    reservation = next(r for r in line.reservations if r.stock.location_id == location_id)
    stock = reservation.stock
    _change(stock, reserved=-quantity)
    reservation.quantity -= quantity
    if reservation.quantity == 0:
        line.reservations.remove(reservation)
        session.delete(reservation)
    session.flush()
    return stock


def free_units(session: Session, stock: Stock) -> int:
    """The bin's free units as the database has them now."""
    session.refresh(stock, ["on_hand", "reserved"])
    return stock.free


def take_out(
    session: Session,
    stock: Stock,
    quantity: int,
    reason: str,
    *,
    document: str,
    user: Someone | None,
    shortage_id: int | None = None,
) -> None:
    """Goods leave the bin without an order (missing, damaged); never below what is
    promised to orders (the CHECK on the table refuses that)."""
    ledger.move(
        session, stock, -quantity, reason, document=document, user=user, shortage_id=shortage_id
    )


def count(
    session: Session,
    stock: Stock,
    counted: int,
    *,
    document: str,
    user: Someone | None,
    shortage_id: int | None = None,
    seen: int | None = None,
) -> StockMove | None:
    """A count of the bin: its on hand becomes what was counted; returns the movement
    (None when the count found what the bin showed).

    Compare-and-set on ``seen``, the on-hand the bin showed when it was counted (a count
    approved later passes it; by default the value read now), so a pick meanwhile is
    never overwritten: it is refused with ``count_changed``."""
    now = _on_hand(session, stock)
    seen = now if seen is None else seen
    if counted < stock.reserved:
        raise DomainError("count_below_reserved", reserved=stock.reserved, counted=counted)
    if counted == seen:
        return None
    return ledger.move(
        session,
        stock,
        counted - seen,
        "count",
        expect_on_hand=seen,
        document=document,
        user=user,
        shortage_id=shortage_id,
    )


def _on_hand(session: Session, stock: Stock) -> int:
    session.refresh(stock, ["on_hand", "reserved"])
    return stock.on_hand


def free_elsewhere(session: Session, line: OrderLine, warehouse_id: int, skip_location: int) -> int:
    """Free units of the line's product in the warehouse's other bins."""
    if line.product_id is None:
        return 0
    stocks = _free_stock(session, [line.product_id], warehouse_id).get(line.product_id, [])
    return sum(stock.free for stock in stocks if stock.location_id != skip_location)


def reserve_more(
    session: Session, line: OrderLine, quantity: int, warehouse_id: int, skip_location: int
) -> list[tuple[Stock, int]]:
    """Reserve ``quantity`` more of a line's product from other bins; all or nothing."""
    assert line.product_id is not None
    plan: list[tuple[Stock, int]] = []
    needed = quantity
    for stock in _free_stock(session, [line.product_id], warehouse_id).get(line.product_id, []):
        if stock.location_id == skip_location or needed == 0:
            continue
        take = min(needed, stock.free)
        plan.append((stock, take))
        needed -= take
    if needed:
        return []
    for stock, take in plan:
        _change(stock, reserved=take)
        existing = next((r for r in line.reservations if r.stock_id == stock.id), None)
        if existing is not None:
            existing.quantity += take
        else:
            session.add(Reservation(line=line, stock=stock, quantity=take))
    session.flush()
    return plan
