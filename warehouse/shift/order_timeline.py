"""An order's timeline: everything that happened to it, who and when, in one list.

Nothing here is written for the timeline (but the status changes, ``order_events``); it
reads the tables that already keep each kind of event: the order itself (its arrival),
``order_events``, pick tasks and their scans, parcels and their print jobs' events, the
outbox's commands, the hand-over lines about the order or its pickup, shortages, the
return and its graded units, and the stock movements under the order's documents
(``task:<id>``, ``shortage:<id>``, ``return:<id>``). Entries are sorted by time; equal
times keep the order the sources are read in (the order's own life first).

The outbox keeps a command's attempts as a count and the last error, not each attempt:
a command shows as queued (with its attempts so far) and, once through, as done.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warehouse.errors import NotFound
from warehouse.models import (
    HandOverEvent,
    Order,
    OrderEvent,
    OutboxCommand,
    Parcel,
    PickTask,
    PrintEvent,
    PrintJob,
    Return,
    ReturnUnit,
    ScanEvent,
    Shortage,
    StockMove,
    User,
)

# lines of a pickup that concern every order on it
PICKUP_LINES = ("loading_done", "closing", "closed", "failed", "retry")
# lines about several orders at once, naming them: shown to the orders they name
NAMING_LINES = ("decision", "joined")
LIMIT = 2000  # an order with more events than this shows its first ones and says so


@dataclass
class Entry:
    """One thing that happened: ``kind`` names the source, ``what`` the event within it."""

    at: datetime
    kind: str
    what: str
    params: dict[str, Any] = field(default_factory=dict)
    user_id: int | None = None
    ok: bool = True
    who: str = ""  # filled in at the end: one query for every person named


@dataclass
class Timeline:
    order: Order
    entries: list[Entry]
    cut: bool  # more than LIMIT entries: the rest left out


def of(session: Session, order_id: int) -> Timeline:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("order_not_found")
    tasks = list(session.scalars(select(PickTask).where(PickTask.order_id == order.id)))
    parcels = list(session.scalars(select(Parcel).where(Parcel.order_id == order.id)))
    shortages = list(session.scalars(select(Shortage).where(Shortage.order_id == order.id)))
    ret = session.scalar(select(Return).where(Return.order_id == order.id))
    entries = [
        Entry(order.created_at, "order", "received", {"placed_at": order.placed_at}),
        *_statuses(session, order),
        *_tasks(tasks),
        *_scans(session, tasks),
        *_parcels(parcels),
        *_prints(session, parcels),
        *_commands(session, order),
        *_handover_lines(session, order),
        *_shortages(shortages),
        *_return(session, ret),
        *_moves(session, tasks, shortages, ret),
    ]
    entries.sort(key=lambda entry: entry.at)  # stable: equal times keep the sources' order
    _name_people(session, entries)
    return Timeline(order, entries[:LIMIT], len(entries) > LIMIT)


def _statuses(session: Session, order: Order) -> Iterable[Entry]:
    query = select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    for event in session.scalars(query):
        params = {"from": event.from_status, "to": event.to_status}
        params["marketplace_status"] = event.marketplace_status
        yield Entry(event.at, "status", "changed", params, event.user_id)


def _tasks(tasks: list[PickTask]) -> Iterable[Entry]:
    for task in tasks:
        params = {"task": task.id, "kind": task.kind, "status": task.status}
        yield Entry(task.created_at, "task", "created", params)
        if task.started_at:
            yield Entry(task.started_at, "task", "started", params, task.picker_id)
        if task.finished_at:
            yield Entry(task.finished_at, "task", "finished", params, task.picker_id)


def _scans(session: Session, tasks: list[PickTask]) -> Iterable[Entry]:
    if not tasks:
        return
    query = select(ScanEvent).where(ScanEvent.task_id.in_([task.id for task in tasks]))
    for scan in session.scalars(query.order_by(ScanEvent.id)):
        params = {"barcode": scan.barcode, "code": scan.code}
        params["params"] = (scan.details or {}).get("params", {})
        params["where"] = scan.scope.split(":")[1] if scan.scope.count(":") == 2 else "task"
        yield Entry(scan.created_at, "scan", scan.code, params, scan.user_id, scan.ok)


def _parcels(parcels: list[Parcel]) -> Iterable[Entry]:
    for parcel in parcels:
        params = {"number": parcel.number, "package": parcel.package}
        yield Entry(parcel.created_at, "parcel", "packed", params)


def _prints(session: Session, parcels: list[Parcel]) -> Iterable[Entry]:
    if not parcels:
        return
    rows = session.execute(
        select(PrintEvent, PrintJob)
        .join(PrintJob, PrintJob.id == PrintEvent.job_id)
        .where(PrintJob.parcel_id.in_([parcel.id for parcel in parcels]))
        .order_by(PrintEvent.id)
    )
    for event, job in rows:
        params = {"job": job.id, "kind": job.kind, "detail": event.detail}
        params["printer"] = event.printer.name if event.printer else job.printer.name
        ok = event.kind not in ("failed", "unknown")
        yield Entry(event.at, "print", event.kind, params, event.user_id, ok)


def _commands(session: Session, order: Order) -> Iterable[Entry]:
    query = select(OutboxCommand).where(OutboxCommand.order_id == order.id)
    for command in session.scalars(query.order_by(OutboxCommand.id)):
        params = {
            "command": command.id,
            "kind": command.kind,
            "status": command.status,
            "attempts": command.attempts,
            "error": command.last_error,
            "next_attempt_at": command.next_attempt_at,
        }
        trouble = command.status == "failed" or (command.status != "done" and command.attempts)
        yield Entry(command.created_at, "command", "queued", params, ok=not trouble)
        if command.done_at:
            yield Entry(command.done_at, "command", "done", params)


def _handover_lines(session: Session, order: Order) -> Iterable[Entry]:
    about = HandOverEvent.order_id == order.id
    if order.handover_id is not None:
        pickup = HandOverEvent.handover_id == order.handover_id
        shared = HandOverEvent.kind.in_(PICKUP_LINES + NAMING_LINES)
        query = select(HandOverEvent).where(or_(about, pickup & HandOverEvent.order_id.is_(None)))
        query = query.where(or_(about, shared))
    else:
        query = select(HandOverEvent).where(about)
    for line in session.scalars(query.order_by(HandOverEvent.id)):
        if line.kind in NAMING_LINES and line.order_id is None and not _names(line, order):
            continue
        params = {"handover": line.handover_id, "text": line.text}
        yield Entry(line.at, "handover", line.kind, params, line.user_id, line.kind != "refused")


def _names(line: HandOverEvent, order: Order) -> bool:
    """A decision or joining line lists order numbers: is this order's one of them?"""
    return re.search(rf"(?<![\w-]){re.escape(order.external_id)}(?![\w-])", line.text) is not None


def _shortages(shortages: list[Shortage]) -> Iterable[Entry]:
    for shortage in shortages:
        params = {
            "product": shortage.item.product.name,
            "quantity": shortage.quantity,
            "bin": shortage.item.location.code,
            "reason": shortage.reason,
            "status": shortage.status,
        }
        yield Entry(
            shortage.created_at, "shortage", "reported", params, shortage.reported_by, False
        )


def _return(session: Session, ret: Return | None) -> Iterable[Entry]:
    if ret is None:
        return
    yield Entry(ret.created_at, "return", "received", {"return": ret.id}, ret.received_by_id)
    query = select(ReturnUnit).where(ReturnUnit.return_id == ret.id).order_by(ReturnUnit.id)
    for unit in session.scalars(query):
        params = {"product": unit.product.name, "quantity": unit.quantity, "grade": unit.grade}
        params["bin"] = unit.location.code if unit.location else ""
        yield Entry(unit.created_at, "return", "graded", params, unit.user_id)
    if ret.closed_at:
        yield Entry(ret.closed_at, "return", "closed", {"return": ret.id})


def _moves(
    session: Session, tasks: list[PickTask], shortages: list[Shortage], ret: Return | None
) -> Iterable[Entry]:
    documents = [f"task:{task.id}" for task in tasks]
    documents += [f"shortage:{shortage.id}" for shortage in shortages]
    documents += [f"return:{ret.id}"] if ret else []
    if not documents:
        return
    query = select(StockMove).where(StockMove.document.in_(documents)).order_by(StockMove.id)
    for move in session.scalars(query):
        params = {
            "product": move.product.name,
            "bin": move.location.code,
            "quantity": move.quantity,
            "reason": move.reason,
            "document": move.document,
        }
        yield Entry(move.created_at, "stock", move.reason, params, move.user_id)


def _name_people(session: Session, entries: list[Entry]) -> None:
    ids = {entry.user_id for entry in entries if entry.user_id is not None}
    if not ids:
        return
    rows = session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples()
    names = dict(rows.all())
    for entry in entries:
        if entry.user_id is not None:
            entry.who = names.get(entry.user_id, "")
