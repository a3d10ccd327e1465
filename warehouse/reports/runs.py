"""Report files made in the background: asked on the desk, built by an RQ job with its
progress written as it goes (the page polls it), kept in the database for download until
someone removes them.

The ``report_runs`` row is the durable record: a run whose job was lost (Redis away when
it was asked, a worker killed mid-way) is queued again by ``sweep`` (cron), and a run
left ``running`` longer than ``STUCK_AFTER`` is started afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, defer, selectinload

from warehouse.errors import DomainError, NotFound
from warehouse.infra import queue
from warehouse.models import ReportRun, User, utcnow
from warehouse.models.reports import REPORT_FORMATS
from warehouse.reports import (
    commissioner,
    profit,
    reorder,
    sales,
    stock_report,
    tables,
    work_report,
)
from warehouse.reports.tables import Progress, Report

logger = logging.getLogger(__name__)

KEEP = 100  # runs listed on the page
LOST_AFTER = timedelta(minutes=10)  # queued and never taken: its job was lost
STUCK_AFTER = timedelta(minutes=30)  # running this long: its worker died
MAX_ATTEMPTS = 3
JOB = "warehouse.jobs.build_report"

Builder = Callable[[Session, dict[str, Any], Progress], Report]
Parser = Callable[[Session, dict[str, str]], dict[str, Any]]
# kind → (its parameters from a form, the report from them)
KINDS: dict[str, tuple[Parser, Builder]] = {
    "stock": (stock_report.parse, stock_report.build),
    "work": (work_report.parse, work_report.build),
    "sales": (sales.parse, sales.build),
    "commissioner": (commissioner.parse, commissioner.build),
    "profit": (profit.parse, profit.build),
    "reorder": (reorder.parse, reorder.build),
}


def ask(
    session: Session, kind: str, fmt: str, form: dict[str, str], user: User, lang: str = "ru"
) -> ReportRun:
    """A run of report ``kind`` with the form's parameters (checked now: a bad date is
    refused on the page, not found failed later), queued after the commit; the file is
    written in the asker's language."""
    if kind not in KINDS:
        raise NotFound("report_not_found", kind=kind[:40])
    if fmt not in REPORT_FORMATS:
        raise DomainError("report_bad_format")
    parse, _build = KINDS[kind]
    params = {**parse(session, form), "lang": lang}
    run = ReportRun(kind=kind, fmt=fmt, params=params, created_by_id=user.id)
    session.add(run)
    session.flush()
    _enqueue(session, run)
    return run


def _enqueue(session: Session, run: ReportRun) -> None:
    queue.enqueue_after_commit(session, JOB, run.id, queue="default", job_id=f"report-{run.id}")


def build(session: Session, run_id: int) -> str:
    """The job: build the report, keep the file. A failure is kept in words on the run.
    Only a queued run is taken (a compare-and-set): a second delivery of the same job —
    the sweep's, RQ's — finds it taken and leaves it."""
    claimed = session.execute(
        update(ReportRun)
        .where(ReportRun.id == run_id, ReportRun.status == "queued")
        .values(
            status="running",
            progress=0,
            step="",
            started_at=utcnow(),
            attempts=ReportRun.attempts + 1,
        )
    )
    session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
        return "taken"
    run = session.get_one(ReportRun, run_id)
    _parse, build_report = KINDS[run.kind]
    params = dict(run.params)
    try:
        with force_locale(params.pop("lang", "ru")):
            report = build_report(session, params, _progress_of(run_id))
            content = (
                tables.to_xlsx(report) if run.fmt == "xlsx" else tables.to_csv(report.tables[0])
            )
    except DomainError as exc:
        session.rollback()
        _finish(session, run_id, error=exc.code)
        return "failed"
    except Exception as exc:
        session.rollback()
        _finish(session, run_id, error=type(exc).__name__)
        logger.exception("report run %s failed", run_id)
        raise
    _finish(session, run_id, content=content, name=file_name(run))
    return "done"


def file_name(run: ReportRun) -> str:
    params = run.params
    period = "-".join(str(params[k]) for k in ("start", "end", "day") if params.get(k))
    return f"{run.kind}-{period or run.id}.{run.fmt}"


def _finish(
    session: Session, run_id: int, *, content: bytes | None = None, name: str = "", error=""
) -> None:
    values: dict[str, Any] = {"finished_at": utcnow(), "error": error or None}
    if content is not None:
        values |= {"status": "done", "progress": 100, "content": content, "file_name": name}
    else:
        values |= {"status": "failed"}
    session.execute(
        update(ReportRun)
        .where(ReportRun.id == run_id, ReportRun.status == "running")
        .values(**values)
    )
    session.commit()


def _progress_of(run_id: int) -> Progress:
    """Progress written in a session of its own, so the page sees it while the job works."""
    factory = current_app.extensions["db.sessions"]

    def note(percent: int, step: str) -> None:
        with factory() as own:
            own.execute(
                update(ReportRun)
                .where(ReportRun.id == run_id)
                .values(progress=max(0, min(99, percent)), step=step[:200])
            )
            own.commit()

    return note


def recent(session: Session, kind: str | None = None, limit: int = KEEP) -> list[ReportRun]:
    """The latest runs, without their files (a list polled every 2 s loads no content)."""
    query = (
        select(ReportRun)
        .options(defer(ReportRun.content), selectinload(ReportRun.created_by))
        .order_by(ReportRun.id.desc())
        .limit(limit)
    )
    if kind:
        query = query.where(ReportRun.kind == kind)
    return list(session.scalars(query))


def get(session: Session, run_id: int) -> ReportRun:
    run = session.get(ReportRun, run_id)
    if run is None:
        raise NotFound("report_run_not_found", id=run_id)
    return run


def remove(session: Session, run_id: int) -> None:
    get(session, run_id)
    session.execute(delete(ReportRun).where(ReportRun.id == run_id))


def sweep(session: Session) -> int:
    """Cron: a run whose job was lost is queued again — queued for ``LOST_AFTER`` (Redis
    away when it was asked), or running for ``STUCK_AFTER`` (a worker killed mid-way:
    queued again up to ``MAX_ATTEMPTS`` builds, then failed in words). Each change is a
    compare-and-set: a run that finished meanwhile is left as it is."""
    now = utcnow()
    found = 0
    for run_id in session.scalars(
        select(ReportRun.id).where(
            ReportRun.status == "queued", ReportRun.created_at < now - LOST_AFTER
        )
    ).all():
        queue.enqueue_after_commit(session, JOB, run_id, queue="default", job_id=f"report-{run_id}")
        found += 1
    stuck = select(ReportRun.id, ReportRun.attempts).where(
        ReportRun.status == "running", ReportRun.started_at < now - STUCK_AFTER
    )
    for run_id, attempts in session.execute(stuck).all():
        if attempts >= MAX_ATTEMPTS:
            session.execute(
                update(ReportRun)
                .where(ReportRun.id == run_id, ReportRun.status == "running")
                .values(status="failed", finished_at=now, error="report_run_gave_up")
            )
            continue
        moved = session.execute(
            update(ReportRun)
            .where(ReportRun.id == run_id, ReportRun.status == "running")
            .values(status="queued")
        )
        if getattr(moved, "rowcount", 0) == 1:
            queue.enqueue_after_commit(
                session, JOB, run_id, queue="default", job_id=f"report-{run_id}"
            )
            found += 1
    return found
