"""Waves: pick work handed out from the desk at once.

The lead chooses orders waiting to be picked — ticked by hand, or by rules (marketplace,
cabinet, ship-by, zone, how many) — and the wave makes their picking units: a cart
(``PickBatch``, one tote per order, picked as in batch picking) of several orders within
the limits (orders per cart, lines, volume), one-line orders together on carts of their
own, or one order's task alone. An order is never split: its goods meet in one tote, so an
order bigger than a limit is a unit by itself. A wave is kept (``Wave``: who, when, the
rules as typed) so the live view can group the floor's work by it.

Units are assigned to pickers; the ТСД's «Следующее задание» (``picking.next_task``) gives
a picker what is assigned to them first, then the most urgent free work by ship-by, and
never what is assigned to someone else.

Taking work off a picker (unassign, re-assign) loses no picked unit: what was picked stays
counted on its task, and the cart with its totes goes on with the next picker, who picks
only what is left. Units scanned on a cart but not yet put into their tote were never taken
from the bin on the books, so they are simply not «in hand» any more. Cancelling a wave
frees what was not started (its carts dissolve, its orders go back to the common queue);
what is being picked at that moment stays with its picker, who finishes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, and_, func, not_, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from warehouse.errors import DomainError, NotFound
from warehouse.floor import batch_picking, picking
from warehouse.models import (
    MARKETPLACES,
    Location,
    MarketplaceAccount,
    Order,
    PickBatch,
    PickItem,
    PickTask,
    User,
    Warehouse,
    Wave,
    utcnow,
)
from warehouse.shipping.handovers import LOCAL

logger = logging.getLogger(__name__)

CART_SIZES = batch_picking.BATCH_SIZES  # orders on one cart (totes)
SINGLES_PER_CART = max(CART_SIZES)  # one-line orders go on the biggest carts
# orders whose task may join a wave: reserved, or being picked by nobody (taken off a picker)
WAVE_ORDER_STATUSES = ("reserved", "picking")
ACTIVE = ("open", "in_progress")


@dataclass(frozen=True)
class Rules:
    """What a wave takes and how it groups it. Empty fields narrow nothing."""

    warehouse_id: int | None = None
    marketplace: str = ""
    account_id: int | None = None
    ship_by_until: datetime | None = None  # aware; orders without ship-by are left out
    zone: str = ""  # every bin of the order in this zone (as a count's zone)
    orders: tuple[int, ...] = ()  # order ids ticked on the desk
    limit: int | None = None  # at most this many orders, most urgent first
    per_cart: int = 1  # orders on one cart; 1: each order is its own task
    max_lines: int | None = None  # pick lines on one cart
    max_volume_ml: int | None = None  # goods' volume on one cart (sizes from the catalogue)
    singles_together: bool = False  # one-line orders on carts of their own

    def as_json(self) -> dict[str, Any]:
        """As kept on the wave (ids and numbers; the moment in ISO)."""
        data = asdict(self)
        data["orders"] = list(self.orders)
        data["ship_by_until"] = self.ship_by_until.isoformat() if self.ship_by_until else None
        return {key: value for key, value in data.items() if value not in (None, "", [], False)}


def parse_rules(form: Mapping[str, str], orders: Iterable[str] = ()) -> Rules:
    """The desk's form as rules; a field that is not what it should be is refused naming it."""
    marketplace = form.get("marketplace", "").strip()
    if marketplace and marketplace not in MARKETPLACES:
        raise DomainError("wave_bad_field", field="marketplace")
    per_cart = _whole(form, "per_cart") or 1
    if per_cart != 1 and per_cart not in CART_SIZES:
        raise DomainError("wave_bad_cart", smallest=min(CART_SIZES), biggest=max(CART_SIZES))
    return Rules(
        warehouse_id=_whole(form, "warehouse_id"),
        marketplace=marketplace,
        account_id=_whole(form, "account_id"),
        ship_by_until=_moment(form, "ship_by_until"),
        zone=form.get("zone", "").strip()[:64],
        orders=tuple(_ids(orders)),
        limit=_whole(form, "limit"),
        per_cart=per_cart,
        max_lines=_whole(form, "max_lines"),
        max_volume_ml=_litres(form, "max_volume_l"),
        singles_together=form.get("singles_together", "") in ("1", "on", "yes"),
    )


def _whole(form: Mapping[str, str], name: str) -> int | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    if not text.isdecimal() or int(text) < 1 or len(text) > 9:
        raise DomainError("wave_bad_field", field=name)
    return int(text)


def _litres(form: Mapping[str, str], name: str) -> int | None:
    text = form.get(name, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        litres = Decimal(text)
    except InvalidOperation:
        raise DomainError("wave_bad_field", field=name) from None
    if not litres.is_finite() or litres <= 0 or litres > 100_000:
        raise DomainError("wave_bad_field", field=name)
    return int(litres * 1000)


def _moment(form: Mapping[str, str], name: str) -> datetime | None:
    """A datetime-local field, read as Moscow time (the marketplaces' and the cutoffs')."""
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError("wave_bad_field", field=name) from None
    return moment.replace(tzinfo=LOCAL) if moment.tzinfo is None else moment


def _ids(values: Iterable[str]) -> list[int]:
    found = []
    for value in values:
        if not value.strip().isdecimal() or len(value.strip()) > 18:
            raise DomainError("wave_bad_field", field="orders")
        found.append(int(value))
    return found


# --- which orders, and how they are grouped --------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A free pick task as planning sees it: its pick lines left and their volume."""

    task: PickTask
    lines: int
    volume_ml: int


def free_tasks(session: Session, rules: Rules) -> list[Candidate]:
    """Pick tasks nobody has, on no cart and in no wave, narrowed by the rules, most urgent
    first (ship-by, then the oldest)."""
    query = _free(rules).options(
        selectinload(PickTask.items).selectinload(PickItem.product),
        selectinload(PickTask.order).selectinload(Order.account),
    )
    return [_candidate(task) for task in session.scalars(query)]


def _free(rules: Rules) -> Select[tuple[PickTask]]:
    query = (
        select(PickTask)
        .join(Order, Order.id == PickTask.order_id)
        .join(MarketplaceAccount, MarketplaceAccount.id == Order.account_id)
        .where(
            PickTask.kind == "pick",
            PickTask.status == "open",
            PickTask.picker_id.is_(None),
            PickTask.batch_id.is_(None),
            PickTask.wave_id.is_(None),
            Order.status.in_(WAVE_ORDER_STATUSES),
        )
        .order_by(PickTask.ship_by.is_(None), PickTask.ship_by, PickTask.id)
    )
    if rules.warehouse_id is not None:
        query = query.where(PickTask.warehouse_id == rules.warehouse_id)
    if rules.marketplace:
        query = query.where(MarketplaceAccount.kind == rules.marketplace)
    if rules.account_id is not None:
        query = query.where(Order.account_id == rules.account_id)
    if rules.ship_by_until is not None:
        query = query.where(PickTask.ship_by <= rules.ship_by_until)
    if rules.zone:
        outside = PickItem.location.has(not_(in_zone(rules.zone)))
        query = query.where(not_(PickTask.items.any(outside)))
    if rules.orders:
        query = query.where(PickTask.order_id.in_(rules.orders))
    if rules.limit is not None:
        query = query.limit(rules.limit)
    return query


def in_zone(zone: str) -> ColumnElement[bool]:
    """A bin of the zone: its zone column, or — a bin with no zone set — the zone its code
    starts with (as a count of a zone reads it). The desk offers the zones as stored;
    typed in another case they match where the database lowers the letters (SQLite: Latin)."""
    like = zone.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    by_prefix = and_(
        Location.zone == "", func.upper(Location.code).like(f"{like.upper()}%", escape="\\")
    )
    named = or_(Location.zone == zone, func.lower(Location.zone) == zone.lower())
    return or_(named, by_prefix)


def _candidate(task: PickTask) -> Candidate:
    left = [item for item in task.items if item.remaining > 0]
    volume = sum(item.remaining * volume_ml(item) for item in left)
    return Candidate(task, len(left), volume)


def volume_ml(item: PickItem) -> int:
    """One unit's volume in millilitres (cm³) from the catalogue's sizes; 0 when unknown."""
    product = item.product
    sizes = (product.length_mm, product.width_mm, product.height_mm)
    if any(not size for size in sizes):
        return 0
    length, width, height = (int(size or 0) for size in sizes)
    return length * width * height // 1000


def plan(candidates: list[Candidate], rules: Rules) -> list[list[Candidate]]:
    """The picking units, most urgent first: carts filled in urgency order until the next
    order would pass a limit (orders per cart, lines, volume); one-line orders on carts of
    their own when asked. An order passing a limit alone is a unit by itself."""
    singles = [c for c in candidates if rules.singles_together and c.lines == 1]
    taken = {id(c) for c in singles}
    others = [c for c in candidates if id(c) not in taken]
    units = _fill(singles, SINGLES_PER_CART, rules) + _fill(others, rules.per_cart, rules)
    order = {id(c): n for n, c in enumerate(candidates)}
    return sorted(units, key=lambda unit: order[id(unit[0])])


def _fill(candidates: list[Candidate], size: int, rules: Rules) -> list[list[Candidate]]:
    units: list[list[Candidate]] = []
    unit: list[Candidate] = []
    for candidate in candidates:
        if unit and not _fits([*unit, candidate], size, rules):
            units.append(unit)
            unit = []
        unit.append(candidate)
    return [*units, unit] if unit else units


def _fits(unit: list[Candidate], size: int, rules: Rules) -> bool:
    lines = sum(c.lines for c in unit)
    volume = sum(c.volume_ml for c in unit)
    return (
        len(unit) <= size
        and (rules.max_lines is None or lines <= rules.max_lines)
        and (rules.max_volume_ml is None or volume <= rules.max_volume_ml)
    )


def build(session: Session, rules: Rules, user: User) -> Wave:
    """Make the wave: its carts and tasks, none assigned yet. Refused when nothing is free
    under the rules; a task taken meanwhile (another wave, a picker) refuses the whole
    wave, so the lead looks again rather than gets half of what was shown."""
    warehouse_id = rules.warehouse_id or _first_warehouse(session)
    rules = replace(rules, warehouse_id=warehouse_id)
    found = free_tasks(session, rules)
    if not found:
        raise DomainError("wave_nothing_to_build")
    wave = Wave(
        warehouse_id=warehouse_id, rules=rules.as_json(), orders=len(found), created_by_id=user.id
    )
    session.add(wave)
    session.flush()
    units = plan(found, rules)
    for unit in units:
        _take(session, wave, [c.task for c in unit])
    session.flush()
    logger.info(
        "wave built wave=%s orders=%s units=%s by user=%s rules=%s",
        wave.id,
        len(found),
        len(units),
        user.id,
        wave.rules,
    )
    return wave


def _first_warehouse(session: Session) -> int:
    found = session.scalar(
        select(Warehouse.id).where(Warehouse.active.is_(True)).order_by(Warehouse.id).limit(1)
    )
    if found is None:
        raise DomainError("wave_nothing_to_build")
    return found


def _take(session: Session, wave: Wave, tasks: list[PickTask]) -> None:
    """The unit's tasks into the wave (and onto a new cart when there are several), by a
    compare-and-set on them still being free."""
    cart = None
    if len(tasks) > 1:
        cart = PickBatch(warehouse_id=wave.warehouse_id, status="open", wave_id=wave.id)
        session.add(cart)
        session.flush()
    taken = session.execute(
        update(PickTask)
        .where(
            PickTask.id.in_([task.id for task in tasks]),
            PickTask.status == "open",
            PickTask.picker_id.is_(None),
            PickTask.batch_id.is_(None),
            PickTask.wave_id.is_(None),
        )
        .values(wave_id=wave.id, batch_id=cart.id if cart else None)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(taken, "rowcount", 0) != len(tasks):
        raise DomainError("wave_changed_meanwhile")


# --- assignment -------------------------------------------------------------------------------


def get(session: Session, wave_id: int) -> Wave:
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound("wave_not_found")
    return wave


def picker_of(session: Session, picker_id: int | None) -> User | None:
    """Whom work may be assigned to: an active person with a badge (they log in on the ТСД)."""
    if picker_id is None:
        return None
    user = session.get(User, picker_id)
    if user is None or not user.active or user.badge is None:
        raise DomainError("wave_not_a_picker")
    return user


@dataclass
class Assigned:
    """What an assignment changed: the unit (``kind`` batch or order, and its ``name``),
    and whether work in progress was taken off someone (with the units already picked)."""

    kind: str
    name: str
    picker: User | None
    was: User | None
    taken_off: bool = False
    picked: int = 0


def assign_task(session: Session, task_id: int, picker_id: int | None, by: User) -> Assigned:
    """A single task to a picker (``None``: to nobody, back to the free queue). A task being
    picked is taken off its picker: it is open again, its picked units stay counted."""
    task = session.scalar(select(PickTask).where(PickTask.id == task_id).with_for_update())
    if task is None:
        raise NotFound("task_not_found")
    if task.batch is not None and task.batch.status in ACTIVE:
        raise DomainError("wave_task_on_cart", cart=task.batch.id)
    if task.status not in ACTIVE:
        raise DomainError("wave_unit_closed", kind="order", name=_task_label(task))
    new = picker_of(session, picker_id)
    if new is task.picker:  # the same hands: nothing to take off anyone
        return Assigned("order", _task_label(task), new, new)
    was, taken_off = task.picker, task.status == "in_progress"
    _move_task(session, task, new)
    if taken_off:
        _release_items(session, [task])
    picked = _picked(task)
    logger.info(
        "task assigned task=%s picker=%s was=%s in_progress=%s picked=%s by user=%s",
        task.id,
        new and new.id,
        was and was.id,
        taken_off,
        picked,
        by.id,
    )
    return Assigned("order", _task_label(task), new, was, taken_off, picked)


def assign_cart(session: Session, batch_id: int, picker_id: int | None, by: User) -> Assigned:
    """A cart to a picker (``None``: to nobody). A cart being picked is taken off its picker
    whole: its orders are open again with their totes (goods already in a tote stay there),
    so the next picker starts the cart and picks what is left."""
    cart = session.scalar(select(PickBatch).where(PickBatch.id == batch_id).with_for_update())
    if cart is None:
        raise NotFound("batch_not_found")
    if cart.status not in ACTIVE:
        raise DomainError("wave_unit_closed", kind="batch", name=str(cart.id))
    new = picker_of(session, picker_id)
    if new is cart.picker:  # the same hands: nothing to take off anyone
        return Assigned("batch", str(cart.id), new, new)
    was, taken_off = cart.picker, cart.status == "in_progress"
    moved = session.execute(
        update(PickBatch)
        .where(PickBatch.id == cart.id, PickBatch.status == cart.status, _is(PickBatch, was))
        .values(status="open", picker_id=new.id if new else None)
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(moved, "rowcount", 0):
        raise DomainError("wave_changed_meanwhile")
    tasks = [task for task in cart.tasks if task.status in ACTIVE]
    for task in tasks:
        _move_task(session, task, new)
    if taken_off:
        _release_items(session, cart.tasks)
    picked = sum(_picked(task) for task in tasks)
    logger.info(
        "cart assigned batch=%s picker=%s was=%s in_progress=%s picked=%s by user=%s",
        cart.id,
        new and new.id,
        was and was.id,
        taken_off,
        picked,
        by.id,
    )
    return Assigned("batch", str(cart.id), new, was, taken_off, picked)


def _is(model: type[PickBatch] | type[PickTask], user: User | None) -> ColumnElement[bool]:
    return model.picker_id.is_(None) if user is None else model.picker_id == user.id


def _move_task(session: Session, task: PickTask, new: User | None) -> None:
    """Compare-and-set on what the desk saw: open for ``new``; a start at the same moment
    on the ТСД (or another desk) wins, and this refuses."""
    moved = session.execute(
        update(PickTask)
        .where(
            PickTask.id == task.id,
            PickTask.status == task.status,
            _is(PickTask, task.picker),
        )
        .values(
            status="open",
            picker_id=new.id if new else None,
            started_at=task.started_at if task.status == "open" else None,
        )
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(moved, "rowcount", 0):
        raise DomainError("wave_changed_meanwhile")
    session.refresh(task)


def _release_items(session: Session, tasks: list[PickTask]) -> None:
    """Work taken off a picker: the next one scans each bin again; units «in hand» (scanned,
    not yet in a tote: never taken from the bin on the books) are not in anyone's hand now;
    a tote with nothing picked into it is free again, one with goods stays on its order."""
    for task in tasks:
        for item in task.items:
            item.in_hand = 0
            if item.remaining > 0:
                item.bin_confirmed = False
        if task.status != "open":
            continue
        if not _picked(task):
            task.tote = None
            if task.kind == "pick" and task.order.status == "picking":
                task.order.status = "reserved"
    session.flush()


def _picked(task: PickTask) -> int:
    return sum(item.picked for item in task.items)


def assign_wave(session: Session, wave_id: int, picker_id: int | None, by: User) -> int:
    """Every unit of the wave nobody has started yet, to one picker (or to nobody); work in
    progress stays with whoever picks it. Returns how many units changed hands."""
    wave = get(session, wave_id)
    if wave.status != "open":
        raise DomainError("wave_cancelled", wave=wave.id)
    new = picker_of(session, picker_id)
    new_id = new.id if new else None
    changed = 0
    for unit in units_of(wave):
        if unit.status != "open" or unit.picker is new:
            continue
        if unit.cart is not None:
            assign_cart(session, unit.cart.id, new_id, by)
        else:
            assign_task(session, unit.tasks[0].id, new_id, by)
        changed += 1
    logger.info(
        "wave assigned wave=%s picker=%s units=%s by user=%s", wave.id, new_id, changed, by.id
    )
    return changed


@dataclass
class Cancelled:
    freed: int  # orders back in the common queue
    picking: int  # orders being picked right now: their pickers finish them


def cancel(session: Session, wave_id: int, by: User) -> Cancelled:
    """Cancel the wave: every order not started goes back to the common queue (assignment
    dropped, its cart dissolved); orders being picked stay with their pickers, who finish
    them — no picked unit is undone. Kept with who and when, and logged."""
    wave = session.scalar(select(Wave).where(Wave.id == wave_id).with_for_update())
    if wave is None:
        raise NotFound("wave_not_found")
    if wave.status != "open":
        raise DomainError("wave_cancelled", wave=wave.id)
    freed_carts = sum(_dissolve(session, cart) for cart in wave.batches)
    freed = session.execute(
        update(PickTask)
        .where(PickTask.wave_id == wave.id, PickTask.status == "open", PickTask.batch_id.is_(None))
        .values(wave_id=None, picker_id=None)
        .execution_options(synchronize_session="fetch")
    )
    picking_now = session.scalar(
        select(func.count())
        .select_from(PickTask)
        .where(PickTask.wave_id == wave.id, PickTask.status == "in_progress")
    )
    wave.status, wave.cancelled_by_id, wave.cancelled_at = "cancelled", by.id, utcnow()
    session.flush()
    result = Cancelled(freed_carts + getattr(freed, "rowcount", 0), int(picking_now or 0))
    logger.warning(
        "wave cancelled wave=%s freed=%s still_picking=%s by user=%s",
        wave.id,
        result.freed,
        result.picking,
        by.id,
    )
    return result


def _dissolve(session: Session, cart: PickBatch) -> int:
    """A cart of the cancelled wave nobody is picking: its open orders leave it (each a task
    of its own again in the common queue; a tote holding goods stays on its order), those
    already picked on it stay as the wave's history, and it is kept as cancelled. Returns
    how many orders were freed."""
    closed = session.execute(
        update(PickBatch)
        .where(PickBatch.id == cart.id, PickBatch.status == "open")
        .values(status="cancelled", picker_id=None)
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(closed, "rowcount", 0):
        return 0  # being picked, or long done: its picker goes on
    freed = session.execute(
        update(PickTask)
        .where(PickTask.batch_id == cart.id, PickTask.status == "open")
        .values(batch_id=None, wave_id=None, picker_id=None)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(freed, "rowcount", 0))


# --- what the desk shows ----------------------------------------------------------------------


@dataclass
class Unit:
    """One picking unit of a wave: a cart of orders, or one order's task."""

    cart: PickBatch | None
    tasks: list[PickTask] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The cart's or the task's; a cart not started whose orders were all cancelled (or
        finished) meanwhile has nothing left to give anyone."""
        if self.cart is None:
            return self.tasks[0].status
        if self.cart.status == "open" and not any(t.status in ACTIVE for t in self.tasks):
            return "done" if any(t.status == "done" for t in self.tasks) else "cancelled"
        return self.cart.status

    @property
    def picker(self) -> User | None:
        return self.cart.picker if self.cart is not None else self.tasks[0].picker

    @property
    def state(self) -> str:
        """free, assigned, picking, done or cancelled: what the desk says of it."""
        if self.status == "open":
            return "assigned" if self.picker is not None else "free"
        return {"in_progress": "picking"}.get(self.status, self.status)

    @property
    def kind(self) -> str:
        return "batch" if self.cart is not None else "order"

    @property
    def name(self) -> str:
        return str(self.cart.id) if self.cart is not None else _task_label(self.tasks[0])

    @property
    def lines(self) -> int:
        return sum(len(task.items) for task in self.tasks)

    @property
    def lines_done(self) -> int:
        return sum(1 for task in self.tasks for item in task.items if item.remaining <= 0)

    @property
    def picked(self) -> int:
        return sum(_picked(task) for task in self.tasks)

    @property
    def bin(self) -> str:
        """Where its picker stands: the bin of the current step (while it is picked)."""
        if self.status != "in_progress":
            return ""
        if self.cart is not None:
            item = batch_picking.current_item(self.cart)
        else:
            item = picking.current_item(self.tasks[0])
        return item.location.code if item is not None else ""

    @property
    def ship_by(self) -> datetime | None:
        moments = [task.ship_by for task in self.tasks if task.ship_by is not None]
        return min(moments) if moments else None


def units_of(wave: Wave) -> list[Unit]:
    """The wave's carts (not the cancelled) and its tasks on no cart, most urgent first."""
    units = [Unit(cart, list(cart.tasks)) for cart in wave.batches if cart.status != "cancelled"]
    units += [Unit(None, [task]) for task in wave.tasks if task.batch_id is None]
    return sorted(units, key=_urgency)


def _urgency(unit: Unit) -> tuple[bool, datetime, int]:
    ship_by = unit.ship_by
    first = unit.cart.id if unit.cart is not None else unit.tasks[0].id
    return (ship_by is None, ship_by or datetime.max.replace(tzinfo=LOCAL), first)


def state(wave: Wave) -> str:
    """«waiting», «picking», «done» or «cancelled»: read from its tasks, never stored."""
    statuses = {task.status for task in wave.tasks}
    if wave.status == "cancelled":
        return "cancelled"
    if statuses <= {"done", "cancelled"}:
        return "done"
    if statuses & {"in_progress", "done"}:
        return "picking"
    return "waiting"


def progress(wave: Wave) -> tuple[int, int]:
    """Pick lines done (picked or reported short) of all its lines."""
    items = [item for task in wave.tasks for item in task.items]
    return sum(1 for item in items if item.remaining <= 0), len(items)


def waves(session: Session, limit: int = 50) -> list[Wave]:
    """The newest waves first."""
    return list(session.scalars(select(Wave).order_by(Wave.id.desc()).limit(limit)))


def zones(session: Session) -> list[str]:
    """Zones to choose from: the bins' zones, and the first part of codes of bins without one."""
    named = session.scalars(select(Location.zone).where(Location.zone != "").distinct())
    codes = session.scalars(select(Location.code).where(Location.zone == ""))
    prefixes = {code.split("-", 1)[0] for code in codes if "-" in code}
    return sorted(set(named) | prefixes)


def _task_label(task: PickTask) -> str:
    return f"{task.order.account.kind.upper()} {task.order.external_id}"
