"""Packing: a picked order gets its parcel, and the marketplace's label goes to a printer."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse import labels, outbox
from warehouse.errors import DomainError, NotFound
from warehouse.models import Parcel, PickTask, Printer, PrintJob, User

logger = logging.getLogger(__name__)


def default_printer(session: Session, warehouse_id: int) -> Printer | None:
    return session.scalar(
        select(Printer)
        .where(Printer.warehouse_id == warehouse_id)
        .order_by(Printer.is_default.desc(), Printer.id)
        .limit(1)
    )


def pack_task(session: Session, task_id: int, user: User, printer_id: int | None) -> PrintJob:
    """Pack the order of a finished task into one parcel and queue its label.

    Packing twice returns the print job of the first time: a double tap on the
    button must not print two labels.
    """
    task = session.get(PickTask, task_id)
    if task is None or task.picker_id not in (None, user.id):
        raise NotFound("task_not_found")
    order = task.order
    existing = session.scalar(
        select(PrintJob).join(Parcel).where(Parcel.order_id == order.id).order_by(PrintJob.id)
    )
    if existing is not None:
        return existing
    if order.status != "picked":
        raise DomainError("order_not_picked", status=order.status)
    printer = session.get(Printer, printer_id) if printer_id else None
    printer = printer or default_printer(session, task.warehouse_id)
    if printer is None:
        raise DomainError("no_printer")
    parcel = Parcel(order=order, number=1)
    session.add(parcel)
    order.status = "packed"
    outbox.queue_command(session, order.account, "pack", order=order)
    outbox.queue_command(session, order.account, "ship", order=order)
    session.flush()
    logger.info("order packed order=%s parcel=%s by=%s", order.id, parcel.id, user.id)
    return labels.queue_marketplace_label(session, parcel, printer)
