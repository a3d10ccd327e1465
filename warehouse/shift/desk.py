"""What the supervisor's desk shows: counts and lists across every marketplace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from warehouse.errors import NotFound
from warehouse.models import (
    ORDER_STATUSES,
    TO_PICK_STATUSES,
    CountFlag,
    HandOver,
    Location,
    MarketplaceAccount,
    MarkingCode,
    Order,
    OutboxCommand,
    Parcel,
    PickTask,
    Printer,
    PrintJob,
    Product,
    Return,
    Shortage,
    Stock,
    User,
)

T = TypeVar("T", bound=Any)


def order_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Order.status, func.count()).group_by(Order.status))
    counts = dict.fromkeys(ORDER_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def recent_orders(session: Session, status: str | None, limit: int = 100) -> list[Order]:
    query = select(Order).order_by(Order.ship_by.is_(None), Order.ship_by, Order.id.desc())
    if status:
        query = query.where(Order.status == status)
    return list(session.scalars(query.limit(limit)))


def count_flags(session: Session, orders: list[Order]) -> dict[int, list[CountFlag]]:
    """The orders list's count flags: a count found fewer units in a bin than these orders
    hold there, shown until the order is picked (the order page keeps them for good)."""
    ids = [order.id for order in orders if order.status in TO_PICK_STATUSES]
    flags: dict[int, list[CountFlag]] = {}
    if not ids:
        return flags
    query = select(CountFlag).where(CountFlag.order_id.in_(ids)).order_by(CountFlag.id)
    for flag in session.scalars(query):
        flags.setdefault(flag.order_id, []).append(flag)
    return flags


def outbox_problems(session: Session, limit: int = 50) -> list[OutboxCommand]:
    return list(
        session.scalars(
            select(OutboxCommand)
            .where(OutboxCommand.status.in_(("pending", "failed")), OutboxCommand.attempts > 0)
            .order_by(OutboxCommand.id.desc())
            .limit(limit)
        )
    )


def printers(session: Session) -> list[Printer]:
    return list(session.scalars(select(Printer).order_by(Printer.name)))


def failed_print_jobs(session: Session, limit: int = 20) -> list[PrintJob]:
    return list(
        session.scalars(
            select(PrintJob)
            .where(PrintJob.status.in_(("failed", "unknown")))
            .order_by(PrintJob.id.desc())
            .limit(limit)
        )
    )


def accounts(session: Session) -> list[MarketplaceAccount]:
    return list(session.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.id)))


@dataclass
class OrderPage:
    """Everything about one order, for the supervisor's order page."""

    order: Order
    tasks: list[PickTask]
    marking_codes: list[MarkingCode]
    parcels: list[Parcel]
    print_jobs: list[PrintJob]
    commands: list[OutboxCommand]
    shortages: list[Shortage]
    # counts that did not find units this order holds (the bin was left at what is promised)
    count_flags: list[CountFlag]
    # the parcel back from the marketplace: every unit's grade (a write-off is told only here
    # and on the return, as it enters no bin)
    ret: Return | None


def order_page(session: Session, order_id: int) -> OrderPage:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("order_not_found")
    line_ids = [line.id for line in order.lines]
    parcels = _all(session, select(Parcel).where(Parcel.order_id == order.id).order_by(Parcel.id))
    parcel_ids = [parcel.id for parcel in parcels]
    return OrderPage(
        order=order,
        tasks=_all(
            session, select(PickTask).where(PickTask.order_id == order.id).order_by(PickTask.id)
        ),
        marking_codes=_all(
            session,
            select(MarkingCode).where(MarkingCode.line_id.in_(line_ids)).order_by(MarkingCode.id),
        ),
        parcels=parcels,
        print_jobs=_all(
            session,
            select(PrintJob).where(PrintJob.parcel_id.in_(parcel_ids)).order_by(PrintJob.id),
        ),
        commands=_all(
            session,
            select(OutboxCommand)
            .where(OutboxCommand.order_id == order.id)
            .order_by(OutboxCommand.id),
        ),
        shortages=_all(
            session, select(Shortage).where(Shortage.order_id == order.id).order_by(Shortage.id)
        ),
        count_flags=_all(
            session,
            select(CountFlag).where(CountFlag.order_id == order.id).order_by(CountFlag.id),
        ),
        ret=session.scalar(select(Return).where(Return.order_id == order.id)),
    )


def _all(session: Session, query: Select[tuple[T]]) -> list[T]:
    return list(session.scalars(query))


def pickers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.active.is_(True), User.badge.is_not(None)).order_by(User.name)
        )
    )


def locations(session: Session) -> list[tuple[Location, int, int]]:
    """Bins in walk order with the units they hold and the units promised to orders."""
    rows = session.execute(
        select(
            Location,
            func.coalesce(func.sum(Stock.on_hand), 0),
            func.coalesce(func.sum(Stock.reserved), 0),
        )
        .outerjoin(Stock, Stock.location_id == Location.id)
        .group_by(Location.id)
        .order_by(Location.walk_order, Location.code)
    )
    return [(location, int(on_hand), int(reserved)) for location, on_hand, reserved in rows]


def label_printers(session: Session) -> list[Printer]:
    """The printers a supervisor can send labels to (active label printers)."""
    return _printers(session, "label")


def document_printers(session: Session) -> list[Printer]:
    """The office (A4) printers a supervisor can send PDF papers to (active ones)."""
    return _printers(session, "document")


def _printers(session: Session, kind: str) -> list[Printer]:
    query = select(Printer).where(Printer.active.is_(True), Printer.kind == kind)
    return list(session.scalars(query.order_by(Printer.name)))


def products(session: Session) -> list[Product]:
    """Products by name, their barcodes loaded."""
    query = select(Product).options(selectinload(Product.barcodes)).order_by(Product.name)
    return list(session.scalars(query))


def supplies(session: Session, limit: int = 200) -> list[tuple[HandOver, MarketplaceAccount, int]]:
    """Hand-overs, open first, for their labels: their cabinet and how many orders are in
    each."""
    rows = session.execute(
        select(HandOver, MarketplaceAccount, func.count(Order.id))
        .join(MarketplaceAccount, MarketplaceAccount.id == HandOver.account_id)
        .outerjoin(Order, Order.handover_id == HandOver.id)
        .group_by(HandOver.id, MarketplaceAccount.id)
        .order_by(
            (HandOver.status == "open").desc(), HandOver.created_at.desc(), HandOver.id.desc()
        )
        .limit(limit)
    )
    return [(supply, account, int(count)) for supply, account, count in rows]
