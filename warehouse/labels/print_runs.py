"""What one worker run does with a print job: claim it, get its ZPL, and record the outcome.

Only a job whose printer never received a byte is sent again on its own: a printer not
ready waits (queued, re-checked after ``wait_seconds``), an unreachable one is retried
by RQ, and either fails over to another active printer of the same station first. Once
bytes went out and the printer could not confirm, the job is ``unknown`` for a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import printers
from printers import cups, graphics, preview
from warehouse.infra import queue
from warehouse.labels import print_jobs, printer_registry
from warehouse.marketplaces.base import Label, MarketplaceError, TransientError
from warehouse.models import Order, Parcel, Printer, PrintJob, utcnow

logger = logging.getLogger(__name__)

FetchLabel = Callable[[Session, Order], Label]

# Label stock loaded for each marketplace's own labels, in mm (width, height).
LABEL_SIZES_MM = {"wb": (58, 40), "ozon": (75, 120), "yandex": (75, 120), "megamarket": (75, 120)}
# WB's ZPL stickers are drawn for 203 dpi (8 dots/mm) when their ^PW does not tell.
DEFAULT_MARKETPLACE_DPI = 203


class RetryLater(Exception):
    """The job could not finish now, but nothing was printed: run it again later."""


def claim(session: Session, job_id: int, printer_id: int) -> PrintJob | None:
    """Mark a queued, due job of this printer as being sent; None if it is not ours now."""
    job = session.scalar(select(PrintJob).where(PrintJob.id == job_id).with_for_update())
    if job is None or job.status != "queued" or job.printer_id != printer_id:
        return None
    if job.next_check_at is not None and job.next_check_at > utcnow():
        return None  # a duplicate RQ job: the scheduled check will run it
    job.status = "sending"
    job.attempts += 1
    job.next_check_at = None
    print_jobs.record(job, "sending", detail=f"attempt {job.attempts}")
    return job


def wrong_size(session: Session, job: PrintJob) -> str | None:
    """A marketplace label for a printer whose labels it does not fit on (its size was
    changed, or a reprint was sent there) fails before anything is sent; None if it fits."""
    if job.parcel_id is None:
        return None
    kind = session.get_one(Parcel, job.parcel_id).order.account.kind
    size = LABEL_SIZES_MM.get(kind)
    if size is None or printer_registry.fits(job.printer, size):
        return None
    label = f"{size[0]}×{size[1]}"
    loaded = f"{job.printer.label_width_mm}×{job.printer.label_height_mm}"
    _set(job, "failed", f"label_size_mismatch:{label}", f"{label} mm label, {loaded} mm loaded")
    return job.status


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


def _as_zpl(label: Label, printer: Printer, marketplace: str) -> bytes:
    """ZPL for the printer: the marketplace's ZPL at the printer's dpi, PDF and PNG rendered
    at the printer's dpi."""
    width, height = LABEL_SIZES_MM[marketplace]
    size = {"dpi": printer.dpi, "width_mm": width, "height_mm": height}
    if label.format == "zpl":
        return marketplace_zpl(label.content, **size)
    if label.format == "pdf":
        return graphics.pdf_to_zpl(label.content, **size)
    if label.format == "png":
        return graphics.image_to_zpl(label.content, **size)
    raise MarketplaceError(f"label format {label.format} cannot be printed")


def marketplace_zpl(content: bytes, *, dpi: int, width_mm: float, height_mm: float) -> bytes:
    """A marketplace's ZPL for a printer of ``dpi``: as it is when drawn for that dpi, else
    rescaled command by command (ZPL cannot turn 203 into 300 dpi itself: the label would
    print at 2/3 size); what cannot be rescaled (an embedded ^GF graphic) is drawn offline
    at its own dpi and sent as a graphic at the printer's."""
    drawn_for = printers.detect_dpi(content, width_mm) or DEFAULT_MARKETPLACE_DPI
    if drawn_for == dpi:
        return content
    try:
        scaled = printers.rescale(content, drawn_for, dpi)
    except ValueError as exc:
        logger.info("marketplace ZPL redrawn as a graphic for %s dpi: %s", dpi, exc)
        image = preview.render(content, dpi=drawn_for, width_mm=width_mm, height_mm=height_mm)
        return graphics.image_to_zpl(image.png, dpi=dpi, width_mm=width_mm, height_mm=height_mm)
    logger.info("marketplace ZPL rescaled from %s to %s dpi", drawn_for, dpi)
    return scaled


def delivered(session: Session, job: PrintJob, delivery: printers.Delivery) -> str:
    """The printer took the job: printed / sent, or unknown when it could not confirm."""
    printer_registry.record_seen(job.printer, delivery.after or delivery.before)
    if delivery.outcome == "not_confirmed":
        _set(job, "unknown", "not_confirmed", "the buffer emptied but the odometer did not move")
        return job.status
    _set(job, delivery.outcome, "", _odometer(delivery))
    print_jobs.labelled(session, job)
    return job.status


def _odometer(delivery: printers.Delivery) -> str:
    before, after = delivery.before, delivery.after
    if before and after and before.odometer is not None and after.odometer is not None:
        return f"odometer {before.odometer} → {after.odometer}"
    return ""


def not_ready(session: Session, job: PrintJob, exc: printers.PrinterError, wait: float) -> str:
    """Nothing was sent: another printer of the station takes it, or the job waits."""
    code = problem(exc)
    printer_registry.record_problem(job.printer, code)
    if fail_over(session, job, code):
        return "failed over"
    job.status = "queued"
    job.error = code
    job.next_check_at = utcnow() + timedelta(seconds=wait)
    print_jobs.record(job, "waiting", detail=code)
    queue.enqueue_after_commit(
        session,
        "warehouse.jobs.run_print_job",
        job.id,
        queue="print",
        retry="PRINT_RETRY_SECONDS",
        at=job.next_check_at,
    )
    logger.info(
        "print job waits for its printer job=%s printer=%s: %s", job.id, job.printer_id, exc
    )
    return "waiting for the printer"


def fail_over(session: Session, job: PrintJob, code: str) -> bool:
    """Move the job to another active printer of the same station not tried since the job
    last waited (so two dead printers are not tried in a tight loop)."""
    tried: set[int | None] = set()
    for event in reversed(job.events):
        if event.kind == "waiting":
            break
        if event.kind in ("sending", "failover"):
            tried.add(event.printer_id)
    alternate = printer_registry.alternate(session, job.printer, exclude=tried)
    if alternate is None:
        return False
    print_jobs.record(job, "failover", printer=alternate, detail=f"from {job.printer.name}: {code}")
    logger.warning("print job failed over job=%s %s → %s", job.id, job.printer_id, alternate.id)
    job.printer = alternate
    job.status = "queued"
    job.error = code
    print_jobs.enqueue(session, job)
    return True


def switched_off(session: Session, job: PrintJob) -> str:
    """The job's printer was switched off in the registry: another of the station takes it,
    or a person chooses (nothing was sent)."""
    if fail_over(session, job, "printer_inactive"):
        return "failed over"
    _set(job, "failed", "printer_inactive", f"{job.printer.name} is switched off")
    return job.status


def requeue(job: PrintJob, exc: Exception) -> None:
    """Nothing was printed and RQ (or the outbox) runs the job again."""
    if isinstance(exc, printers.PrinterError):
        printer_registry.record_problem(job.printer, problem(exc))
    _set(job, "queued", problem(exc), str(exc))


def unknown(job: PrintJob, exc: Exception) -> None:
    """Bytes went out and the connection broke: it may have printed; a person decides."""
    _set(job, "unknown", problem(exc), str(exc))


def fail(job: PrintJob, exc: Exception) -> None:
    if isinstance(exc, printers.PrinterError):
        printer_registry.record_problem(job.printer, problem(exc))
    _set(job, "failed", problem(exc), str(exc))


def _set(job: PrintJob, status: str, error: str, detail: str) -> None:
    job.status = status
    job.error = error
    print_jobs.record(job, status, detail=detail)
    log = logger.warning if status in ("failed", "unknown") else logger.info
    log("print job %s job=%s printer=%s %s", status, job.id, job.printer_id, error)


def sweep(session: Session, *, queued_for: int = 60, sending_for: int = 300) -> int:
    """Jobs whose RQ job was lost: queued ones are enqueued again; one stuck while
    sending (its worker died) may have printed, so a person is asked to check."""
    stale, stuck = print_jobs.stale_jobs(session, queued_for, sending_for)
    for job in stale:
        job.updated_at = utcnow()
        print_jobs.enqueue(session, job)
    for job in stuck:
        unknown(job, printers.PrinterSendFailed("the worker stopped while sending"))
    return len(stale) + len(stuck)


def problem(exc: Exception) -> str:
    """A short code for what went wrong; the page turns it into words."""
    if isinstance(exc, RetryLater):
        return "label_not_ready"
    if isinstance(exc, cups.QueueRefuses):
        return "cups_queue_refuses"
    if isinstance(exc, cups.QueueStopped):
        return "cups_queue_stopped"
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
