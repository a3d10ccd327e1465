"""Telling the marketplace that a pickup is closed, and what follows when it has heard.

``handovers.close`` owes one outbox command ``hand_over`` per pickup; delivering it runs the
marketplace's own ``close_<marketplace>.close(session, client, handover)``, which is
resumable (it may run again after a retry, a crash or a success nobody recorded) and
keeps the papers the marketplace answers with. When it returns, the pickup is closed, its
orders read «передан, ждём маркетплейс» until status polling hears they shipped, and its
ZPL papers print on the Zebra the supervisor chose. PDF papers (acts, waybills) print on an
office (A4) printer when a person asks (``print_paper``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.accounting import owed
from warehouse.errors import DomainError
from warehouse.labels import print_jobs
from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.models import (
    HandOver,
    HandOverDocument,
    OutboxCommand,
    Printer,
    PrintJob,
    User,
    utcnow,
)
from warehouse.shipping import (
    close_megamarket,
    close_ozon,
    close_wb,
    close_yandex,
    documents,
    handovers,
    history,
)

logger = logging.getLogger(__name__)

Close = Callable[[Session, Any, HandOver], None]

# one per marketplace kind; each lives in warehouse/shipping/close_<marketplace>.py
HANDLERS: dict[str, Close] = {
    "wb": close_wb.close,
    "megamarket": close_megamarket.close,
    "ozon": close_ozon.close,
    "yandex": close_yandex.close,
}


def deliver(session: Session, client: Any, command: OutboxCommand) -> None:
    """The outbox handler of ``hand_over`` commands."""
    handover = session.get_one(HandOver, int(command.payload["handover_id"]))
    if handover.status == "closed":
        return
    close = HANDLERS.get(handover.account.kind)
    if close is None:
        raise RejectedError(f"no hand-over for {handover.account.kind} yet", code="unsupported")
    handover.status = "closing"
    _after_the_orders_own(session, handover, command)
    try:
        close(session, client, handover)
    except RejectedError as exc:
        handover.status = "failed"
        history.record(session, handover, "failed", str(exc))
        raise
    finish(session, handover)


def _after_the_orders_own(session: Session, handover: HandOver, command: OutboxCommand) -> None:
    """The pickup is told after its orders' own commands (pack, ship…) reached the
    marketplace: an Ozon act leaves out a posting not yet shipped there, WB refuses codes
    after the supply left. A failed one does not hold it up (a person sees it)."""
    ids = [order.id for order in handovers.loaded_orders(session, handover)]
    waiting = session.scalar(
        select(OutboxCommand.id)
        .where(OutboxCommand.order_id.in_(ids), OutboxCommand.status == "pending")
        .where(OutboxCommand.id < command.id)
        .limit(1)
    )
    if waiting is not None:
        raise TransientError("waiting for the orders' own commands to reach the marketplace")


def finish(session: Session, handover: HandOver) -> None:
    """The marketplace has it: closed, orders handed over, papers to the Zebra, and the
    accounting system owed a shipment document per order (through the outbox)."""
    handover.status = "closed"
    handover.closed_at = utcnow()
    loaded = handovers.loaded_orders(session, handover)
    for order in loaded:
        if order.status in handovers.PACKED:
            order.status = "handed_over"
    history.record(session, handover, "closed", handover.marketplace_state or "")
    owed.handover_closed(session, handover, loaded)
    _print_papers(session, handover)
    logger.info("handover closed handover=%s", handover.id)


def _print_papers(session: Session, handover: HandOver) -> None:
    printer_id = (handover.details or {}).get("printer_id")
    printer = session.get(Printer, int(printer_id)) if printer_id else None
    if printer is None or printer.is_document:
        return
    user = session.get(User, handover.closed_by_id) if handover.closed_by_id else None
    for document in documents.of(session, handover.id):
        if document.content_type == documents.ZPL:
            print_paper(session, handover, document, printer, user)


def print_paper(
    session: Session,
    handover: HandOver,
    document: HandOverDocument,
    printer: Printer,
    user: User | None,
) -> None:
    """A paper as a print job: ZPL (WB supply QR, Ozon act barcode) to a label printer, a
    PDF (act, waybill) to an office printer as an A4 document. A printer of the wrong kind
    is refused (``DomainError``); a switched-off one leaves the paper downloadable."""
    detail = f"{document.kind} {handovers.number(handover)}"
    if document.content_type == documents.PDF:
        if not printer.is_document:
            raise DomainError("printer_not_for_documents", printer=printer.name)
        queue = print_jobs.queue_document
    elif document.content_type == documents.ZPL:
        if printer.is_document:
            raise DomainError("printer_not_for_labels", printer=printer.name)
        queue = _queue_zpl_paper
    else:
        raise DomainError("document_not_printable")
    try:
        job = queue(session, printer, user, document.content, detail)
    except DomainError as exc:  # printer switched off: the paper stays downloadable
        history.record(session, handover, "print_refused", f"{document.kind}: {exc.code}")
        return
    history.record(
        session, handover, "printed", f"{document.kind} → {printer.name} #{job.id}", user
    )


def _queue_zpl_paper(
    session: Session, printer: Printer, user: User | None, content: bytes, detail: str = ""
) -> PrintJob:
    return print_jobs.queue_own_label(
        session,
        printer,
        "handover_paper",
        user,  # type: ignore[arg-type]
        content,
        detail,
    )


def command_of(session: Session, handover: HandOver) -> OutboxCommand | None:
    """The outbox command that tells the marketplace (its state is shown on the desk)."""
    command_id = (handover.details or {}).get("command_id")
    if command_id is None:
        return None
    return session.scalar(select(OutboxCommand).where(OutboxCommand.id == int(command_id)))
