"""Operations health for the desk: what is owed to the marketplaces, the RQ queues and their
failed jobs, the workers' heartbeats, the printers and the cabinets, on one page.

Redis may be away: the queue part then says so and the rest of the page still shows
(everything else is read from the database).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.worker import BaseWorker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.infra.queue import QUEUES
from warehouse.marketplaces import outbox
from warehouse.models import MarketplaceAccount, OutboxCommand, Printer, PrintJob, User, utcnow

logger = logging.getLogger(__name__)

FAILED_SHOWN = 50
# a worker whose heartbeat is older than this is shown as silent (RQ beats every ~60 s)
SILENT_AFTER = timedelta(minutes=3)
RATE_LIMITED = "rate limit"  # how TransientError words a 429 (warehouse.marketplaces.http)


@dataclass
class QueueState:
    name: str
    queued: int
    started: int
    scheduled: int
    failed: int


@dataclass
class FailedJob:
    id: str
    queue: str
    function: str
    ended_at: datetime | None
    error: str


@dataclass
class WorkerState:
    name: str
    state: str
    heartbeat: datetime | None
    silent: bool
    job: str


@dataclass
class Queues:
    """The RQ side; ``reachable`` False when Redis did not answer."""

    reachable: bool
    queues: list[QueueState] = field(default_factory=list)
    failed: list[FailedJob] = field(default_factory=list)
    workers: list[WorkerState] = field(default_factory=list)


def queues(connection: Redis) -> Queues:
    try:
        states = [_queue_state(Queue(name, connection=connection)) for name in QUEUES]
        failed = [job for name in QUEUES for job in _failed(name, connection)]
        workers = [_worker(w) for w in Worker.all(connection=connection)]
    except (RedisError, OSError) as exc:
        logger.warning("operations: redis unreachable: %s", exc.__class__.__name__)
        return Queues(reachable=False)
    failed.sort(key=lambda job: job.ended_at or datetime.min, reverse=True)
    return Queues(True, states, failed[:FAILED_SHOWN], workers)


def _queue_state(queue: Queue) -> QueueState:
    return QueueState(
        name=queue.name,
        queued=queue.count,
        started=StartedJobRegistry(queue=queue).count,
        scheduled=ScheduledJobRegistry(queue=queue).count,
        failed=FailedJobRegistry(queue=queue).count,
    )


def _failed(name: str, connection: Redis) -> list[FailedJob]:
    registry = FailedJobRegistry(name, connection=connection)
    ids = registry.get_job_ids(0, FAILED_SHOWN - 1)
    found = []
    for job in Job.fetch_many(ids, connection=connection):
        if job is None:  # expired between the two calls
            continue
        found.append(
            FailedJob(
                id=job.id,
                queue=name,
                function=(job.func_name or "").rsplit(".", 1)[-1],
                ended_at=job.ended_at,
                error=_last_line(_exc_string(job)),
            )
        )
    return found


def _exc_string(job: Job) -> str:
    result = job.latest_result()
    return (result.exc_string or "") if result is not None else ""


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _worker(worker: BaseWorker) -> WorkerState:
    beat = worker.last_heartbeat
    job = worker.get_current_job()
    return WorkerState(
        name=worker.name,
        state=str(worker.get_state()),
        heartbeat=beat,
        silent=beat is None or _aware(beat) < utcnow() - SILENT_AFTER,
        job=(job.func_name or "").rsplit(".", 1)[-1] if job else "",
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def retry_job(connection: Redis, queue: str, job_id: str) -> None:
    """Put a failed job back in its queue (RQ keeps its arguments)."""
    if queue not in QUEUES:
        raise NotFound("job_not_found")
    registry = FailedJobRegistry(queue, connection=connection)
    try:
        registry.requeue(job_id)
    except (NoSuchJobError, ValueError, KeyError) as exc:  # gone, or not failed any more
        raise NotFound("job_not_found") from exc
    logger.info("failed job requeued queue=%s job=%s", queue, job_id)


def delete_job(connection: Redis, queue: str, job_id: str, user: User) -> None:
    """Forget a failed job that must not run again (logged with who did it)."""
    if queue not in QUEUES:
        raise NotFound("job_not_found")
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError as exc:
        raise NotFound("job_not_found") from exc
    FailedJobRegistry(queue, connection=connection).remove(job, delete_job=True)
    logger.warning("failed job deleted queue=%s job=%s by user=%s", queue, job_id, user.id)


# --- what is owed to the marketplaces ------------------------------------------------------


def commands_owed(session: Session, limit: int = 100) -> list[OutboxCommand]:
    """Commands not delivered that have tried at least once, or failed: oldest first."""
    return list(
        session.scalars(
            select(OutboxCommand)
            .where(
                (OutboxCommand.status == "failed")
                | ((OutboxCommand.status == "pending") & (OutboxCommand.attempts > 0))
            )
            .order_by(OutboxCommand.created_at, OutboxCommand.id)
            .limit(limit)
        )
    )


def retry_command(session: Session, command_id: int) -> OutboxCommand:
    """«Повторить»: a failed command back in line, a waiting one due now."""
    command = session.get(OutboxCommand, command_id)
    if command is None:
        raise NotFound("command_not_found")
    if command.status == "failed":
        outbox.retry_failed(session, command_id)
    elif command.status == "pending":
        command.next_attempt_at = utcnow()
        outbox.ring(session, command_id)
    else:
        raise DomainError("command_not_owed", command=command_id)
    return command


def cancel_command(session: Session, command_id: int, user: User) -> OutboxCommand:
    """«Отменить»: the marketplace must not be told this (a person decided, e.g. the order
    is already settled in its cabinet). Kept with who and when; the order's later commands
    stop waiting for it."""
    command = session.get(OutboxCommand, command_id)
    if command is None:
        raise NotFound("command_not_found")
    if command.status not in ("pending", "failed"):
        raise DomainError("command_not_owed", command=command_id)
    command.status = "cancelled"
    command.dedupe_key = None
    command.cancelled_by_id = user.id
    command.done_at = utcnow()
    logger.warning(
        "outbox command cancelled command=%s kind=%s by user=%s", command.id, command.kind, user.id
    )
    return command


# --- cabinets and printers ------------------------------------------------------------------


@dataclass
class AccountHealth:
    account: MarketplaceAccount
    owed: int
    rate_limited_until: datetime | None


def accounts(session: Session) -> list[AccountHealth]:
    """Each cabinet with what it owes and whether the marketplace is making us wait (429)."""
    owed = dict(
        session.execute(
            select(OutboxCommand.account_id, func.count())
            .where(
                OutboxCommand.account_id.is_not(None),
                OutboxCommand.status.in_(("pending", "failed")),
            )
            .group_by(OutboxCommand.account_id)
        )
        .tuples()
        .all()
    )
    waits = dict(
        session.execute(
            select(OutboxCommand.account_id, func.max(OutboxCommand.next_attempt_at))
            .where(
                OutboxCommand.status == "pending",
                OutboxCommand.last_error.contains(RATE_LIMITED),
                OutboxCommand.next_attempt_at > utcnow(),
            )
            .group_by(OutboxCommand.account_id)
        )
        .tuples()
        .all()
    )
    found = session.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.id))
    return [AccountHealth(a, owed.get(a.id, 0), waits.get(a.id)) for a in found]


@dataclass
class PrinterHealth:
    printer: Printer
    queued: int
    failed: int


def printers(session: Session) -> list[PrinterHealth]:
    counts = session.execute(
        select(PrintJob.printer_id, PrintJob.status, func.count())
        .where(PrintJob.status.in_(("queued", "failed", "unknown")))
        .group_by(PrintJob.printer_id, PrintJob.status)
    ).tuples()
    by: dict[int, dict[str, int]] = {}
    for printer_id, status, n in counts:
        by.setdefault(printer_id, {})[status] = n
    found = session.scalars(select(Printer).order_by(Printer.name))
    return [
        PrinterHealth(
            p,
            by.get(p.id, {}).get("queued", 0),
            by.get(p.id, {}).get("failed", 0) + by.get(p.id, {}).get("unknown", 0),
        )
        for p in found
    ]
