"""The live shift: what a lead keeps open on the desk. The floor's work by wave with its
progress, who picks what and at which bin, who is idle, short picks waiting for a
decision, what is left before each cabinet's cutoff, the day's burn-down and each
picker's pace from the scan log. Read models only: nothing here changes anything.

«Today» is the Moscow day (the marketplaces' days and cutoffs). Nobody's login is kept,
so a picker is on shift once they scanned today or hold work; idle means no scan for N
minutes (the page's setting) or nothing to pick.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby, pairwise
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from warehouse.floor import shortages, waves
from warehouse.floor.waves import Unit
from warehouse.models import (
    MarketplaceAccount,
    Order,
    Parcel,
    PickBatch,
    PickItem,
    PickTask,
    ScanEvent,
    Shortage,
    User,
    Wave,
)
from warehouse.shipping import handovers
from warehouse.shipping.handovers import LOCAL

ACTIVE = ("open", "in_progress")
# a scan that put units into an order: the line it was on counts as worked
LINE_CODES = frozenset(("picked", "task_done", "tote_ok", "tote_order_done", "batch_done"))
PICK_SCOPES = frozenset(("task", "batch"))  # not the pack table's checks
# a pace is told once there are this many minutes of work behind it (two quick scans
# would make thousands of lines per hour)
PACE_AFTER = timedelta(minutes=5)
TO_PICK = ("new", "reserved", "awaiting_stock", "picking")


def day_of(now: datetime) -> tuple[datetime, datetime]:
    """The Moscow day ``now`` falls in, as its start and the next day's start."""
    day = now.astimezone(LOCAL).date()
    start = datetime.combine(day, time(0), LOCAL)
    return start, datetime.combine(day + timedelta(days=1), time(0), LOCAL)


# --- the floor's work, by wave ---------------------------------------------------------------


@dataclass
class WaveWork:
    """A wave's units (``wave`` None: work handed out outside any wave), with progress."""

    wave: Wave | None
    units: list[Unit]

    @property
    def lines(self) -> int:
        return sum(unit.lines for unit in self.units)

    @property
    def lines_done(self) -> int:
        return sum(unit.lines_done for unit in self.units)


@dataclass
class Work:
    waves: list[WaveWork]
    free: int  # orders waiting for any picker, in no wave


def work(session: Session, now: datetime) -> Work:
    """Today's waves and those still being picked (a cancelled one while its last orders
    are picked), then work outside waves that someone holds, and how many orders wait free."""
    start, _end = day_of(now)
    found = session.scalars(
        select(Wave)
        .where(or_(Wave.created_at >= start, Wave.tasks.any(PickTask.status.in_(ACTIVE))))
        .order_by(Wave.id)
    )
    rows = []
    for wave in found:
        units = waves.units_of(wave)
        if wave.status == "cancelled":
            units = [unit for unit in units if unit.status == "in_progress"]
        if units:
            rows.append(WaveWork(wave, units))
    outside = _outside_waves(session)
    if outside:
        rows.append(WaveWork(None, outside))
    free = session.scalar(
        select(func.count())
        .select_from(PickTask)
        .where(
            PickTask.status == "open",
            PickTask.picker_id.is_(None),
            PickTask.wave_id.is_(None),
            PickTask.batch_id.is_(None),
        )
    )
    return Work(rows, int(free or 0))


def _outside_waves(session: Session) -> list[Unit]:
    """Tasks and batches someone holds (in progress or assigned) that belong to no wave."""
    tasks = session.scalars(
        select(PickTask)
        .where(
            PickTask.wave_id.is_(None),
            PickTask.status.in_(ACTIVE),
            PickTask.picker_id.is_not(None),
        )
        .order_by(PickTask.id)
        .options(selectinload(PickTask.items).selectinload(PickItem.location))
    )
    carts: dict[int, Unit] = {}
    units = []
    for task in tasks:
        if task.batch is not None and task.batch.status in ACTIVE:
            if task.batch.id not in carts:
                carts[task.batch.id] = Unit(task.batch, list(task.batch.tasks))
                units.append(carts[task.batch.id])
        else:
            units.append(Unit(None, [task]))
    return units


# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """What a picker's pace needs of one scan (a ``ScanEvent``)."""

    at: datetime
    ok: bool
    code: str
    item_id: int | None


@dataclass(frozen=True)
class Pace:
    """A picker's day from their scans: scans, refused ones, lines worked (a line = a pick
    item that got units from one of their scans), and the time spent working — the gaps
    between consecutive scans, a gap longer than the idle limit counting as a pause. Lines
    per hour and seconds per line once ``PACE_AFTER`` of work is behind them."""

    scans: int
    errors: int
    lines: int
    working: timedelta

    @property
    def told(self) -> bool:
        """Enough work behind it to say a pace (``PACE_AFTER``) and a line done."""
        return self.working >= PACE_AFTER and self.lines > 0

    @property
    def lines_per_hour(self) -> float | None:
        hours = self.working.total_seconds() / 3600
        return round(self.lines / hours, 1) if self.told else None

    @property
    def seconds_per_line(self) -> int | None:
        return round(self.working.total_seconds() / self.lines) if self.told else None


def pace(scans: Sequence[Scan], pause: timedelta) -> Pace:
    ordered = sorted(scans, key=lambda scan: scan.at)
    gaps = (later.at - earlier.at for earlier, later in pairwise(ordered))
    working = sum((gap for gap in gaps if gap <= pause), timedelta(0))
    lines = {scan.item_id for scan in ordered if scan.ok and scan.code in LINE_CODES}
    lines.discard(None)
    return Pace(
        scans=len(ordered),
        errors=sum(1 for scan in ordered if not scan.ok),
        lines=len(lines),
        working=working,
    )


@dataclass
class PickerNow:
    user: User
    doing: Unit | None  # what they pick right now
    waiting: int  # units assigned to them, not started
    last_scan: datetime | None
    idle: bool
    pace: Pace = field(default_factory=lambda: Pace(0, 0, 0, timedelta(0)))

    def idle_minutes(self, now: datetime) -> int | None:
        return int((now - self.last_scan).total_seconds() // 60) if self.last_scan else None


def pickers(session: Session, now: datetime, idle_after: timedelta) -> list[PickerNow]:
    """Everyone on shift today: who picks what (and where), who is idle — no scan for
    ``idle_after`` or nothing to pick — idle ones first, and each one's pace."""
    start, _end = day_of(now)
    scans = _scans_since(session, start)
    doing = {unit.picker.id: unit for unit in _in_progress(session) if unit.picker is not None}
    waiting = _assigned_counts(session)
    people = session.scalars(
        select(User).where(User.active.is_(True), User.badge.is_not(None)).order_by(User.name)
    )
    rows = []
    for user in people:
        mine = scans.get(user.id, [])
        if not mine and user.id not in doing and user.id not in waiting:
            continue  # not on shift today
        last = mine[-1].at if mine else None
        quiet = last is None or now - last > idle_after
        rows.append(
            PickerNow(
                user=user,
                doing=doing.get(user.id),
                waiting=waiting.get(user.id, 0),
                last_scan=last,
                idle=quiet or user.id not in doing,
                pace=pace(mine, idle_after),
            )
        )
    return sorted(rows, key=lambda row: (not row.idle, row.user.name))


def _scans_since(session: Session, start: datetime) -> dict[int, list[Scan]]:
    return {
        user_id: [scan for _day, scan in scans]
        for user_id, scans in picking_scans(session, start, None).items()
    }


def picking_scans(
    session: Session, start: datetime, end: datetime | None
) -> dict[int, list[tuple[date, Scan]]]:
    """Each person's picking scans (not the pack table's checks) from ``start`` to
    ``end`` in time order, with the Moscow day of each."""
    query = (
        select(
            ScanEvent.user_id,
            ScanEvent.created_at,
            ScanEvent.ok,
            ScanEvent.code,
            ScanEvent.item_id,
            ScanEvent.scope,
        )
        .where(ScanEvent.created_at >= start, ScanEvent.user_id.is_not(None))
        .order_by(ScanEvent.user_id, ScanEvent.created_at, ScanEvent.id)
    )
    if end is not None:
        query = query.where(ScanEvent.created_at < end)
    rows = session.execute(query)
    found: dict[int, list[tuple[date, Scan]]] = {}
    for user_id, at, ok, code, item_id, scope in rows:
        if _scope_kind(scope) in PICK_SCOPES:
            day = at.astimezone(LOCAL).date()
            found.setdefault(user_id, []).append((day, Scan(at, ok, code, item_id)))
    return found


def _scope_kind(scope: str) -> str:
    """«user:kind:target» (``picking.scan_scope``) → kind."""
    parts = scope.split(":")
    return parts[1] if len(parts) == 3 else ""


def _in_progress(session: Session) -> list[Unit]:
    tasks = session.scalars(select(PickTask).where(PickTask.status == "in_progress"))
    carts: dict[int, Unit] = {}
    units = []
    for task in tasks:
        cart = task.open_batch
        if cart is None:
            units.append(Unit(None, [task]))
        elif cart.id not in carts:
            carts[cart.id] = Unit(cart, list(cart.tasks))
            units.append(carts[cart.id])
    return units


def _assigned_counts(session: Session) -> dict[int, int]:
    """Units assigned and not started, per picker (a batch counts once)."""
    singles = session.execute(
        select(PickTask.picker_id, func.count())
        .where(
            PickTask.status == "open",
            PickTask.picker_id.is_not(None),
            or_(PickTask.batch_id.is_(None), PickTask.batch.has(PickBatch.status != "open")),
        )
        .group_by(PickTask.picker_id)
    ).tuples()
    carts = session.execute(
        select(PickBatch.picker_id, func.count())
        .where(PickBatch.status == "open", PickBatch.picker_id.is_not(None))
        .group_by(PickBatch.picker_id)
    ).tuples()
    counts: dict[int, int] = {}
    for picker_id, n in [*singles, *carts]:
        if picker_id is not None:
            counts[picker_id] = counts.get(picker_id, 0) + n
    return counts


def open_shortages(session: Session) -> list[Shortage]:
    """Short picks waiting for the lead's decision (answered on the order's page)."""
    return shortages.open_shortages(session)


# --- before each cutoff -----------------------------------------------------------------------


@dataclass
class CutoffLeft:
    """A cabinet's orders due at today's pickup, by how far they are from the truck."""

    account: MarketplaceAccount
    cutoff: datetime
    to_pick: int = 0
    to_pack: int = 0
    to_load: int = 0  # packed, not yet scanned onto the truck
    loaded: int = 0

    @property
    def left(self) -> int:
        return self.to_pick + self.to_pack + self.to_load

    def minutes_left(self, now: datetime) -> int:
        return int((self.cutoff - now).total_seconds() // 60)


def cutoffs(session: Session, now: datetime) -> list[CutoffLeft]:
    """Per cabinet, the orders that must leave with today's pickup (ship-by today or
    earlier, or none; not gone yet), soonest cutoff first; every active cabinet is shown."""
    start, end = day_of(now)
    orders = list(
        session.execute(
            select(Order.account_id, Order.status, Order.id).where(
                Order.status.in_(handovers.WAITING),
                or_(Order.ship_by.is_(None), Order.ship_by < end),
            )
        ).tuples()
    )
    loaded = _loaded(session, [o for _a, status, o in orders if status in handovers.PACKED])
    accounts = {a.id: a for a in session.scalars(select(MarketplaceAccount))}
    found = {
        a.id: CutoffLeft(a, handovers.cutoff_of(a, start.date()))
        for a in accounts.values()
        if a.active
    }
    for account_id, status, order_id in orders:
        account = accounts[account_id]
        row = found.setdefault(
            account_id, CutoffLeft(account, handovers.cutoff_of(account, start.date()))
        )
        if status in TO_PICK:
            row.to_pick += 1
        elif status == "picked":
            row.to_pack += 1
        elif order_id in loaded:
            row.loaded += 1
        else:
            row.to_load += 1
    return sorted(found.values(), key=lambda row: (row.cutoff, row.account.name))


def _loaded(session: Session, order_ids: list[int]) -> set[int]:
    """The ids among ``order_ids`` with a parcel scanned onto the truck."""
    if not order_ids:
        return set()
    query = select(Parcel.order_id).where(
        Parcel.order_id.in_(order_ids), Parcel.loaded_at.is_not(None)
    )
    return set(session.scalars(query))


# --- the day's burn-down ----------------------------------------------------------------------


@dataclass(frozen=True)
class DayOrder:
    """An order of today's pickups: when it came, when it was picked and packed (or not)."""

    arrived: datetime
    picked: datetime | None
    packed: datetime | None


@dataclass
class Burndown:
    start: datetime
    end: datetime
    now: datetime
    to_pick: list[tuple[datetime, int]]
    to_pack: list[tuple[datetime, int]]
    cutoffs: list[tuple[str, datetime]]


def burndown(session: Session, now: datetime) -> Burndown:
    """Orders of today's pickups still to pick and still to pack, through the day up to now,
    against each cabinet's cutoff."""
    day_start, day_end = day_of(now)
    orders = day_orders(session, day_start, day_end)
    active = select(MarketplaceAccount).where(MarketplaceAccount.active.is_(True))
    marks = [
        (account.kind.upper(), handovers.cutoff_of(account, day_start.date()))
        for account in session.scalars(active)
    ]
    start, end = span(day_start, day_end, now, [moment for _label, moment in marks])
    return Burndown(
        start=start,
        end=end,
        now=now,
        to_pick=steps([(o.arrived, o.picked) for o in orders], start, now),
        to_pack=steps([(o.arrived, o.packed) for o in orders], start, now),
        cutoffs=_one_per_moment(marks, start, end),
    )


def day_orders(session: Session, day_start: datetime, day_end: datetime) -> list[DayOrder]:
    """Orders due with today's pickups (ship-by before tomorrow, or none; not cancelled)
    that were still to pick or pack at some moment today."""
    candidates = session.execute(
        select(Order.id, Order.status, Order.created_at).where(
            Order.status != "cancelled",
            or_(Order.ship_by.is_(None), Order.ship_by < day_end),
            or_(Order.status.in_(handovers.WAITING), Order.updated_at >= day_start),
        )
    ).tuples()
    rows = list(candidates)
    ids = [order_id for order_id, _status, _created in rows]
    picked = _moments(
        session,
        select(PickTask.order_id, func.max(PickTask.finished_at))
        .where(PickTask.order_id.in_(ids), PickTask.kind == "pick", PickTask.status == "done")
        .group_by(PickTask.order_id),
    )
    packed = _moments(
        session,
        select(Parcel.order_id, func.min(Parcel.created_at))
        .where(Parcel.order_id.in_(ids))
        .group_by(Parcel.order_id),
    )
    found = []
    for order_id, status, created in rows:
        picked_at = None if status in TO_PICK else picked.get(order_id, created)
        packed_at = None if status in (*TO_PICK, "picked") else packed.get(order_id, created)
        if packed_at is not None and packed_at < day_start:
            continue  # done before today
        found.append(DayOrder(created, picked_at, packed_at))
    return found


def _moments(session: Session, query: Select[Any]) -> dict[int, datetime]:
    """order id → moment, from a grouped query of the two."""
    return {order_id: moment for order_id, moment in session.execute(query) if moment}


def span(
    day_start: datetime, day_end: datetime, now: datetime, cutoffs: Iterable[datetime]
) -> tuple[datetime, datetime]:
    """The chart's hours: from 08:00 (earlier when it is earlier, showing the last two
    hours) to an hour past the later of now and the last cutoff, within the day."""
    start = max(day_start, min(day_start + timedelta(hours=8), now - timedelta(hours=2)))
    last = max([now, *(c for c in cutoffs if day_start <= c < day_end)])
    return start, min(day_end, last + timedelta(hours=1))


def steps(
    orders: Sequence[tuple[datetime, datetime | None]], start: datetime, now: datetime
) -> list[tuple[datetime, int]]:
    """How many of ``orders`` (arrived, done) are left, as a step line from ``start`` to
    ``now``: a point before and after every change."""
    left = 0
    changes: list[tuple[datetime, int]] = []
    for arrived, done in orders:
        arrived = min(arrived, done) if done is not None else arrived
        if done is not None and done <= start:
            continue
        if arrived <= start:
            left += 1
        elif arrived <= now:
            changes.append((arrived, 1))
        if done is not None and start < done <= now:
            changes.append((done, -1))
    points = [(start, left)]
    for moment, group in groupby(sorted(changes), key=lambda change: change[0]):
        after = left + sum(delta for _moment, delta in group)
        points += [(moment, left), (moment, after)]
        left = after
    points.append((now, left))
    return points


def _one_per_moment(
    marks: list[tuple[str, datetime]], start: datetime, end: datetime
) -> list[tuple[str, datetime]]:
    """Cutoffs within the chart, cabinets at the same moment named together."""
    by_moment: dict[datetime, list[str]] = {}
    for name, moment in marks:
        names = by_moment.setdefault(moment, [])
        if start <= moment <= end and name not in names:
            names.append(name)
    return [
        (f"{', '.join(names)} {moment.astimezone(LOCAL):%H:%M}", moment)
        for moment, names in sorted(by_moment.items())
        if names
    ]
