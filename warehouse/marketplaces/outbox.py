"""The outbox: every command owed to an outside system, kept until that system has it.

Marketplace cabinets get their commands (confirm, pack, hand_over, push_stock…); the
accounting system gets the documents we write there (``warehouse.accounting.documents``).

A command is a row written in the same transaction as the change that causes it.
After commit an RQ job is enqueued to deliver it; a failed delivery is recorded on
the row and scheduled again with backoff; a sweeper re-enqueues rows whose job
was lost (Redis restarted, worker killed). Redis is only the doorbell: the row is
the truth.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from warehouse.infra import queue
from warehouse.marketplaces.base import AuthError, MarketplaceError, TransientError
from warehouse.models import (
    AccountingAccount,
    MarketplaceAccount,
    Order,
    OutboxCommand,
    utcnow,
)

logger = logging.getLogger(__name__)

# a command that no longer holds back the order's later ones: delivered, or cancelled by a person
SETTLED = ("done", "cancelled")


def queue_command(
    session: Session,
    account: MarketplaceAccount,
    kind: str,
    *,
    order: Order | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    delay_seconds: float = 0,
) -> OutboxCommand:
    """Owe ``kind`` to the account's marketplace; delivered after commit (and the delay)."""
    command = OutboxCommand(
        account=account, order_id=order.id if order else None, kind=kind, dedupe_key=dedupe_key
    )
    command.payload = payload or {}
    command.next_attempt_at = utcnow() + timedelta(seconds=delay_seconds)
    session.add(command)
    session.flush()
    ring(session, command.id, command.next_attempt_at if delay_seconds else None)
    logger.info("outbox queued command=%s kind=%s account=%s", command.id, kind, account.id)
    return command


def queue_for_orders(session: Session, kind: str, orders: Sequence[Order]) -> None:
    """Owe ``kind`` for each order to its marketplace: a page of imported orders' commands
    in one statement (not through the ORM), their delivery jobs enqueued in one round
    trip after the commit."""
    if not orders:
        return
    now = utcnow()
    stored = session.connection().execute(
        _NEW_COMMAND,
        [
            {
                "account_id": order.account_id,
                "order_id": order.id,
                "kind": kind,
                "payload": {},
                "next_attempt_at": now,
            }
            for order in orders
        ],
    )
    by_order = {order_id: command_id for command_id, order_id in stored}
    ids = [by_order[order.id] for order in orders]
    queue.enqueue_each_after_commit(session, DELIVER, [(id_,) for id_ in ids], queue="outbox")
    for id_, order in zip(ids, orders, strict=True):
        logger.info("outbox queued command=%s kind=%s account=%s", id_, kind, order.account_id)


# the new rows' ids by their order (one command of a kind per order): matched by value,
# not by position, so the page goes in batched INSERTs (SQLite cannot promise the order
# of a multi-row INSERT's RETURNING; asked to, SQLAlchemy inserts one row at a time)
_NEW_COMMAND = insert(OutboxCommand).returning(OutboxCommand.id, OutboxCommand.order_id)


def queue_accounting(
    session: Session,
    account: AccountingAccount,
    kind: str,
    *,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
) -> OutboxCommand:
    """Owe ``kind`` to the accounting system: delivered after commit, retried like a
    marketplace's command, never in the way of the change that caused it."""
    command = OutboxCommand(accounting_account=account, kind=kind, dedupe_key=dedupe_key)
    command.payload = payload
    command.next_attempt_at = utcnow()
    session.add(command)
    session.flush()
    ring(session, command.id)
    logger.info("outbox queued command=%s kind=%s accounting=%s", command.id, kind, account.id)
    return command


def lock_name(account_id: int | None, accounting_account_id: int | None) -> str:
    """One call at a time per account: a cabinet's, or an accounting account's."""
    if accounting_account_id is not None:
        return f"warehouse:outbox:accounting:{accounting_account_id}"
    return f"warehouse:outbox:account:{account_id}"


# the job that delivers one command (``ring``; a page of them: ``queue_for_orders``)
DELIVER = "warehouse.jobs.deliver_outbox"


def ring(session: Session, command_id: int, at: datetime | None = None) -> None:
    queue.enqueue_after_commit(session, DELIVER, command_id, queue="outbox", at=at)


Deliver = Callable[[Session, OutboxCommand], None]


def deliver(
    session: Session, command_id: int, send: Deliver, backoff: tuple[int, ...]
) -> OutboxCommand | None:
    """Try to deliver one pending command through ``send``; record what happened.

    Returns the command, or None if there was nothing to do (already delivered,
    or not due yet).
    """
    command = session.scalar(
        select(OutboxCommand).where(OutboxCommand.id == command_id).with_for_update()
    )
    if command is None or command.status != "pending":
        return None
    if not command.target.may_be_called:  # waits until the account is on / its key fixed
        return None
    if command.next_attempt_at > utcnow() + timedelta(seconds=1):
        return None
    if _waits_for_earlier(session, command):
        command.next_attempt_at = utcnow() + timedelta(seconds=backoff[0] or 1)
        return command  # an order's commands reach the marketplace in the order made
    command.attempts += 1
    try:
        send(session, command)
    except TransientError as exc:
        wait = max(backoff[min(command.attempts, len(backoff)) - 1], exc.retry_after or 0)
        command.next_attempt_at = utcnow() + timedelta(seconds=wait)
        command.last_error = str(exc)[:1000]
        logger.warning("outbox retry command=%s in=%ss error=%s", command.id, wait, exc)
        return command
    except AuthError as exc:  # the account's fault, not the command's: it waits for a fixed key
        command.attempts -= 1
        command.last_error = str(exc)[:1000]
        command.target.problem = "auth"
        command.target.last_error = command.last_error
        logger.error("outbox held (account key refused) command=%s error=%s", command.id, exc)
        return command
    except MarketplaceError as exc:
        command.status = "failed"
        command.dedupe_key = None
        command.last_error = str(exc)[:1000]
        logger.error("outbox failed command=%s error=%s", command.id, exc)
        return command
    command.status = "done"
    command.dedupe_key = None
    command.done_at = utcnow()
    command.last_error = ""
    logger.info("outbox delivered command=%s kind=%s", command.id, command.kind)
    return command


def _waits_for_earlier(session: Session, command: OutboxCommand) -> bool:
    if command.order_id is None:
        return False
    earlier = session.scalar(
        select(OutboxCommand.id).where(
            OutboxCommand.order_id == command.order_id,
            OutboxCommand.id < command.id,
            OutboxCommand.status.not_in(SETTLED),
        )
    )
    return earlier is not None


def due_commands(session: Session, limit: int = 500) -> list[int]:
    """Ids of pending commands whose next attempt is due (for the sweeper)."""
    return list(
        session.scalars(
            select(OutboxCommand.id)
            .outerjoin(MarketplaceAccount, MarketplaceAccount.id == OutboxCommand.account_id)
            .outerjoin(
                AccountingAccount, AccountingAccount.id == OutboxCommand.accounting_account_id
            )
            .where(OutboxCommand.status == "pending", OutboxCommand.next_attempt_at <= utcnow())
            .where(
                or_(
                    MarketplaceAccount.callable_clause(),
                    AccountingAccount.callable_clause(),
                )
            )
            .order_by(OutboxCommand.next_attempt_at)
            .limit(limit)
        )
    )


def wake(session: Session, command_id: int) -> None:
    """What a pending command waited for has happened: try it now, not after its backoff."""
    command = session.get(OutboxCommand, command_id)
    if command is not None and command.status == "pending":
        command.next_attempt_at = utcnow()
        ring(session, command_id)


def retry_failed(session: Session, command_id: int) -> None:
    """A person fixed the cause: put a failed command back in line."""
    command = session.get_one(OutboxCommand, command_id)
    if command.status == "failed":
        command.status = "pending"
        command.next_attempt_at = utcnow()
        ring(session, command_id)
