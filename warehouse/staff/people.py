"""One person's work as the desk sees it: their history (newest first, paged) and their
figures over a day or a week.

The history is read from where the work is already kept — scans, pick tasks, print jobs,
hand-over lines, stock movements — plus what the desk did to the person (staff events);
nothing is written twice for it. The figures count from the same rows:

- lines picked: lines (pick items with units taken) of the person's pick tasks finished
  in the period;
- picking time: from each picking scan (single or batch) to the person's next one, a gap
  longer than ``BREAK`` left out as a break; lines per hour = lines / that time;
- parcels packed: parcels whose marketplace label the person asked for by packing (the
  first label job of a parcel, not a reprint);
- scans and refused scans: every scan kept one by one — picking, batch picking, the pack
  table's check, loading onto a hand-over — and those answered with a refusal.

Days and weeks are Moscow days (the marketplaces' pickup days): a week starts on Monday.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import String, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from warehouse.errors import DomainError
from warehouse.models import (
    HandOverEvent,
    PickItem,
    PickTask,
    PrintJob,
    ScanEvent,
    StaffEvent,
    StockMove,
)
from warehouse.shipping.handovers import LOCAL

PAGE = 50
BREAK = timedelta(minutes=15)
SPANS = ("day", "week")
PICKING_SCOPES = ("%:task:%", "%:batch:%")
LOADING_SCANS = ("loaded", "refused")  # a loader's scan lines in a hand-over's history


# --- history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of the history: when, what sort (``kind``) and the row it stands for."""

    at: datetime
    kind: str  # scan, task_started, task_finished, print, handover, move, staff
    row: Any
    task: PickTask | None = None  # a scan's task (with its order), when it has one


@dataclass(frozen=True)
class History:
    lines: list[Line]
    page: int
    more: bool  # an older page exists


SOURCES: dict[str, Any] = {
    "scan": ScanEvent,
    "task_started": PickTask,
    "task_finished": PickTask,
    "print": PrintJob,
    "handover": HandOverEvent,
    "move": StockMove,
    "staff": StaffEvent,
}


def history(session: Session, user_id: int, page: int = 0) -> History:
    """Page ``page`` (0: the newest) of everything the person did and was done to."""
    page = max(page, 0)
    everything = union_all(*_sources(user_id)).subquery()
    rows = session.execute(
        select(everything.c.at, everything.c.kind, everything.c.row_id)
        .order_by(everything.c.at.desc(), everything.c.row_id.desc(), everything.c.kind)
        .limit(PAGE + 1)
        .offset(page * PAGE)
    ).all()
    found = _rows(session, [(kind, row_id) for _at, kind, row_id in rows[:PAGE]])
    tasks = _tasks(session, [r.task_id for r in found["scan"].values() if r.task_id])
    lines = [
        Line(at, kind, found[kind][row_id], _task_of(kind, found[kind][row_id], tasks))
        for at, kind, row_id in rows[:PAGE]
    ]
    return History(lines, page, len(rows) > PAGE)


def _sources(user_id: int) -> list[Any]:
    def part(at: Any, kind: str, row_id: Any, *where: Any) -> Any:
        label = literal(kind, String(16)).label("kind")
        return select(at.label("at"), label, row_id.label("row_id")).where(*where)

    return [
        part(ScanEvent.created_at, "scan", ScanEvent.id, ScanEvent.user_id == user_id),
        part(
            PickTask.started_at,
            "task_started",
            PickTask.id,
            PickTask.picker_id == user_id,
            PickTask.started_at.is_not(None),
        ),
        part(
            PickTask.finished_at,
            "task_finished",
            PickTask.id,
            PickTask.picker_id == user_id,
            PickTask.finished_at.is_not(None),
        ),
        part(PrintJob.created_at, "print", PrintJob.id, PrintJob.requested_by_id == user_id),
        part(HandOverEvent.at, "handover", HandOverEvent.id, HandOverEvent.user_id == user_id),
        part(StockMove.created_at, "move", StockMove.id, StockMove.user_id == user_id),
        part(StaffEvent.at, "staff", StaffEvent.id, StaffEvent.user_id == user_id),
    ]


def _rows(session: Session, keys: list[tuple[str, int]]) -> dict[str, dict[int, Any]]:
    """The page's rows, one query per table."""
    found: dict[str, dict[int, Any]] = {kind: {} for kind in SOURCES}
    for kind, model in SOURCES.items():
        ids = [row_id for k, row_id in keys if k == kind]
        if ids:
            rows = session.scalars(select(model).where(model.id.in_(ids)))
            found[kind] = {row.id: row for row in rows}
    return found


def _tasks(session: Session, ids: Iterable[int]) -> dict[int, PickTask]:
    query = select(PickTask).options(joinedload(PickTask.order)).where(PickTask.id.in_(set(ids)))
    return {task.id: task for task in session.scalars(query)}


def _task_of(kind: str, row: Any, tasks: dict[int, PickTask]) -> PickTask | None:
    if kind in ("task_started", "task_finished"):
        return row
    if kind == "scan" and row.task_id:
        return tasks.get(row.task_id)
    return None


# --- figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A Moscow day, or the Monday-to-Sunday week holding ``day``."""

    day: date
    span: str = "day"

    @property
    def first(self) -> date:
        return self.day - timedelta(days=self.day.weekday()) if self.span == "week" else self.day

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6 if self.span == "week" else 0)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), LOCAL)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL)


def period(day: str, span: str, today: date) -> Period:
    """The period the desk asked for (``?day=2026-12-08&span=week``); blank: today."""
    if span not in SPANS:
        raise DomainError("bad_period")
    try:
        chosen = date.fromisoformat(day) if day else today
    except ValueError as exc:
        raise DomainError("bad_period") from exc
    return Period(chosen, span)


@dataclass(frozen=True)
class Figures:
    period: Period
    lines_picked: int
    picking_seconds: int
    parcels_packed: int
    scans: int
    refused: int

    @property
    def lines_per_hour(self) -> float | None:
        """None without picking time (no picking, or a single scan)."""
        if not self.picking_seconds:
            return None
        return round(self.lines_picked * 3600 / self.picking_seconds, 1)


def figures(session: Session, user_id: int, chosen: Period) -> Figures:
    start, end = chosen.start, chosen.end
    scans, refused = _scans(session, user_id, start, end)
    return Figures(
        period=chosen,
        lines_picked=_lines_picked(session, user_id, start, end),
        picking_seconds=_picking_seconds(session, user_id, start, end),
        parcels_packed=_parcels_packed(session, user_id, start, end),
        scans=scans,
        refused=refused,
    )


def _lines_picked(session: Session, user_id: int, start: datetime, end: datetime) -> int:
    query = (
        select(func.count(PickItem.id))
        .join(PickTask, PickTask.id == PickItem.task_id)
        .where(
            PickTask.picker_id == user_id,
            PickTask.kind == "pick",
            PickTask.status == "done",
            PickTask.finished_at >= start,
            PickTask.finished_at < end,
            PickItem.picked > 0,
        )
    )
    return session.scalar(query) or 0


def _picking_seconds(session: Session, user_id: int, start: datetime, end: datetime) -> int:
    moments = session.scalars(
        select(ScanEvent.created_at)
        .where(
            ScanEvent.user_id == user_id,
            ScanEvent.created_at >= start,
            ScanEvent.created_at < end,
            or_(*(ScanEvent.scope.like(scope) for scope in PICKING_SCOPES)),
        )
        .order_by(ScanEvent.created_at)
    ).all()
    gaps = (later - earlier for earlier, later in pairwise(moments))
    return int(sum((gap for gap in gaps if gap <= BREAK), timedelta()).total_seconds())


def _parcels_packed(session: Session, user_id: int, start: datetime, end: datetime) -> int:
    query = select(func.count(func.distinct(PrintJob.parcel_id))).where(
        PrintJob.requested_by_id == user_id,
        PrintJob.kind == "marketplace_label",
        PrintJob.reprint_of_id.is_(None),
        PrintJob.parcel_id.is_not(None),
        PrintJob.created_at >= start,
        PrintJob.created_at < end,
    )
    return session.scalar(query) or 0


def _scans(session: Session, user_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    """(scans, refused): the floor's scans and the loader's scans onto hand-overs."""
    floor = session.execute(
        select(func.count(ScanEvent.id), func.count(ScanEvent.id).filter(ScanEvent.ok.is_(False)))
        .where(ScanEvent.user_id == user_id)
        .where(ScanEvent.created_at >= start, ScanEvent.created_at < end)
    ).one()
    loading = session.execute(
        select(
            func.count(HandOverEvent.id),
            func.count(HandOverEvent.id).filter(HandOverEvent.kind == "refused"),
        )
        .where(HandOverEvent.user_id == user_id, HandOverEvent.kind.in_(LOADING_SCANS))
        .where(HandOverEvent.at >= start, HandOverEvent.at < end)
    ).one()
    return floor[0] + loading[0], floor[1] + loading[1]
