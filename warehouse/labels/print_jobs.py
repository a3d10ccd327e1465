"""Print jobs: which label goes to which printer, who asked, and what people decide.

The states (queued → sending → printed | sent | unknown | failed) are moved by the
worker in ``warehouse.labels.print_runs``; this module creates jobs and takes people's
decisions: retry a failed job, reprint, or say that an ``unknown`` one did print.
Every step is a ``PrintEvent`` with its time, printer and (for people) who.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.infra import queue
from warehouse.models import Parcel, Printer, PrintEvent, PrintJob, User, utcnow

logger = logging.getLogger(__name__)

REPRINTABLE = ("printed", "sent", "unknown", "failed")
# jobs whose content is a whole document (a PDF) for a document (A4) printer; every other
# kind is a ZPL label for a label printer
A4_PAPER = "paper_a4"
DOCUMENT_JOBS = frozenset({A4_PAPER})


def record(
    job: PrintJob,
    kind: str,
    *,
    printer: Printer | None = None,
    user: User | None = None,
    detail: str = "",
) -> None:
    """Append one event to the job's history (the printer defaults to the job's)."""
    used = printer or job.printer
    job.events.append(
        PrintEvent(
            kind=kind,
            printer_id=used.id if used is not None else None,
            user_id=user.id if user is not None else None,
            detail=detail[:500],
            at=utcnow(),
        )
    )


REQUEST_KEY = "print_request_key"


def already_asked(session: Session, key: str) -> PrintJob | None:
    """The job a request with this one-time key made, if it was made already (a double tap,
    a form sent again): asking twice must not print twice. Otherwise the next job made in
    this transaction carries the key (UNIQUE: of two racing requests one fails)."""
    key = key.strip()[:64]
    if not key:
        return None
    existing = session.scalar(select(PrintJob).where(PrintJob.request_key == key))
    if existing is None:
        session.info[REQUEST_KEY] = key
    return existing


def queue_marketplace_label(
    session: Session, parcel: Parcel, printer: Printer, user: User | None = None
) -> PrintJob:
    return _new_job(session, printer, "marketplace_label", user, parcel_id=parcel.id)


def queue_own_label(
    session: Session, printer: Printer, kind: str, user: User, content: bytes, detail: str = ""
) -> PrintJob:
    """A label we made ourselves (``warehouse.labels.own_labels``): its ZPL is kept on the job, so a
    resend or a reprint prints exactly the same label."""
    return _new_job(session, printer, kind, user, content=content, detail=detail)


def queue_document(
    session: Session, printer: Printer, user: User | None, content: bytes, detail: str = ""
) -> PrintJob:
    """A PDF paper for an office printer; kept on the job, so a resend prints the same."""
    return _new_job(session, printer, A4_PAPER, user, content=content, detail=detail)


def _new_job(
    session: Session,
    printer: Printer,
    kind: str,
    user: User | None,
    *,
    parcel_id: int | None = None,
    content: bytes | None = None,
    reprint_of: PrintJob | None = None,
    detail: str = "",
) -> PrintJob:
    if not printer.active:
        raise DomainError("printer_inactive", printer=printer.name)
    if (kind in DOCUMENT_JOBS) != printer.is_document:
        wrong = "printer_not_for_documents" if kind in DOCUMENT_JOBS else "printer_not_for_labels"
        raise DomainError(wrong, printer=printer.name)
    job = PrintJob(
        printer=printer,
        parcel_id=parcel_id,
        kind=kind,
        content=content,
        requested_by=user,
        reprint_of=reprint_of,
        request_key=session.info.pop(REQUEST_KEY, None),
    )
    session.add(job)
    record(job, "reprint" if reprint_of else "requested", user=user, detail=detail)
    session.flush()
    enqueue(session, job)
    logger.info("print job queued job=%s printer=%s by=%s", job.id, printer.id, job.requested_by_id)
    return job


def enqueue(session: Session, job: PrintJob) -> None:
    queue.enqueue_after_commit(
        session, "warehouse.jobs.run_print_job", job.id, queue="print", retry="PRINT_RETRY_SECONDS"
    )


def get(session: Session, job_id: int) -> PrintJob:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise NotFound("print_job_not_found")
    return job


def retry(session: Session, job_id: int, user: User | None = None) -> PrintJob:
    """A person fixed the printer: send the failed job (nothing was printed) again."""
    job = get(session, job_id)
    if job.status == "failed":
        job.status = "queued"
        job.error = ""
        job.next_check_at = None
        record(job, "retry", user=user)
        enqueue(session, job)
    return job


def reprint(session: Session, job_id: int, user: User, printer_id: int | None = None) -> PrintJob:
    """Print the same label again as a new job that remembers the original and who asked."""
    original = get(session, job_id)
    if original.status not in REPRINTABLE:
        raise DomainError("print_job_busy")
    printer = session.get(Printer, printer_id) if printer_id else original.printer
    if printer is None:
        raise NotFound("printer_not_found")
    record(original, "reprinted", user=user)
    return _new_job(
        session,
        printer,
        original.kind,
        user,
        parcel_id=original.parcel_id,
        content=original.content,
        reprint_of=original,
    )


def confirm_printed(session: Session, job_id: int, user: User) -> PrintJob:
    """«Напечаталась»: a person saw the label of an ``unknown`` job come out."""
    job = get(session, job_id)
    if job.status != "unknown":
        raise DomainError("print_job_not_unknown")
    job.status = "printed"
    job.error = ""
    record(job, "confirmed", user=user)
    labelled(session, job)
    return job


Decision = Callable[[Session, int, User], PrintJob]
DECISIONS: dict[str, Decision] = {"retry": retry, "reprint": reprint, "printed": confirm_printed}


def decide(session: Session, job_id: int, action: str, user: User) -> PrintJob:
    """A person's answer about a job: ``retry`` (nothing printed), ``reprint``, ``printed``."""
    if action not in DECISIONS:
        raise NotFound("print_job_not_found")
    return DECISIONS[action](session, job_id, user)


def labelled(session: Session, job: PrintJob) -> None:
    """A parcel's label came out: its packed order is now ``labelled``."""
    if job.parcel_id is not None:
        order = session.get_one(Parcel, job.parcel_id).order
        if order.status == "packed":
            order.status = "labelled"


def wake(session: Session, order_id: int) -> None:
    """The marketplace accepted a step of the order: its waiting labels may exist now."""
    waiting = session.scalars(
        select(PrintJob)
        .join(Parcel)
        .where(Parcel.order_id == order_id, PrintJob.status == "queued")
    )
    for job in waiting:
        enqueue(session, job)


def wake_printer(session: Session, printer_id: int) -> int:
    """The printer is ready again: jobs waiting for it run now instead of at their check."""
    waiting = session.scalars(
        select(PrintJob).where(
            PrintJob.printer_id == printer_id,
            PrintJob.status == "queued",
            PrintJob.next_check_at.is_not(None),
        )
    ).all()
    for job in waiting:
        job.next_check_at = None
        enqueue(session, job)
    return len(waiting)


def jobs(
    session: Session, printer_id: int | None = None, status: str | None = None, limit: int = 200
) -> list[PrintJob]:
    """The newest print jobs, optionally of one printer and/or in one state."""
    query = select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)
    if printer_id:
        query = query.where(PrintJob.printer_id == printer_id)
    if status:
        query = query.where(PrintJob.status == status)
    return list(session.scalars(query))


def stale_jobs(
    session: Session, queued_for: int, sending_for: int
) -> tuple[list[PrintJob], list[PrintJob]]:
    """(queued jobs whose RQ job may be lost, jobs stuck while sending)."""
    now = utcnow()
    stale = session.scalars(
        select(PrintJob).where(
            PrintJob.status == "queued",
            PrintJob.updated_at < now - timedelta(seconds=queued_for),
            or_(PrintJob.next_check_at.is_(None), PrintJob.next_check_at <= now),
        )
    ).all()
    stuck = session.scalars(
        select(PrintJob).where(
            PrintJob.status == "sending",
            PrintJob.updated_at < now - timedelta(seconds=sending_for),
        )
    ).all()
    return list(stale), list(stuck)
