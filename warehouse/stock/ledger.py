"""The stock ledger: every change of a bin's on-hand is a ``StockMove`` row.

``move`` is the ONE way on-hand changes (``move_in_bin`` is the same for a stock row
named by product and bin, not read first: a scan's hot path). It does the atomic UPDATE
(``on_hand = on_hand + :n`` in SQL, the table's CHECKs refusing a bin below zero or below
what is promised) and writes the movement row in the same transaction. Picks, put-backs,
short picks and counts call it today; receiving, put-away, moves, counts and returns call
it with their own reason and document. Nothing else may assign ``Stock.on_hand``
(tests/test_stock_ledger.py reads the source to hold that).

So a bin's on-hand always equals the sum of its movements; ``disagreements`` lists the
stock rows where it does not (``flask --app wsgi stock-reconcile``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

from warehouse.alerts import low_stock
from warehouse.errors import DomainError, NotFound
from warehouse.infra import feeds
from warehouse.models import Location, Product, Someone, Stock, StockMove
from warehouse.models.work import STOCK_MOVE_REASONS

logger = logging.getLogger(__name__)

HISTORY_PAGE = 50


def move(
    session: Session,
    stock: Stock,
    quantity: int,
    reason: str,
    *,
    document: str,
    user: Someone | None,
    reserved: int = 0,
    expect_on_hand: int | None = None,
    shortage_id: int | None = None,
) -> StockMove:
    """Change the bin's on-hand by ``quantity`` (signed) and record why.

    ``reason``: one of ``STOCK_MOVE_REASONS``; ``document``: what the change belongs to
    ("task:12", "shortage:3", "count:7", "move:<id>", "demo"); ``user``: who, None for the
    system. ``reserved`` changes the reservation in the same UPDATE (a pick takes both).
    ``expect_on_hand``: compare-and-set for a count, refused with ``count_changed`` when
    goods moved since the value was read. Flushes, never commits."""
    if stock.id is None:
        session.flush([stock])
    where = [Stock.id == stock.id]
    if expect_on_hand is not None:
        where.append(Stock.on_hand == expect_on_hand)
    if _update(session, where, quantity, reason, reserved) is None:
        raise DomainError("count_changed")  # goods moved meanwhile: count again
    row = StockMove(
        **_movement(stock.product_id, stock.location_id, quantity, reason, document, user),
        shortage_id=shortage_id,
    )
    session.add(row)
    session.flush()
    if _changes_free(stock.location, quantity, reserved):
        low_stock.mark(session, [stock.product_id])  # checked against its minimum after commit
    return row


def move_in_bin(
    session: Session,
    product_id: int,
    location_id: int,
    quantity: int,
    reason: str,
    *,
    document: str,
    user: Someone | None,
    reserved: int = 0,
) -> None:
    """``move`` for the product's stock row in the bin without reading it first (a scan's
    hot path: one UPDATE and one INSERT, no unit of work). The row must exist (a pick takes
    from reserved stock)."""
    _check(quantity, reason)
    keys = {"product": product_id, "bin": location_id, "units": quantity, "held": reserved}
    changed = session.connection().execute(_IN_BIN, keys).scalar()
    if changed is None:
        raise ValueError(f"no stock of product {product_id} in bin {location_id}")
    _expire_loaded(session, changed)
    logger.info("stock moved stock=%s quantity=%s reason=%s", changed, quantity, reason)
    session.connection().execute(
        _INSERT_MOVE, _movement(product_id, location_id, quantity, reason, document, user)
    )
    if quantity != reserved and _changes_free(
        session.get_one(Location, location_id), quantity, reserved
    ):
        low_stock.mark(session, [product_id])


def _update(
    session: Session, where: list[Any], quantity: int, reason: str, reserved: int
) -> int | None:
    """The UPDATE, as SQL arithmetic; the stock row's id, None when no row matched. A
    loaded copy of the row is expired."""
    _check(quantity, reason)
    changed = session.execute(
        update(Stock)
        .where(*where)
        .values(on_hand=Stock.on_hand + quantity, reserved=Stock.reserved + reserved)
        .returning(Stock.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if changed is not None:
        _expire_loaded(session, changed)
        logger.info("stock moved stock=%s quantity=%s reason=%s", changed, quantity, reason)
    return changed


def _check(quantity: int, reason: str) -> None:
    if quantity == 0:
        raise ValueError("a stock movement of zero units")
    if reason not in STOCK_MOVE_REASONS:
        raise ValueError(f"unknown stock movement reason {reason!r}")


def _expire_loaded(session: Session, stock_id: int) -> None:
    loaded = session.identity_map.get(identity_key(Stock, stock_id))
    if loaded is not None:
        session.expire(loaded, ["on_hand", "reserved"])


# move_in_bin's statements, built once (a statement keeps its cache key: a scan does not
# pay for composing them), run on the session's connection as picking's scan statements
_IN_BIN = (
    update(Stock)
    .where(Stock.product_id == bindparam("product"), Stock.location_id == bindparam("bin"))
    .values(on_hand=Stock.on_hand + bindparam("units"), reserved=Stock.reserved + bindparam("held"))
    .returning(Stock.id)
    .execution_options(synchronize_session=False)
)
_INSERT_MOVE = insert(StockMove)


def _movement(
    product_id: int,
    location_id: int,
    quantity: int,
    reason: str,
    document: str,
    user: Someone | None,
) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "location_id": location_id,
        "quantity": quantity,
        "reason": reason,
        "document": document,
        "user_id": user.id if user is not None else None,
    }


def _changes_free(location: Location, quantity: int, reserved: int) -> bool:
    """Free units change unless the units and their reservation go together (a pick) or
    the bin is the receiving area (its goods are never free)."""
    return quantity != reserved and not location.receiving


def stock_of(session: Session, product_id: int, location_id: int) -> Stock:
    """The product's stock row in the bin, created empty the first time goods go there."""
    stock = session.scalar(
        select(Stock).where(Stock.product_id == product_id, Stock.location_id == location_id)
    )
    if stock is None:
        stock = Stock(product_id=product_id, location_id=location_id, on_hand=0, reserved=0)
        session.add(stock)
        session.flush()
    return stock


def opening(
    session: Session,
    product_id: int,
    location_id: int,
    quantity: int,
    *,
    document: str,
    user: Someone | None = None,
) -> Stock:
    """The first stock of a bin (the demo's, a catalogue file's initial count)."""
    stock = stock_of(session, product_id, location_id)
    if quantity:
        move(session, stock, quantity, "opening", document=document, user=user)
    return stock


@dataclass(frozen=True)
class Disagreement:
    product_id: int
    location_id: int
    on_hand: int
    ledger: int


def disagreements(session: Session) -> list[Disagreement]:
    """Bins whose on-hand is not the sum of their movements (none, when all is well),
    including movements of a product in a bin that has no stock row at all."""
    totals = (
        select(
            StockMove.product_id,
            StockMove.location_id,
            func.sum(StockMove.quantity).label("total"),
        )
        .group_by(StockMove.product_id, StockMove.location_id)
        .subquery()
    )
    joined = and_(
        totals.c.product_id == Stock.product_id, totals.c.location_id == Stock.location_id
    )
    ledger = func.coalesce(totals.c.total, 0)
    with_stock = session.execute(
        select(Stock.product_id, Stock.location_id, Stock.on_hand, ledger)
        .outerjoin(totals, joined)
        .where(Stock.on_hand != ledger)
    )
    orphans = session.execute(
        select(totals.c.product_id, totals.c.location_id, totals.c.total)
        .outerjoin(Stock, joined)
        .where(Stock.id.is_(None), totals.c.total != 0)
    )
    found = [Disagreement(p, loc, on_hand, int(total)) for p, loc, on_hand, total in with_stock]
    found += [Disagreement(p, loc, 0, int(total)) for p, loc, total in orphans]
    return sorted(found, key=lambda d: (d.product_id, d.location_id))


@dataclass(frozen=True)
class History:
    """A page of a product's or a bin's movements, newest first; ``older`` is the id to
    pass as ``before`` for the next page (None on the last one)."""

    product: Product | None
    location: Location | None
    moves: list[StockMove]
    older: int | None


def product_history(session: Session, product_id: int, before: int | None = None) -> History:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("product_not_found")
    moves = _page(session, StockMove.product_id == product_id, before)
    return History(product, None, moves[:HISTORY_PAGE], _older(moves))


def bin_history(session: Session, location_id: int, before: int | None = None) -> History:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound("location_not_found")
    moves = _page(session, StockMove.location_id == location_id, before)
    return History(None, location, moves[:HISTORY_PAGE], _older(moves))


def bin_contents(session: Session, location_id: int) -> list[Stock]:
    """What lies in the bin now (the desk's bin page, above its history)."""
    return list(
        session.scalars(
            select(Stock)
            .where(Stock.location_id == location_id, Stock.on_hand > 0)
            .options(joinedload(Stock.product))
            .order_by(Stock.id)
        )
    )


def _page(session: Session, subject: ColumnElement[bool], before: int | None) -> list[StockMove]:
    """One page plus one row (to know whether an older page exists); keyset on the id."""
    query = (
        select(StockMove)
        .where(subject)
        .options(joinedload(StockMove.product), joinedload(StockMove.location))
        .options(joinedload(StockMove.user))
        .order_by(StockMove.id.desc())
        .limit(HISTORY_PAGE + 1)
    )
    if before is not None:
        query = query.where(StockMove.id < before)
    return list(session.scalars(query))


def _older(moves: list[StockMove]) -> int | None:
    return moves[HISTORY_PAGE - 1].id if len(moves) > HISTORY_PAGE else None


def movements_after(session: Session, after: int, limit: int) -> tuple[list[StockMove], int, bool]:
    """The ledger after a cursor, oldest first, never past the feed's horizon (outside
    systems read it page by page: nothing skipped, nothing twice); with the next cursor."""
    top = feeds.horizon(session, "stock_moves")
    found = list(
        session.scalars(
            select(StockMove)
            .options(
                joinedload(StockMove.product),
                joinedload(StockMove.location).joinedload(Location.warehouse),
                joinedload(StockMove.user),
            )
            .where(StockMove.id > after, StockMove.id <= top)
            .order_by(StockMove.id)
            .limit(limit + 1)
        )
    )
    more = len(found) > limit
    items = found[:limit]
    return items, (items[-1].id if more else max(top, after)), more
