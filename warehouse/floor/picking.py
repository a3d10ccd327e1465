"""Picking: tasks built from reservations, and every scan checked against them.

A scan is answered once: its client scan id is stored with the result, and a
resent scan (the network dropped the answer) gets the stored result back
without being counted again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from warehouse.errors import DomainError, NotFound
from warehouse.floor import marking
from warehouse.models import (
    Location,
    MarkingCode,
    Order,
    OrderLine,
    PickBatch,
    PickItem,
    PickTask,
    Product,
    ProductBarcode,
    Reservation,
    ScanEvent,
    Someone,
    Stock,
    User,
    Warehouse,
    utcnow,
)
from warehouse.models.work import SCAN_ID_LENGTH
from warehouse.stock import inventory, receiving, stock_sync

logger = logging.getLogger(__name__)


# A pick task as a scan sees it: read in one plain SQL query (no ORM objects: loading a
# task with its items, products, barcodes and bins through the ORM cost a scan more CPU
# than all its statements together). The names are the models' own, so ``judge`` and the
# answer's templates read a task the same way whether it came from here or from the ORM
# (a batch's tasks). Only what a scan changes is written back, by UPDATEs of its own.


@dataclass
class OrderSeen:
    external_id: str
    status: str


@dataclass
class BinSeen:
    id: int
    code: str
    barcode: str


@dataclass
class BarcodeSeen:
    barcode: str
    quantity: int


@dataclass
class ProductSeen:
    id: int
    name: str
    needs_marking: bool
    barcodes: list[BarcodeSeen]


@dataclass
class ItemSeen:
    id: int
    line_id: int
    product_id: int
    location_id: int
    quantity: int
    picked: int
    short: int
    in_hand: int
    bin_confirmed: bool
    product: ProductSeen
    location: BinSeen

    @property
    def remaining(self) -> int:
        return self.quantity - self.picked - self.short


@dataclass
class TaskSeen:
    id: int
    kind: str
    status: str
    picker_id: int | None
    picker: Someone | None  # the person scanning, when the task is theirs
    warehouse_id: int
    in_batch: bool  # picked in a batch in progress: its units go into the order's tote
    order: OrderSeen
    items: list[ItemSeen]


TaskLike = PickTask | TaskSeen
ItemLike = PickItem | ItemSeen


@dataclass
class ScanResult:
    ok: bool
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    task_done: bool = False
    replayed: bool = False
    # the task as this scan left it, for the answer (None when replayed or not a task's)
    task: TaskLike | None = field(default=None, compare=False, repr=False)


# takes ``quantity`` units of the item for the task once a scan is judged right
Counter = Callable[[Session, TaskLike, ItemLike, int], ScanResult]


def create_tasks(session: Session, orders: Sequence[Order]) -> None:
    """One pick task for each reserved order, its items (one per reservation) in the
    bins' walk order: a page of imported orders in three statements, not through the
    ORM (its unit of work cost an import more than every other step)."""
    if not orders:
        return
    lines = {line.id: order.id for order in orders for line in order.lines}
    takes: dict[int, list[dict[str, Any]]] = {}
    for row in session.connection().execute(_RESERVED, {"lines": list(lines)}):
        takes.setdefault(lines[row.line_id], []).append(row._asdict())
    connection = session.connection()
    stored = connection.execute(
        _NEW_TASK,
        [
            {
                "warehouse_id": order.account.warehouse_id,
                "order_id": order.id,
                "ship_by": order.ship_by,
            }
            for order in orders
        ],
    )
    task_of = {order_id: task_id for task_id, order_id in stored}
    items = [
        {**take, "task_id": task_of[order.id]}
        for order in orders
        for take in sorted(takes.get(order.id, []), key=lambda take: take["walk_order"])
    ]
    if items:
        connection.execute(insert(PickItem), items)


def add_task(session: Session, order: Order, items: list[PickItem]) -> PickTask:
    task = PickTask(warehouse_id=order.account.warehouse_id, order=order, ship_by=order.ship_by)
    task.items = sorted(items, key=lambda item: item.walk_order)
    session.add(task)
    session.flush()
    return task


def cancel_tasks(session: Session, order: Order) -> PickTask | None:
    """The order was cancelled: stop its picking; picked goods get a put-back task, to the
    bins they came from (a bin switched off since: the receiving area, see ``_back_to``)."""
    tasks = session.scalars(
        select(PickTask).where(PickTask.order_id == order.id, PickTask.kind == "pick")
    )
    picked = [item for task in tasks for item in _stop(task) if item.picked]
    if not picked:
        return None
    putback = PickTask(
        kind="putback",
        warehouse_id=picked[0].task.warehouse_id,
        order=order,
        items=[_put_back(session, item) for item in sorted(picked, key=lambda i: i.walk_order)],
    )
    session.add(putback)
    session.flush()
    logger.info("putback task created task=%s order=%s", putback.id, order.id)
    return putback


def _put_back(session: Session, item: PickItem) -> PickItem:
    """The put-back of a picked item: to its bin, unless the bin was switched off in the
    catalogue since — a picker is never sent to such a bin, so the goods go to the
    receiving area and put-away finds them a bin as for a delivery."""
    target = item.location
    if not target.active:
        warehouse = session.get_one(Warehouse, item.task.warehouse_id)
        target = receiving.receiving_bin(session, warehouse)
    return PickItem(
        line_id=item.line_id,
        product_id=item.product_id,
        location_id=target.id,
        quantity=item.picked,
        walk_order=target.walk_order,
    )


def forget_marking_codes(session: Session, order: Order) -> None:
    """A cancelled order's units go back to the shelf: their codes may be sold again."""
    line_ids = [line.id for line in order.lines]
    session.execute(delete(MarkingCode).where(MarkingCode.line_id.in_(line_ids)))


def marking_codes(session: Session, order: Order) -> dict[int, list[str]]:
    """Codes captured for each line of the order (full codes with GS separators)."""
    rows = session.execute(
        select(MarkingCode.line_id, MarkingCode.code)
        .where(MarkingCode.line_id.in_([line.id for line in order.lines]))
        .order_by(MarkingCode.id)
    )
    codes: dict[int, list[str]] = {}
    for line_id, code in rows:
        codes.setdefault(line_id, []).append(code)
    return codes


def _stop(task: PickTask) -> list[PickItem]:
    if task.status in ("open", "in_progress"):
        task.status = "cancelled"
        task.finished_at = utcnow()
    return list(task.items)


def open_tasks(session: Session, user: User) -> list[PickTask]:
    """The picker's own tasks (in progress, then assigned), then free ones, most urgent first."""
    mine = select(PickTask).where(
        PickTask.status.in_(("in_progress", "open")), PickTask.picker_id == user.id
    )
    free = select(PickTask).where(PickTask.status == "open", PickTask.picker_id.is_(None))
    urgent = (PickTask.ship_by.is_(None), PickTask.ship_by, PickTask.id)
    own = session.scalars(mine.order_by(PickTask.status.desc(), *urgent))
    return list(own) + list(session.scalars(free.order_by(*urgent).limit(50)))


def next_task(session: Session, user: User) -> PickTask | None:
    """«Следующее задание»: own in progress, else assigned to me, else the most urgent free one.

    Taken under a row lock, so two pickers pressing at once get different tasks.
    """
    for candidate in open_tasks(session, user):
        try:
            return start_task(session, candidate.id, user)
        except DomainError:  # someone else took it a moment ago
            continue
    return None


def start_task(session: Session, task_id: int, user: User) -> PickTask:
    """Take a task; two pickers can never hold the same one. A task on a wave's cart not
    started yet starts the whole cart (its orders are picked together, tote by tote)."""
    task = session.scalar(select(PickTask).where(PickTask.id == task_id).with_for_update())
    if task is None:
        raise NotFound("task_not_found")
    if task.status == "in_progress" and task.picker_id == user.id:
        return task
    if task.status == "open" and task.picker_id not in (None, user.id):
        raise DomainError("task_taken")  # assigned to someone else
    if task.status != "open":
        raise DomainError("task_taken" if task.status == "in_progress" else "task_closed")
    if task.batch is not None and task.batch.status == "open":
        _start_cart(session, task.batch, user)
        return task
    if not _claim(session, task, user):
        raise DomainError("task_taken")
    if task.kind == "pick":
        task.order.status = "picking"
    session.flush()
    logger.info("task started task=%s picker=%s", task.id, user.id)
    return task


def _claim(session: Session, task: PickTask, user: User) -> bool:
    """Compare-and-set: only an open task free for this picker is taken. SQLite ignores
    FOR UPDATE, so the row lock alone would let two pickers take one task there."""
    claimed = session.execute(
        update(PickTask)
        .where(
            PickTask.id == task.id,
            PickTask.status == "open",
            or_(PickTask.picker_id.is_(None), PickTask.picker_id == user.id),
        )
        .values(status="in_progress", picker_id=user.id, started_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(claimed, "rowcount", 0))


def _start_cart(session: Session, batch: PickBatch, user: User) -> None:
    """Compare-and-set on the cart, then every order still open on it is this picker's
    (one UPDATE: a cart is started whole or not at all)."""
    claimed = session.execute(
        update(PickBatch)
        .where(
            PickBatch.id == batch.id,
            PickBatch.status == "open",
            or_(PickBatch.picker_id.is_(None), PickBatch.picker_id == user.id),
        )
        .values(status="in_progress", picker_id=user.id)
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(claimed, "rowcount", 0):
        raise DomainError("task_taken")
    session.execute(
        update(PickTask)
        .where(PickTask.batch_id == batch.id, PickTask.status == "open")
        .values(status="in_progress", picker_id=user.id, started_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    for task in batch.tasks:
        if task.status == "in_progress" and task.kind == "pick":
            task.order.status = "picking"
    session.flush()
    logger.info("cart started batch=%s picker=%s", batch.id, user.id)


# A task with what its pages read: items, their products (with barcodes) and bins.
TASK_LOADED = (
    joinedload(PickTask.items).joinedload(PickItem.product).joinedload(Product.barcodes),
    joinedload(PickTask.items).joinedload(PickItem.location),
)


# The scan's statements are built once: a statement object keeps its cache key, so a scan
# does not pay for composing and keying them again (SQLAlchemy's cost, not the database's).
# The task as a scan sees it (a row per item and barcode of its product) with the answer
# already given to this scan id in this scope.
_SEEN = (
    select(
        PickTask.kind,
        PickTask.status,
        PickTask.picker_id,
        PickTask.warehouse_id,
        PickBatch.status.label("batch_status"),
        Order.external_id.label("order_number"),
        Order.status.label("order_status"),
        PickItem.id.label("item_id"),
        PickItem.line_id,
        PickItem.product_id,
        PickItem.location_id,
        PickItem.quantity,
        PickItem.picked,
        PickItem.short,
        PickItem.in_hand,
        PickItem.bin_confirmed,
        Product.name.label("product_name"),
        Product.needs_marking,
        Location.code.label("bin_code"),
        Location.barcode.label("bin_barcode"),
        ProductBarcode.barcode,
        ProductBarcode.quantity.label("barcode_units"),
        ScanEvent.ok.label("answer_ok"),
        ScanEvent.code.label("answer_code"),
        ScanEvent.details.label("answer_details"),
    )
    .select_from(PickTask)
    .join(Order, Order.id == PickTask.order_id)
    .outerjoin(PickBatch, PickBatch.id == PickTask.batch_id)
    .outerjoin(PickItem, PickItem.task_id == PickTask.id)
    .outerjoin(Product, Product.id == PickItem.product_id)
    .outerjoin(Location, Location.id == PickItem.location_id)
    .outerjoin(ProductBarcode, ProductBarcode.product_id == Product.id)
    .outerjoin(
        ScanEvent,
        and_(ScanEvent.scope == bindparam("scope"), ScanEvent.scan_id == bindparam("scan_id")),
    )
    .where(PickTask.id == bindparam("task_id"))
    .order_by(PickItem.walk_order, PickItem.id, ProductBarcode.id)
)
# What each reserved line is taken from, for its task's items (create_tasks)
_RESERVED = (
    select(
        Reservation.line_id,
        Stock.product_id,
        Stock.location_id,
        Reservation.quantity,
        Location.walk_order,
    )
    .join(Stock, Stock.id == Reservation.stock_id)
    .join(Location, Location.id == Stock.location_id)
    .where(Reservation.line_id.in_(bindparam("lines", expanding=True)))
    .order_by(Reservation.id)
)
# the new tasks' ids by their order (one each): matched by value, so the page goes in
# batched INSERTs (asked for RETURNING in order, SQLAlchemy inserts SQLite rows one by one)
_NEW_TASK = insert(PickTask).returning(PickTask.id, PickTask.order_id)
# Units counted where they still fit; the new count, nothing when they do not.
_COUNT = (
    update(PickItem)
    .where(
        PickItem.id == bindparam("item"),
        PickItem.picked + PickItem.short + PickItem.in_hand + bindparam("units")
        <= PickItem.quantity,
    )
    .values(picked=PickItem.picked + bindparam("units"))
    .returning(PickItem.picked)
    .execution_options(synchronize_session=False)
)
_CONFIRM_BIN = (
    update(PickItem)
    .where(PickItem.id == bindparam("item"))
    .values(bin_confirmed=True)
    .execution_options(synchronize_session=False)
)
_ITEM_COUNTS = select(PickItem.picked, PickItem.short, PickItem.in_hand).where(
    PickItem.id == bindparam("item")
)
_INSERT_SCAN = insert(ScanEvent)


def task_for(session: Session, task_id: int, user: Someone) -> PickTask:
    task = session.get(PickTask, task_id, options=TASK_LOADED)
    return _own(task, user)


def _own(task: PickTask | None, user: Someone) -> PickTask:
    if task is None or (task.picker_id not in (None, user.id)):
        raise NotFound("task_not_found")
    return task


def why_stopped(task: PickTask) -> tuple[str, dict[str, Any]]:
    """What the picker of a cancelled task is told, and what to do next."""
    picked = any(item.picked for item in task.items)
    code = "order_cancelled_putback" if picked else "order_cancelled_next"
    return code, {"order": task.order.external_id}


def current_item(task: TaskLike) -> Any:
    """The task's first item with units left (a ``PickItem`` of a ``PickTask``, an
    ``ItemSeen`` of a ``TaskSeen``), None when all are picked or reported short."""
    return next((item for item in task.items if item.remaining > 0), None)


def record_scan(
    session: Session,
    task_id: int,
    barcode: str,
    scan_id: str,
    user: Someone,
    *,
    require_bin: bool = True,
) -> ScanResult:
    """Check one scan against the task, count it if right, and remember the answer.

    ``require_bin``: the bin must be scanned before its goods (a warehouse setting).
    """
    scope = scan_scope(user, "task", task_id)
    check_scan_id(scan_id)
    # the task and the answer already given to this scan id, in one query
    asked = {"scope": scope, "scan_id": scan_id, "task_id": task_id}
    session.flush()  # a caller's pending changes first, as an ORM query would
    rows = session.connection().execute(_SEEN, asked).all()
    if rows and rows[0].answer_code is not None:
        first = rows[0]
        return _answer_of(first.answer_ok, first.answer_code, first.answer_details)
    task = _seen(task_id, rows, user)
    item = current_item(task)
    confirmed = item is not None and item.bin_confirmed
    if item is not None and not require_bin:
        item.bin_confirmed = True
    if task.in_batch:
        result = ScanResult(False, "task_in_batch")  # its units must go into the order's tote
    else:
        result = judge(session, task, barcode.strip())
    if item is not None and item.bin_confirmed and not confirmed:  # kept for the next scans
        session.connection().execute(_CONFIRM_BIN, {"item": item.id})
    _expire_loaded(session, task)
    store_scan(session, scope, scan_id, barcode, user, result, task=task, item=item)
    result.task = task
    return result


def _seen(task_id: int, rows: Sequence[Any], user: Someone) -> TaskSeen:
    """The task of ``_SEEN``'s rows; not found when there is none or it is someone else's."""
    if not rows or rows[0].picker_id not in (None, user.id):
        raise NotFound("task_not_found")
    items: dict[int, ItemSeen] = {}
    for row in rows:
        if row.item_id is None:  # a task without items
            continue
        item = items.get(row.item_id)
        if item is None:
            item = items[row.item_id] = ItemSeen(
                id=row.item_id,
                line_id=row.line_id,
                product_id=row.product_id,
                location_id=row.location_id,
                quantity=row.quantity,
                picked=row.picked,
                short=row.short,
                in_hand=row.in_hand,
                bin_confirmed=row.bin_confirmed,
                product=ProductSeen(row.product_id, row.product_name, row.needs_marking, []),
                location=BinSeen(row.location_id, row.bin_code, row.bin_barcode),
            )
        if row.barcode is not None:
            item.product.barcodes.append(BarcodeSeen(row.barcode, row.barcode_units))
    first = rows[0]
    return TaskSeen(
        id=task_id,
        kind=first.kind,
        status=first.status,
        picker_id=first.picker_id,
        picker=user if first.picker_id == user.id else None,
        warehouse_id=first.warehouse_id,
        in_batch=first.batch_status == "in_progress",
        order=OrderSeen(first.order_number, first.order_status),
        items=list(items.values()),
    )


def _expire_loaded(session: Session, task: TaskSeen) -> None:
    """Items of the task this session holds as ORM objects (a caller's, not a request's)
    are read again on their next use: the scan changed their rows by plain SQL."""
    for item in task.items:
        loaded = session.identity_map.get(identity_key(PickItem, item.id))
        if loaded is not None:
            session.expire(loaded)


def scan_scope(user: Someone, kind: str, target_id: int) -> str:
    """Where a client's scan id is unique: this user's scans on this task (batch, pack)."""
    return f"{user.id}:{kind}:{target_id}"


def check_scan_id(scan_id: str) -> None:
    """A scan id is the client's UUID: one that does not fit is refused, never cut."""
    if not scan_id or len(scan_id) > SCAN_ID_LENGTH:
        raise DomainError("bad_scan_id")


def store_scan(
    session: Session,
    scope: str,
    scan_id: str,
    barcode: str,
    user: Someone,
    result: ScanResult,
    *,
    task: TaskLike | None,
    item: ItemLike | None,
) -> ScanResult:
    """Remember the answer under the client's scan id (a resent scan gets it back): the
    pending changes are flushed first, then the row is inserted as one statement."""
    session.flush()
    session.connection().execute(
        _INSERT_SCAN,
        {
            "scope": scope,
            "scan_id": scan_id,
            "task_id": task.id if task else None,
            "user_id": user.id,
            "item_id": item.id if item else None,
            "barcode": barcode[:300],
            "ok": result.ok,
            "code": result.code,
            "message": f"{result.code} {result.params}"[:500],
            "details": {"params": result.params, "task_done": result.task_done},
        },
    )
    logger.info(
        "scan task=%s scan=%s ok=%s code=%s", task and task.id, scan_id, result.ok, result.code
    )
    return result


def stored_result(session: Session, scope: str, scan_id: str) -> ScanResult | None:
    """The answer already given to this scan id in this scope; refuses an id that cannot be one."""
    check_scan_id(scan_id)
    event = session.scalar(
        select(ScanEvent).where(ScanEvent.scope == scope, ScanEvent.scan_id == scan_id)
    )
    return None if event is None else _answer_of(event.ok, event.code, event.details)


def _answer_of(ok: bool, code: str, details: dict[str, Any]) -> ScanResult:
    return ScanResult(
        ok=ok,
        code=code,
        params=details.get("params", {}),
        task_done=details.get("task_done", False),
        replayed=True,
    )


def judge(
    session: Session, task: TaskLike, barcode: str, count: Counter | None = None
) -> ScanResult:
    """The scan against the task's current item; ``count`` takes the units if they are right."""
    if task.status == "cancelled":
        return ScanResult(False, "order_cancelled", {"order": task.order.external_id})
    if task.status == "open":  # the supervisor took it off this picker meanwhile
        return ScanResult(False, "task_taken_off", {"order": task.order.external_id})
    if task.status != "in_progress":
        return ScanResult(False, "task_not_in_progress")
    item: ItemLike | None = current_item(task)
    if item is None:
        return ScanResult(False, "task_already_done")
    if not barcode:
        return ScanResult(False, "empty_scan")
    if barcode == item.location.barcode:  # the right bin: no lookup needed
        return _judge_bin(item, item.location)
    product: Product | ProductSeen
    quantity = _own_barcode(item, barcode)  # the right product: no lookup either
    if quantity is not None:
        product = item.product
    else:
        location = session.scalar(select(Location).where(Location.barcode == barcode))
        if location is not None:
            return _judge_bin(item, location)
        if marking.looks_like_marking(barcode):
            return _judge_marking(session, task, item, barcode, count or count_picked)
        match = inventory.product_by_barcode(session, barcode)
        if match is None:
            return _unknown(session, task, barcode)
        product, quantity = match.product, match.quantity
    refused = _refuse_product(item, product)
    if refused is not None:
        return refused
    if product.needs_marking and task.kind == "pick":
        return ScanResult(False, "marking_required", {"product": product.name})
    if quantity > item.remaining:
        return ScanResult(False, "over_pick", {"remaining": item.remaining, "scanned": quantity})
    return (count or count_picked)(session, task, item, quantity)


def _own_barcode(item: ItemLike, barcode: str) -> int | None:
    """The units of one of the item's own product barcodes, exactly as stored (the loaded
    product's); anything else is looked up (another product, a GTIN form, a marking code,
    a bin)."""
    if marking.looks_like_marking(barcode):
        return None
    return next((own.quantity for own in item.product.barcodes if own.barcode == barcode), None)


def _unknown(session: Session, task: TaskLike, barcode: str) -> ScanResult:
    """An unknown code; a bin's name typed by hand (``B-01-01`` for ``LOC-B-01-01``) is
    refused with the barcode to scan: the bin's name is on the screen, so only the scan of
    its own barcode shows the picker stands at it."""
    location = session.scalar(
        select(Location).where(
            Location.warehouse_id == task.warehouse_id,
            func.upper(Location.code) == barcode.upper(),
        )
    )
    if location is not None:
        params = {"bin": location.code, "barcode": location.barcode}
        return ScanResult(False, "bin_code_typed", params)
    return ScanResult(False, "unknown_barcode", {"barcode": barcode})


def _refuse_product(item: ItemLike, product: Product | ProductSeen) -> ScanResult | None:
    """Wrong product, or the bin not scanned yet; None when the unit may be counted."""
    if product.id != item.product_id:
        params = {"scanned": product.name, "expected": item.product.name}
        return ScanResult(False, "wrong_product", params)
    if not item.bin_confirmed:
        return ScanResult(False, "scan_bin_first", {"bin": item.location.code})
    return None


def _judge_marking(
    session: Session, task: TaskLike, item: ItemLike, raw: str, count: Counter
) -> ScanResult:
    """A Честный знак DataMatrix: one unit, its code kept (and never used twice)."""
    try:
        code = marking.parse(raw)
    except marking.MalformedCode as exc:
        return ScanResult(False, "marking_malformed", {"reason": exc.reason})
    product = inventory.product_by_gtin(session, code.gtin)
    if product is None:
        return ScanResult(False, "marking_unknown_gtin", {"gtin": code.gtin})
    refused = _refuse_product(item, product)
    if refused is not None:
        return refused
    if product.needs_marking and task.kind == "pick":
        try:
            marking.require_crypto(code)
        except marking.MalformedCode as exc:
            return ScanResult(False, "marking_malformed", {"reason": exc.reason})
        used = session.scalar(
            select(MarkingCode).where(
                MarkingCode.gtin == code.gtin, MarkingCode.serial == code.serial
            )
        )
        if used is not None:
            order = session.get_one(OrderLine, used.line_id).order
            return ScanResult(False, "marking_used", {"order": order.external_id})
        captured = MarkingCode(
            line_id=item.line_id,
            item_id=item.id,
            gtin=code.gtin,
            serial=code.serial,
            code=code.full,
        )
        session.add(captured)
        session.flush()  # its UNIQUE (gtin, serial) guards a code scanned twice at once
        counted = count(session, task, item, 1)
        if not counted.ok:  # the unit was not taken: its code is not this order's
            session.delete(captured)
        return counted
    return count(session, task, item, 1)


def _judge_bin(item: ItemLike, location: Location | BinSeen) -> ScanResult:
    if location.id != item.location_id:
        return ScanResult(
            False, "wrong_bin", {"scanned": location.code, "expected": item.location.code}
        )
    item.bin_confirmed = True
    return ScanResult(True, "bin_ok", {"bin": location.code, "product": item.product.name})


def count_picked(session: Session, task: TaskLike, item: ItemLike, quantity: int) -> ScanResult:
    """Units go to the order: taken from the bin; the task is done when its items are.

    Counted in SQL (``picked = picked + n`` where it still fits), so scans of one item
    arriving at once are each counted or refused, never lost."""
    picked = session.connection().execute(_COUNT, {"item": item.id, "units": quantity}).scalar()
    if picked is None:
        counts = session.connection().execute(_ITEM_COUNTS, {"item": item.id}).one()
        _settle(item, picked=counts.picked, short=counts.short, in_hand=counts.in_hand)
        if item.remaining <= 0:
            return ScanResult(False, "item_already_picked", {"product": item.product.name})
        return ScanResult(False, "over_pick", {"remaining": item.remaining, "scanned": quantity})
    _settle(item, picked=picked)
    document, user = f"task:{task.id}", task.picker
    if task.kind == "putback":
        stock = inventory.stock_of(session, item.product_id, item.location_id)
        inventory.return_to_bin(session, stock, quantity, document=document, user=user)
        stock_sync.changed(session, [item.product_id])
    else:
        inventory.take_from_bin(
            session, item.product_id, item.location_id, quantity, document=document, user=user
        )
    params = {"product": item.product.name, "picked": item.picked, "quantity": item.quantity}
    if current_item(task) is None:
        if isinstance(task, TaskSeen):  # the order's status changes through its model
            done = session.get_one(PickTask, task.id)
            finish(done)
            task.status, task.order.status = done.status, done.order.status
        else:
            finish(task)
        return ScanResult(True, "task_done", params, task_done=True)
    return ScanResult(True, "picked", params)


def _settle(item: ItemLike, **counted: int) -> None:
    """What SQL counted, on the item in hand without reading it back (an ORM item keeps
    it as loaded, not as a change to flush)."""
    for name, value in counted.items():
        if isinstance(item, PickItem):
            set_committed_value(item, name, value)
        else:
            setattr(item, name, value)


def finish(task: PickTask) -> None:
    """All items are picked or reported short: the order is picked, or waits for stock."""
    task.status = "done"
    task.finished_at = utcnow()
    if task.kind == "pick":
        shortages = any(item.short for item in task.items)
        task.order.status = "awaiting_stock" if shortages else "picked"
    logger.info("task done task=%s kind=%s order=%s", task.id, task.kind, task.order_id)
