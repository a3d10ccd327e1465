"""Orders as outside systems read them: page by page after a cursor, and their changes.

A page is read by id after the last id the reader saw, never past the feed's horizon
(``warehouse.infra.feeds``): an order committed late with a smaller id cannot be skipped.
The filters narrow a page; the cursor moves over the ids the page looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from warehouse.errors import NotFound
from warehouse.infra import feeds
from warehouse.models import (
    MarketplaceAccount,
    Order,
    OrderEvent,
    OrderLine,
    Parcel,
    Reservation,
    Stock,
)

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    items: Sequence[Row]
    next: int  # the cursor to read on from (the last id looked at; ``after`` when none)
    has_more: bool


@dataclass(frozen=True)
class OrderFilter:
    marketplace: str | None = None
    account_id: int | None = None
    status: str | None = None
    changed_since: datetime | None = None


def orders_page(session: Session, wanted: OrderFilter, after: int, limit: int) -> Page[Order]:
    top = feeds.horizon(session, "orders")
    query = (
        select(Order)
        .where(Order.id > after, Order.id <= top)
        .options(selectinload(Order.lines), joinedload(Order.account))
        .order_by(Order.id)
        .limit(limit + 1)
    )
    query = _filtered(query, wanted)
    found = list(session.scalars(query).unique())
    return _page(found, after, limit, top, lambda order: order.id)


def order_events_page(session: Session, after: int, limit: int) -> Page[tuple[OrderEvent, Order]]:
    """Status changes after the cursor, oldest first, each with its order."""
    top = feeds.horizon(session, "order_events")
    query = (
        select(OrderEvent, Order)
        .join(Order, Order.id == OrderEvent.order_id)
        .options(joinedload(Order.account))
        .where(OrderEvent.id > after, OrderEvent.id <= top)
        .order_by(OrderEvent.id)
        .limit(limit + 1)
    )
    found = [(event, order) for event, order in session.execute(query)]
    return _page(found, after, limit, top, lambda row: row[0].id)


def order_of(session: Session, order_id: int) -> Order:
    """One order with what an outside system reads of it (lines, reservations, parcels,
    hand-over, history)."""
    order = session.get(
        Order,
        order_id,
        options=(
            joinedload(Order.account),
            joinedload(Order.handover),
            selectinload(Order.lines)
            .selectinload(OrderLine.reservations)
            .joinedload(Reservation.stock)
            .joinedload(Stock.location),
            selectinload(Order.numbers),
        ),
    )
    if order is None:
        raise NotFound("order_not_found")
    return order


def parcels_of(session: Session, order: Order) -> list[Parcel]:
    query = select(Parcel).where(Parcel.order_id == order.id).order_by(Parcel.number, Parcel.id)
    return list(session.scalars(query))


def history_of(session: Session, order: Order) -> list[OrderEvent]:
    query = (
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .options(joinedload(OrderEvent.user))
        .order_by(OrderEvent.id)
    )
    return list(session.scalars(query))


def _filtered(query: Select[tuple[Order]], wanted: OrderFilter) -> Select[tuple[Order]]:
    if wanted.marketplace:
        query = query.join(MarketplaceAccount, MarketplaceAccount.id == Order.account_id).where(
            MarketplaceAccount.kind == wanted.marketplace
        )
    if wanted.account_id is not None:
        query = query.where(Order.account_id == wanted.account_id)
    if wanted.status:
        query = query.where(Order.status == wanted.status)
    if wanted.changed_since is not None:
        query = query.where(Order.updated_at >= wanted.changed_since)
    return query


def _page(
    found: list[Row], after: int, limit: int, top: int, id_of: Callable[[Row], int]
) -> Page[Row]:
    more = len(found) > limit
    items = found[:limit]
    # nothing more up to the horizon: a filtered reader may move its cursor there
    last = id_of(items[-1]) if more else max(top, after)
    return Page(items, last, more)
