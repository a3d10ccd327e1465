"""Print jobs: which label goes to which printer, and what became of it.

The printers package renders and sends; this module decides what to print and
keeps the job's state (queued → sending → sent → printed, or failed with the
reason a person can act on).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import printers
from printers import graphics
from warehouse import queue
from warehouse.errors import NotFound
from warehouse.marketplaces.base import Label, MarketplaceError, TransientError
from warehouse.models import Order, Parcel, Printer, PrintJob, utcnow

logger = logging.getLogger(__name__)

FetchLabel = Callable[[Session, Order], Label]


class RetryLater(Exception):
    """The job could not finish now, but nothing was printed: run it again later."""


def queue_marketplace_label(session: Session, parcel: Parcel, printer: Printer) -> PrintJob:
    job = PrintJob(printer=printer, parcel_id=parcel.id, kind="marketplace_label")
    session.add(job)
    session.flush()
    _enqueue(session, job)
    return job


def retry(session: Session, job_id: int) -> PrintJob:
    """A person fixed the printer: send the failed job again."""
    job = session.get(PrintJob, job_id)
    if job is None:
        raise NotFound("print_job_not_found")
    if job.status == "failed":
        job.status = "queued"
        job.error = ""
        _enqueue(session, job)
    return job


def _enqueue(session: Session, job: PrintJob) -> None:
    queue.enqueue_after_commit(
        session, "warehouse.jobs.run_print_job", job.id, queue="print", retry="PRINT_RETRY_SECONDS"
    )


def wake(session: Session, order_id: int) -> None:
    """The marketplace accepted a step of the order: its waiting labels may exist now."""
    waiting = session.scalars(
        select(PrintJob)
        .join(Parcel)
        .where(Parcel.order_id == order_id, PrintJob.status == "queued")
    )
    for job in waiting:
        _enqueue(session, job)


def sweep(session: Session, *, queued_for: int = 60, sending_for: int = 300) -> int:
    """Jobs whose RQ job was lost: queued ones are enqueued again; one stuck while
    sending (its worker died) may have printed, so a person is asked to check."""
    now = utcnow()
    stale = session.scalars(
        select(PrintJob).where(
            PrintJob.status == "queued", PrintJob.updated_at < now - timedelta(seconds=queued_for)
        )
    ).all()
    for job in stale:
        job.updated_at = now
        _enqueue(session, job)
    stuck = session.scalars(
        select(PrintJob).where(
            PrintJob.status == "sending",
            PrintJob.updated_at < now - timedelta(seconds=sending_for),
        )
    ).all()
    for job in stuck:
        fail(job, printers.PrinterSendFailed("the worker stopped while sending"))
    return len(stale) + len(stuck)


def claim(session: Session, job_id: int) -> PrintJob | None:
    """Mark a queued job as being sent; None if someone else has it or it is finished."""
    job = session.scalar(select(PrintJob).where(PrintJob.id == job_id).with_for_update())
    if job is None or job.status != "queued":
        return None
    job.status = "sending"
    job.attempts += 1
    return job


def fetch_content(session: Session, job: PrintJob, fetch_label: FetchLabel) -> bytes:
    """The ZPL to send: kept on the job once fetched, so a resend prints the same label."""
    if job.content:
        return job.content
    parcel = session.get_one(Parcel, job.parcel_id)
    try:
        label = fetch_label(session, parcel.order)
    except TransientError as exc:
        raise RetryLater(str(exc)) from exc
    job.content = _as_zpl(label, job.printer, parcel.order.account.kind)
    parcel.label_barcode = label.barcode
    parcel.label_caption = label.caption
    return job.content


# Label stock loaded for each marketplace's own labels, in mm (width, height).
LABEL_SIZES_MM = {"wb": (58, 40), "ozon": (75, 120), "yandex": (75, 120), "megamarket": (75, 120)}


def _as_zpl(label: Label, printer: Printer, marketplace: str) -> bytes:
    """ZPL for the printer: WB's ZPL as it is, PDF and PNG rendered at the printer's dpi."""
    if label.format == "zpl":
        return label.content
    width, height = LABEL_SIZES_MM[marketplace]
    size = {"dpi": printer.dpi, "width_mm": width, "height_mm": height}
    if label.format == "pdf":
        return graphics.pdf_to_zpl(label.content, **size)
    if label.format == "png":
        return graphics.image_to_zpl(label.content, **size)
    raise MarketplaceError(f"label format {label.format} cannot be printed")


def send(job: PrintJob, content: bytes, connect_timeout: float, reply_timeout: float) -> str:
    """Send to the printer; returns the new status or raises printers errors."""
    printer = job.printer
    printers.send_zpl(
        printer.host,
        printer.port,
        content,
        connect_timeout=connect_timeout,
        reply_timeout=reply_timeout,
    )
    return "printed" if _drained(printer, connect_timeout, reply_timeout) else "sent"


def _drained(printer: Printer, connect_timeout: float, reply_timeout: float) -> bool:
    """Port 9100 never acknowledges: ask ~HS until the printer's queue is empty."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            status = printers.query_status(
                printer.host,
                printer.port,
                connect_timeout=connect_timeout,
                reply_timeout=reply_timeout,
            )
        except printers.PrinterError:
            return False
        if status.formats_in_buffer == 0 and status.labels_remaining == 0:
            return True
        time.sleep(0.5)
    return False


def finish(job: PrintJob, status: str, session: Session) -> None:
    job.status = status
    job.error = ""
    if job.parcel_id is not None:
        order = session.get_one(Parcel, job.parcel_id).order
        if order.status == "packed":
            order.status = "labelled"
    logger.info("print job %s job=%s printer=%s", status, job.id, job.printer_id)


# The printer could not be reached: nothing was sent, RQ runs the job again.
RETRYABLE = (printers.PrinterUnreachable,)
# Failures a person has to look at (the printer itself, the marketplace's refusal,
# a label we cannot read).
FINAL = (printers.PrinterNotReady, printers.PrinterSendFailed, MarketplaceError, ValueError)


def problem(exc: Exception) -> str:
    """A short code for what went wrong; the page turns it into words."""
    if isinstance(exc, RetryLater):
        return "label_not_ready"
    if isinstance(exc, printers.PrinterUnreachable):
        return "printer_unreachable"
    if isinstance(exc, printers.PrinterNotReady):
        if exc.status is None:
            return "printer_no_answer"
        return "printer_not_ready:" + ",".join(exc.status.problems)
    if isinstance(exc, printers.PrinterSendFailed):
        return "send_interrupted"
    if isinstance(exc, ValueError):
        return "label_unreadable"
    return "label_refused"


def requeue(job: PrintJob, exc: Exception) -> None:
    job.status = "queued"
    job.error = problem(exc)
    logger.info("print job waits job=%s printer=%s: %s", job.id, job.printer_id, exc)


def fail(job: PrintJob, exc: Exception) -> None:
    job.status = "failed"
    job.error = problem(exc)
    logger.warning("print job failed job=%s printer=%s: %s", job.id, job.printer_id, exc)
