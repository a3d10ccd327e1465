"""What the supervisor's desk shows: counts and lists across every marketplace."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.models import (
    ORDER_STATUSES,
    MarketplaceAccount,
    Order,
    OutboxCommand,
    Printer,
    PrintJob,
)


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


def outbox_problems(session: Session, limit: int = 50) -> list[OutboxCommand]:
    return list(
        session.scalars(
            select(OutboxCommand)
            .where(OutboxCommand.status != "done", OutboxCommand.attempts > 0)
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
