"""RQ jobs: thin functions taking ids, each one transaction around a domain call.

A job runs inside the Flask app context of the worker process (created once per
process) or of the caller when one is active (tests run a burst worker in theirs).
Exceptions propagate so RQ's Retry and failed-job registry see them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from rq import get_current_job
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import printers
from warehouse.accounting import accounts as accounting_accounts
from warehouse.accounting import assortment
from warehouse.accounting import documents as accounting_documents
from warehouse.accounting import stock as accounting_stock
from warehouse.alerts import bot as alert_bot
from warehouse.alerts import low_stock, sending, watch
from warehouse.catalog import listings
from warehouse.infra import db, queue
from warehouse.integrations import service_accounts, webhooks
from warehouse.labels import print_jobs, print_runs, printer_registry
from warehouse.marketplaces import accounts, commands, outbox
from warehouse.marketplaces.base import AuthError, MarketplaceError, TransientError
from warehouse.marketplaces.connectors import client_for
from warehouse.models import (
    AccountingAccount,
    AccountingSync,
    Alert,
    MarketplaceAccount,
    OutboxCommand,
    Price,
    Printer,
    PrintJob,
    utcnow,
)
from warehouse.orders import intake, statuses
from warehouse.pricing import documents as price_documents
from warehouse.pricing import push as price_push
from warehouse.reports import commissioner, sales
from warehouse.reports import runs as report_runs
from warehouse.reports.periods import Period
from warehouse.stock import fbo, stock_sync
from warehouse.web.alert_words import alert_text

logger = logging.getLogger(__name__)

_worker_app: Flask | None = None


def use_app(app: Flask) -> None:
    """Run jobs of this process in ``app`` (the worker builds it once, before forking)."""
    global _worker_app
    _worker_app = app


@contextmanager
def job_session() -> Iterator[Session]:
    """An app context (the caller's, or this worker's own) and its database session."""
    global _worker_app
    if has_app_context():
        yield db.session()
        return
    if _worker_app is None:
        from warehouse import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        yield db.session()


def import_all_orders() -> int:
    """Cron: enqueue an import per account that may be called (on, key not refused)."""
    with job_session() as session:
        ids = list(
            session.scalars(
                select(MarketplaceAccount.id).where(MarketplaceAccount.callable_clause())
            )
        )
        for account_id in ids:
            queue.queue("default").enqueue(
                import_orders, account_id, job_id=f"import-{account_id}", result_ttl=600
            )
    return len(ids)


def import_orders(account_id: int) -> dict[str, int]:
    """New orders in, then the marketplace's word on the orders we still hold."""
    with job_session() as session:
        account = session.get_one(MarketplaceAccount, account_id)
        if not account.may_be_called:  # switched off or key refused since it was queued
            logger.info("import skipped account=%s (disabled or key refused)", account_id)
            return {}
        try:  # every call first, then the writes: no lock is held while a marketplace answers
            with client_for(account) as client:
                incoming = client.new_orders()
                held = intake.active_orders(session, account)
                now = client.order_statuses([order.external_id for order in held])
        except MarketplaceError as exc:  # 401, 429, 5xx, timeouts: the next run tries again
            session.rollback()
            account = session.get_one(MarketplaceAccount, account_id)
            accounts.record_failure(account, exc)
            session.commit()
            logger.warning("import failed account=%s: %s", account_id, exc)
            return {}
        result = intake.import_orders(session, account, incoming)
        table = statuses.mapping(session, account.kind)
        for order in intake.active_orders(session, account):  # read again, under the lock
            if order.external_id in now:
                intake.apply_marketplace_status(session, order, now[order.external_id], table)
        result.reserved += intake.retry_waiting(session, account)
        account.last_error = None
        account.problem = None
        session.commit()
        logger.info("import account=%s %s", account_id, result)
        return vars(result)


def import_cards(account_id: int) -> dict[str, int]:
    """The account's product cards, linked to our products where barcodes or articles match."""
    with job_session() as session:
        account = session.get_one(MarketplaceAccount, account_id)
        if not account.may_be_called:
            return {}
        try:
            with client_for(account) as client:
                cards = client.product_cards()
        except AuthError as exc:  # other failures propagate: RQ's failed registry keeps them
            accounts.record_failure(account, exc)
            session.commit()
            return {}
        result = listings.import_cards(session, account, cards)
        stock_sync.queue_push(session, account, delay_seconds=0)
        session.commit()
        return vars(result)


def import_all_cards() -> int:
    """Cron: refresh every active account's cards."""
    with job_session() as session:
        ids = list(
            session.scalars(
                select(MarketplaceAccount.id).where(MarketplaceAccount.callable_clause())
            )
        )
        for account_id in ids:
            queue.queue("default").enqueue(import_cards, account_id, result_ttl=600)
    return len(ids)


def run_price_schedules() -> int:
    """Cron, every minute: apply the price documents whose time has come, and give a push
    to every account with prices still waiting for one."""
    with job_session() as session:
        applied = price_documents.run_due(session)
        price_push.sweep(session)
        session.commit()
        return applied


def read_all_prices() -> int:
    """Cron: ask every account with prices what its marketplace shows now."""
    with job_session() as session:
        found = session.scalars(
            select(MarketplaceAccount)
            .where(MarketplaceAccount.callable_clause())
            .where(MarketplaceAccount.id.in_(select(Price.account_id).distinct()))
        ).all()
        for account in found:
            price_push.queue(session, account, price_push.READ_KIND, delay=0)
        session.commit()
        return len(found)


def read_all_fbo_stock() -> int:
    """Cron: read the FBO stock report of every account whose marketplace gives one."""
    with job_session() as session:
        found = session.scalars(
            select(MarketplaceAccount).where(MarketplaceAccount.callable_clause())
        )
        ids = [account.id for account in found if fbo.readable(account)]
        for account_id in ids:  # in the app context: the queue's Redis is the app's
            queue.queue("default").enqueue(
                read_fbo_stock, account_id, job_id=f"fbo-stock-{account_id}", result_ttl=600
            )
    return len(ids)


def read_fbo_stock(account_id: int) -> str:
    """The account's whole FBO report, kept only once fully read (``stock.fbo``). Any
    failure is the read's own (shown on the stock page), not the account's: a WB token
    without the analytics category is refused there and still ships orders."""
    with job_session() as session:
        account = session.get_one(MarketplaceAccount, account_id)
        if not account.may_be_called or not fbo.readable(account):
            return "not read"
        try:
            with client_for(account) as client:
                rows = fbo.read(client)
        except MarketplaceError as exc:
            fbo.record_failure(session, account, exc)
            session.commit()
            logger.warning("fbo stock not read account=%s: %s", account_id, exc)
            return "failed"
        if rows is None:
            return "not read"
        kept = fbo.keep(session, account, rows)
        session.commit()
        return f"kept {kept.rows}"


def read_all_sales() -> int:
    """Cron (every 15 minutes): each account's sales statistics since its last read."""
    with job_session() as session:
        found = session.scalars(
            select(MarketplaceAccount).where(MarketplaceAccount.callable_clause())
        )
        ids = [account.id for account in found if sales.readable(account)]
        for account_id in ids:  # in the app context: the queue's Redis is the app's
            queue.queue("default").enqueue(
                read_sales,
                account_id,
                job_id=f"sales-{account_id}",
                result_ttl=600,
                job_timeout=READ_TIMEOUT,
            )
    return len(ids)


READ_TIMEOUT = 1800  # seconds a read job may run: YM's reports are made, polled, fetched


@contextmanager
def _one_read(name: str) -> Iterator[bool]:
    """One read of a kind per cabinet at a time (the button and cron may meet): True when
    this job holds it; the other finds it taken and leaves the work to the one reading."""
    lock = queue.connection().lock(f"read:{name}", timeout=READ_TIMEOUT, blocking_timeout=0)
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            try:
                lock.release()
            except LockError:
                logger.warning("read lock %s expired before release", name)


def read_sales(account_id: int) -> str:
    """What the account's marketplace counted since the last read, kept row by row; a
    failure keeps what was read before and is shown on the reports page. No transaction is
    held while the marketplace answers."""
    with job_session() as session, _one_read(f"sales:{account_id}") as held:
        if not held:
            return "already being read"
        account = session.get_one(MarketplaceAccount, account_id)
        if not account.may_be_called or not sales.readable(account):
            return "not read"
        started = utcnow()
        since = sales.since(session, account, started)
        client = client_for(account)
        session.rollback()
        try:
            with client:
                rows = client.sales_since(since)
        except Exception as exc:
            session.rollback()
            sales.record_failure(session, session.get_one(MarketplaceAccount, account_id), exc)
            session.commit()
            logger.warning("sales not read account=%s: %s", account_id, exc)
            if isinstance(exc, MarketplaceError):
                return "failed"
            raise
        kept = sales.keep(session, session.get_one(MarketplaceAccount, account_id), rows, started)
        session.commit()
        return f"kept {kept}"


def read_commission_report(account_id: int, start: str, end: str) -> str:
    """The account's realization report for the period, kept whole once read; any failure
    is written on the report (the last full read stays) so the page never waits forever."""
    period = Period(date.fromisoformat(start), date.fromisoformat(end))
    with job_session() as session, _one_read(f"realization:{account_id}") as held:
        account = session.get_one(MarketplaceAccount, account_id)
        if not held:
            return "already being read"
        if not account.may_be_called or not commissioner.readable(account):
            commissioner.record_failure(session, account, period, NotCalled())
            session.commit()
            return "not read"
        client = client_for(account)
        session.rollback()
        try:
            with client:
                rows = client.realization(period.start, period.end)
        except Exception as exc:
            session.rollback()
            account = session.get_one(MarketplaceAccount, account_id)
            commissioner.record_failure(session, account, period, exc)
            session.commit()
            logger.warning("commission report not read account=%s: %s", account_id, exc)
            if isinstance(exc, MarketplaceError):
                return "failed"
            raise
        account = session.get_one(MarketplaceAccount, account_id)
        report = commissioner.keep(session, account, period, rows)
        session.commit()
        return f"kept {len(report.lines)}"


class NotCalled(MarketplaceError):
    def __init__(self) -> None:
        super().__init__("the cabinet is switched off or its key was refused")


def build_report(run_id: int) -> str:
    with job_session() as session:
        return report_runs.build(session, run_id)


def sweep_report_runs() -> int:
    """Cron: report files whose job was lost, commissioner reads that never answered."""
    with job_session() as session:
        found = report_runs.sweep(session) + commissioner.sweep(session)
        session.commit()
        return found


def deliver_outbox(command_id: int) -> str:
    """Deliver one command; one call at a time per account (marketplaces limit per cabinet,
    МойСклад per user)."""
    with job_session() as session:
        found = session.execute(
            select(OutboxCommand.account_id, OutboxCommand.accounting_account_id).where(
                OutboxCommand.id == command_id
            )
        ).first()
        if found is None:
            return "nothing to do"
        lock = queue.connection().lock(
            outbox.lock_name(*found),
            timeout=current_app.config["OUTBOX_LOCK_SECONDS"],
            blocking_timeout=10,
        )
        if not lock.acquire():
            queue.queue("outbox").enqueue_in(timedelta(seconds=2), deliver_outbox, command_id)
            return "account busy, rescheduled"
        try:
            backoff = tuple(current_app.config["OUTBOX_BACKOFF_SECONDS"])
            command = outbox.deliver(session, command_id, _send, backoff)
            session.commit()
        finally:
            lock.release()
        if command is None:
            return "nothing to do"
        if command.status == "done" and command.order_id is not None:
            print_jobs.wake(session, command.order_id)
            session.commit()
        if command.status == "pending":
            queue.queue("outbox").enqueue_at(command.next_attempt_at, deliver_outbox, command.id)
        return command.status


def _send(session: Session, command: OutboxCommand) -> None:
    """A marketplace's command to its connector, an accounting one to the documents."""
    if command.accounting_account_id is not None:
        accounting_documents.send(session, command)
    else:
        commands.send(session, command)


def sweep_outbox() -> int:
    """Cron: enqueue every due pending command (covers jobs lost with Redis)."""
    with job_session() as session:
        due = outbox.due_commands(session)
        outbox_queue = queue.queue("outbox")
        for command_id in due:
            outbox_queue.enqueue(deliver_outbox, command_id)
        return len(due)


def sweep_print_jobs() -> int:
    """Cron: print jobs whose RQ job was lost (Redis restarted) are not forgotten."""
    with job_session() as session:
        count = print_runs.sweep(session)
        session.commit()
        return count


def run_print_job(job_id: int) -> str:
    """Send one print job; one job at a time per printer, across processes and machines."""
    with job_session() as session:
        printer = session.scalar(
            select(Printer)
            .join(PrintJob, PrintJob.printer_id == Printer.id)
            .where(PrintJob.id == job_id)
        )
        if printer is None:
            return "nothing to do"
        printer_id = printer.id
        lock = printer_lock(printer, wait=current_app.config["PRINTER_LOCK_WAIT_SECONDS"])
        if not lock.acquire():
            queue.queue("print").enqueue_in(timedelta(seconds=2), run_print_job, job_id)
            return "printer busy, rescheduled"
        try:
            job = print_runs.claim(session, job_id, printer_id)
            session.commit()
            if job is None:
                return "nothing to do"
            status = _print(session, job)
            session.commit()
            return status
        finally:
            _release(lock)


def printer_lock(printer: Printer, *, wait: float) -> Lock:
    """The Redis lock that keeps one connection at a time to a printer."""
    return queue.connection().lock(
        printer_registry.lock_key(printer),
        timeout=current_app.config["PRINTER_LOCK_SECONDS"],
        blocking_timeout=wait,
    )


def _release(lock: Lock) -> None:
    try:
        lock.release()
    except LockError:  # expired while a slow printer was being sent to: nothing to free
        logger.warning("printer lock %s expired before release", lock.name)


def _print(session: Session, job: PrintJob) -> str:
    if not job.printer.active:
        return print_runs.switched_off(session, job)
    refused = print_runs.wrong_size(session, job)
    if refused is not None:
        return refused
    try:
        content = print_runs.fetch_content(session, job, commands.fetch_label)
        session.commit()
        delivery = _deliver(job, content)
    except print_runs.RetryLater as exc:  # the outbox wakes the job when the marketplace is ready
        print_runs.requeue(job, exc)
        return "waiting for the label"
    except printers.PrinterNotReady as exc:
        return print_runs.not_ready(session, job, exc, current_app.config["PRINTER_WAIT_SECONDS"])
    except printers.PrinterUnreachable as exc:
        return _unreachable(session, job, exc)
    except printers.PrinterSendFailed as exc:
        print_runs.unknown(job, exc)
        return job.status
    except (MarketplaceError, ValueError) as exc:
        print_runs.fail(job, exc)
        return job.status
    return print_runs.delivered(session, job, delivery)


def _deliver(job: PrintJob, content: bytes) -> printers.Delivery:
    """A label to its Zebra (checked, sent, confirmed), or a PDF paper to an office
    printer's CUPS queue as a document."""
    target = printer_registry.target(job.printer)
    if job.kind in print_jobs.DOCUMENT_JOBS:
        title = f"job {job.id}"
        return printers.deliver_document(target, content, _timeouts(), title=title)
    return printers.deliver(target, content, _timeouts())


def _unreachable(session: Session, job: PrintJob, exc: printers.PrinterUnreachable) -> str:
    """Nothing was sent: another printer of the station, else RQ's Retry, else a person."""
    if print_runs.fail_over(session, job, print_runs.problem(exc)):
        return "failed over"
    if not _retries_left():
        print_runs.fail(job, exc)
        return job.status
    print_runs.requeue(job, exc)
    session.commit()
    raise exc  # nothing was printed: RQ's Retry runs the job again


def _timeouts() -> printers.Timeouts:
    config = current_app.config
    return printers.Timeouts(
        connect=config["PRINTER_CONNECT_TIMEOUT"],
        reply=config["PRINTER_REPLY_TIMEOUT"],
        send=config["PRINTER_SEND_TIMEOUT"],
        confirm=config["PRINTER_CONFIRM_SECONDS"],
    )


def check_printers() -> int:
    """Cron: ask every active printer for its status (each in a job of its own)."""
    with job_session() as session:
        ids = list(session.scalars(select(Printer.id).where(Printer.active.is_(True))))
        for printer_id in ids:
            queue.queue("default").enqueue(
                check_printer, printer_id, job_id=f"check-printer-{printer_id}", result_ttl=60
            )
        return len(ids)


def check_printer(printer_id: int) -> str:
    """Ask one printer; a printer busy printing is not disturbed (its job reports)."""
    with job_session() as session:
        printer = session.get_one(Printer, printer_id)
        lock = printer_lock(printer, wait=0.5)
        if not lock.acquire():
            return "busy"
        try:
            status = printer_registry.check(printer, _timeouts())
            if status == "ready":
                print_jobs.wake_printer(session, printer_id)
            session.commit()
            return status
        finally:
            _release(lock)


def _retries_left() -> bool:
    current = get_current_job()
    return bool(current and current.retries_left)


# --- МойСклад ------------------------------------------------------------------------------

MOYSKLAD_RETRY_SECONDS = 5.0  # a 5xx / timeout without a wait given
SYNC_LEASE = timedelta(minutes=5)  # a page taking longer is thought lost and run again


def sync_assortment(sync_id: int) -> str:
    """An assortment import run, page after page, each page in its own transaction.

    A 429 / 5xx / timeout postpones the run (the wait МойСклад asked for) and schedules
    it again through RQ's scheduler; ``sweep_accounting_syncs`` re-enqueues any run whose
    job was lost. A refused token marks the account and fails the run.
    """
    with job_session() as session:
        sync = session.get_one(AccountingSync, sync_id)
        if sync.status != "running":
            return sync.status
        account = sync.account
        if not account.may_be_called:
            return "waiting"
        limit = int(current_app.config.get("MOYSKLAD_PAGE_LIMIT", 1000))
        with accounting_accounts.client_for(account) as client:
            while sync.status == "running":
                sync.next_attempt_at = utcnow() + SYNC_LEASE  # the sweeper leaves it alone
                session.commit()
                try:
                    page = client.assortment(sync.next_offset, limit)
                except TransientError as exc:
                    wait = exc.retry_after or MOYSKLAD_RETRY_SECONDS
                    assortment.postpone(sync, str(exc), wait)
                    session.commit()
                    _schedule_sync(sync_id, wait)
                    return "postponed"
                except MarketplaceError as exc:
                    accounting_accounts.record_failure(account, exc)
                    assortment.fail(sync, str(exc))
                    session.commit()
                    logger.warning("assortment import failed sync=%s: %s", sync_id, exc)
                    return "failed"
                assortment.advance(session, sync, page)
                session.commit()
        account.problem = None
        session.commit()
        return sync.status


def _schedule_sync(sync_id: int, seconds: float) -> None:
    try:
        queue.queue("default").enqueue_in(
            timedelta(seconds=max(seconds, 0.5)), sync_assortment, sync_id
        )
    except RedisError as exc:  # the sweeper enqueues it again
        logger.warning("assortment import not rescheduled sync=%s: %s", sync_id, exc)


def sweep_accounting_syncs() -> int:
    """Cron: enqueue every running import that is due (its job may have been lost)."""
    with job_session() as session:
        due = list(
            session.scalars(
                select(AccountingSync.id).where(
                    AccountingSync.status == "running",
                    or_(
                        AccountingSync.next_attempt_at.is_(None),
                        AccountingSync.next_attempt_at <= utcnow(),
                    ),
                )
            )
        )
    for sync_id in due:
        queue.queue("default").enqueue(sync_assortment, sync_id, job_id=f"moysklad-sync-{sync_id}")
    return len(due)


def read_all_accounting_stock() -> int:
    """Cron: read МойСклад's stock by store for every account that may be called."""
    with job_session() as session:
        ids = list(
            session.scalars(select(AccountingAccount.id).where(AccountingAccount.callable_clause()))
        )
    for account_id in ids:
        queue.queue("default").enqueue(
            read_accounting_stock, account_id, job_id=f"moysklad-stock-{account_id}", result_ttl=600
        )
    return len(ids)


def read_accounting_stock(account_id: int) -> str:
    """The whole stock by store report, kept only once fully read (``accounting.stock``).
    A failure is the account's last problem; the next run reads afresh."""
    with job_session() as session:
        account = session.get_one(AccountingAccount, account_id)
        if not account.may_be_called:
            return "waiting"
        limit = int(current_app.config.get("MOYSKLAD_PAGE_LIMIT", 1000))
        try:
            with accounting_accounts.client_for(account) as client:
                levels = accounting_stock.read(client, limit)
        except MarketplaceError as exc:
            accounting_accounts.record_failure(account, exc)
            session.commit()
            logger.warning("moysklad stock not read account=%s: %s", account_id, exc)
            return "failed"
        accounting_stock.keep(session, account, levels)
        account.problem = None
        account.last_error = None
        session.commit()
        return "done"


# --- alerts to Telegram ------------------------------------------------------------------


def check_stock_alerts(product_ids: list[int]) -> int:
    """Products whose free units may have crossed their minimum (marked at a stock change)."""
    with job_session() as session:
        opened = low_stock.check(session, product_ids)
        session.commit()
    if opened:
        _ring_alerts()
    return len(opened)


def check_alerts() -> int:
    """Cron: every product against its minimum, the cabinets, printers and pickups; then
    the sending (it also sends what waited: a pause over, a job lost with Redis)."""
    with job_session() as session:
        config = current_app.config
        now = utcnow()
        failing = timedelta(minutes=config["ALERT_ACCOUNT_FAILING_MINUTES"])
        window = timedelta(minutes=config["ALERT_HANDOVER_MINUTES"])
        opened = low_stock.check(session)
        opened += watch.accounts(session, now, failing)
        opened += watch.printers(session)
        opened += watch.handovers_at_risk(session, now, window)
        session.commit()
        _ring_alerts()
        return len(opened)


ALERTS_LOCK = "warehouse:alerts:telegram"


def send_alerts() -> str:
    """Send the pending alerts, oldest first; one sender at a time (across workers), so
    no alert goes twice and Telegram's pauses are kept."""
    with job_session() as session:
        lock = queue.connection().lock(ALERTS_LOCK, timeout=300, blocking_timeout=1)
        if not lock.acquire():
            queue.queue("default").enqueue_in(timedelta(seconds=2), send_alerts)
            return "busy, rescheduled"
        try:
            return _send_alerts(session)
        finally:
            _release(lock)


def _send_alerts(session: Session) -> str:
    bot = alert_bot.get(session)
    if bot is None or not sending.may_send(bot):
        return "not sending"  # no bot, refused token or chat, or a pause (then rung again)
    config = current_app.config
    backoff = tuple(config["ALERT_BACKOFF_SECONDS"])
    outcome = "nothing to send"
    with alert_bot.client_for(bot) as client:
        for alert in sending.due(session, int(config["ALERT_SEND_BATCH"])):
            outcome = sending.send(bot, client, alert, _words(alert), backoff)
            session.commit()
            if outcome in ("paused", "stopped"):
                break
    if outcome == "paused":
        _ring_alerts(at=bot.paused_until)
    elif outcome != "stopped" and sending.due(session, 1):
        _ring_alerts()  # more than a batch, or opened meanwhile
    return outcome


def _words(alert: Alert) -> str:
    """The message in the warehouse's language (no one's request to take it from)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return alert_text(alert)


def _ring_alerts(at: datetime | None = None) -> None:
    """Enqueue the sending (at a moment); Redis away: the cron tick sends them."""
    try:
        if at is None:
            queue.queue("default").enqueue(send_alerts, result_ttl=600)
        else:
            queue.queue("default").enqueue_at(at, send_alerts)
    except (RedisError, OSError) as exc:
        logger.warning("alert sending not enqueued: %s", exc)


def prune_api_log() -> int:
    """Cron: forget integration API calls, Idempotency-Keys and settled webhook deliveries
    older than ``API_LOG_DAYS``."""
    from warehouse.web.api import idempotency

    with job_session() as session:
        before = utcnow() - timedelta(days=int(current_app.config["API_LOG_DAYS"]))
        pruned = service_accounts.prune_log(session, before)
        pruned += idempotency.prune(session, before)
        pruned += webhooks.prune(session, before)
        session.commit()
    logger.info("api log pruned rows=%s", pruned)
    return pruned


def deliver_webhook(delivery_id: int) -> str:
    """Post one webhook delivery; schedule the next attempt when the receiver failed."""
    with job_session() as session:
        config = current_app.config
        delivery = webhooks.deliver(
            session,
            delivery_id,
            key=config["CREDENTIALS_KEY"],
            timeout=float(config["WEBHOOK_TIMEOUT"]),
            backoff=tuple(config["WEBHOOK_BACKOFF_SECONDS"]),
        )
        session.commit()
        if delivery is None:
            return "nothing to do"
        if delivery.status == "pending":
            queue.queue("outbox").enqueue_at(delivery.next_attempt_at, deliver_webhook, delivery.id)
        return delivery.status


def sweep_webhooks() -> int:
    """Cron: enqueue every due pending webhook delivery (covers jobs lost with Redis)."""
    with job_session() as session:
        due = webhooks.due(session)
        for delivery_id in due:
            queue.queue("outbox").enqueue(deliver_webhook, delivery_id)
        return len(due)
