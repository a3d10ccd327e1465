"""Batch (cluster) picking: one picker, several orders on one cart, one tote per order.

Each order first gets a tote (its barcode scanned). Then the items of all the orders are
visited in walk order; a product scan puts the units «in hand», and the scan of the
order's tote puts them in — only then are they counted (``picking.count_picked``).
Scans are judged by ``picking.judge`` and remembered by ``picking.store_scan``.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.floor import picking
from warehouse.floor.picking import ScanResult
from warehouse.models import Location, Order, PickBatch, PickItem, PickTask, User

logger = logging.getLogger(__name__)

TOTE_PREFIX = "TOTE-"
BATCH_SIZES = range(2, 7)
# order statuses whose goods are still in their tote (a tote is free again once packed)
TOTE_BUSY = ("picking", "picked", "awaiting_stock")


def start_batch(session: Session, user: User, size: int) -> PickBatch:
    """Take up to ``size`` of the most urgent free pick tasks (as «next task» would) as a batch.

    The picker's own batch in progress is given back instead of a new one.
    """
    own = session.scalar(
        select(PickBatch).where(PickBatch.picker_id == user.id, PickBatch.status == "in_progress")
    )
    if own is not None:
        return own
    assigned = _assigned_cart(session, user)
    if assigned is not None:
        return assigned
    if size not in BATCH_SIZES:
        raise DomainError("bad_batch_size")
    tasks = _take_tasks(session, user, size)
    if not tasks:
        raise DomainError("no_free_tasks")
    batch = PickBatch(warehouse_id=tasks[0].warehouse_id, picker_id=user.id, status="in_progress")
    batch.tasks = tasks
    session.add(batch)
    session.flush()
    logger.info("batch started batch=%s picker=%s tasks=%s", batch.id, user.id, len(tasks))
    return batch


def _assigned_cart(session: Session, user: User) -> PickBatch | None:
    """A wave's cart the desk assigned to this picker: started whole (``picking.start_task``
    of any of its orders) before a cart of free orders is made."""
    cart = session.scalar(
        select(PickBatch)
        .where(PickBatch.picker_id == user.id, PickBatch.status == "open")
        .order_by(PickBatch.id)
        .limit(1)
    )
    first = next((task for task in cart.tasks if task.status == "open"), None) if cart else None
    if cart is None or first is None:
        return None
    picking.start_task(session, first.id, user)
    return cart


def _take_tasks(session: Session, user: User, size: int) -> list[PickTask]:
    taken: list[PickTask] = []
    for candidate in picking.open_tasks(session, user):
        if len(taken) == size:
            break
        if candidate.status != "open" or candidate.kind != "pick" or candidate.batch_id:
            continue
        if taken and candidate.warehouse_id != taken[0].warehouse_id:
            continue
        try:
            taken.append(picking.start_task(session, candidate.id, user))
        except DomainError:  # someone else took it a moment ago
            continue
    return taken


def group(tasks: list[PickTask]) -> tuple[list[PickBatch], list[PickTask]]:
    """The task list as a picker sees it: each cart once (in progress, or a wave's cart not
    started yet: it starts whole), then the other tasks."""
    batches: dict[int, PickBatch] = {}
    singles = []
    for task in tasks:
        cart = task.batch
        if cart is not None and cart.status in ("open", "in_progress"):
            batches.setdefault(cart.id, cart)
        else:
            singles.append(task)
    return list(batches.values()), singles


def batch_for(session: Session, batch_id: int, user: User) -> PickBatch:
    batch = session.get(PickBatch, batch_id)
    if batch is None or batch.picker_id != user.id:
        raise NotFound("batch_not_found")
    return batch


def active_tasks(batch: PickBatch) -> list[PickTask]:
    return [task for task in batch.tasks if task.status == "in_progress"]


def needs_tote(batch: PickBatch) -> PickTask | None:
    """The first order of the batch still without a tote."""
    return next((task for task in active_tasks(batch) if task.tote is None), None)


def in_hand(batch: PickBatch) -> PickItem | None:
    """The item whose scanned units wait to be put into their tote."""
    items = (item for task in active_tasks(batch) for item in task.items)
    return next((item for item in items if item.in_hand), None)


def cancelled(batch: PickBatch) -> list[PickTask]:
    """Orders of the batch cancelled while it was being picked (their totes go to put-back)."""
    return [task for task in batch.tasks if task.status == "cancelled"]


def to_return(batch: PickBatch) -> PickItem | None:
    """Units in the picker's hand for an order cancelled meanwhile: they go back to their bin.

    They were never counted (a unit is taken from the bin only when its tote is scanned), so
    the bin still holds them on the books: scanning the bin confirms they are back.
    """
    items = (item for task in cancelled(batch) for item in task.items)
    return next((item for item in items if item.in_hand), None)


def close_if_done(batch: PickBatch) -> bool:
    """The batch is done once none of its orders is still being picked."""
    if batch.status == "in_progress" and not active_tasks(batch) and to_return(batch) is None:
        batch.status = "done"
        logger.info("batch done batch=%s", batch.id)
    return batch.status == "done"


def current_item(batch: PickBatch) -> PickItem | None:
    """The next item to take across all the batch's orders, in walk order."""
    position = {task.id: n for n, task in enumerate(batch.tasks)}
    items = [item for task in active_tasks(batch) for item in task.items if item.remaining > 0]
    return min(
        items, key=lambda item: (item.walk_order, position[item.task_id], item.id), default=None
    )


def record_scan(
    session: Session,
    batch_id: int,
    barcode: str,
    scan_id: str,
    user: User,
    *,
    require_bin: bool = True,
) -> ScanResult:
    """Check one scan against the batch, count it if right, and remember the answer."""
    scope = picking.scan_scope(user, "batch", batch_id)
    stored = picking.stored_result(session, scope, scan_id)
    if stored is not None:
        return stored
    batch = batch_for(session, batch_id, user)
    waiting = needs_tote(batch)
    item = to_return(batch) or (None if waiting else (in_hand(batch) or current_item(batch)))
    if item is not None and not require_bin:
        item.bin_confirmed = True
    task = waiting or (item.task if item else None)
    result = _judge(session, batch, barcode.strip())
    return picking.store_scan(session, scope, scan_id, barcode, user, result, task=task, item=item)


def _judge(session: Session, batch: PickBatch, barcode: str) -> ScanResult:
    if batch.status != "in_progress":
        return ScanResult(False, "task_already_done")
    if not barcode:
        return ScanResult(False, "empty_scan")
    returning = to_return(batch)
    if returning is not None:
        return _return_to_bin(session, batch, returning, barcode)
    if close_if_done(batch):
        return ScanResult(False, "task_already_done")
    is_tote = barcode.upper().startswith(TOTE_PREFIX)
    waiting = needs_tote(batch)
    if waiting is not None:
        if is_tote:
            return _assign_tote(session, batch, waiting, barcode)
        return _tote_first(session, waiting, barcode)
    holding = in_hand(batch)
    if holding is not None:
        return _put(session, batch, holding, barcode) if is_tote else _put_first(holding)
    if is_tote:
        return ScanResult(False, "tote_not_expected", {"tote": barcode})
    item = current_item(batch)
    if item is None:
        return ScanResult(False, "task_already_done")
    result = picking.judge(session, item.task, barcode, count=_take_in_hand)
    if result.code == "bin_ok":  # the other orders' items in this bin need no second bin scan
        for task in active_tasks(batch):
            for other in task.items:
                other.bin_confirmed |= other.location_id == item.location_id
    return result


def _tote_first(session: Session, task: PickTask, barcode: str) -> ScanResult:
    """A tote is wanted: a bin scan is a step ahead; any other code is not a tote."""
    order = task.order.external_id
    if session.scalar(select(Location.id).where(Location.barcode == barcode)) is not None:
        return ScanResult(False, "scan_tote_first", {"order": order})
    return ScanResult(False, "not_a_tote", {"scanned": barcode, "order": order})


def _assign_tote(session: Session, batch: PickBatch, task: PickTask, tote: str) -> ScanResult:
    owner = holder(session, tote)
    if owner is not None:
        return ScanResult(False, "tote_in_use", {"tote": tote, "order": owner.order.external_id})
    task.tote = tote
    logger.info("tote assigned batch=%s task=%s tote=%s", batch.id, task.id, tote)
    return ScanResult(True, "tote_assigned", {"tote": tote, "order": task.order.external_id})


def holder(session: Session, tote: str) -> PickTask | None:
    """The task whose goods are still in ``tote``: being picked (in any batch), picked
    and not yet packed, or on a cart taken off its picker with goods already in the tote
    (``waves.release``) — a second order in it could not be told apart at the pack table."""
    return session.scalar(
        select(PickTask)
        .join(Order)
        .where(
            PickTask.tote == tote,
            PickTask.kind == "pick",
            PickTask.status.in_(("open", "in_progress", "done")),
            Order.status.in_(TOTE_BUSY),
        )
        .limit(1)
    )


def _take_in_hand(
    session: Session, task: picking.TaskLike, item: picking.ItemLike, quantity: int
) -> ScanResult:
    """A right product scan in a batch: the units are in hand until their tote is scanned.

    In SQL, and only onto an empty hand (as «put first» says), so a second scan at the same
    moment is refused, not lost."""
    assert isinstance(item, PickItem)  # a batch's tasks are the ORM's (``batch_for``)
    taken = session.execute(
        update(PickItem)
        .where(
            PickItem.id == item.id,
            PickItem.in_hand == 0,
            PickItem.picked + PickItem.short + quantity <= PickItem.quantity,
        )
        .values(in_hand=quantity)
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)
    if not getattr(taken, "rowcount", 0):
        if item.in_hand:
            return _put_first(item)
        return ScanResult(False, "item_already_picked", {"product": item.product.name})
    return ScanResult(True, "put_in_tote", where(item))


def _put_first(item: PickItem) -> ScanResult:
    return ScanResult(False, "put_first", where(item))


def where(item: PickItem) -> dict[str, object]:
    return {
        "tote": item.task.tote,
        "order": item.task.order.external_id,
        "product": item.product.name,
        "quantity": item.in_hand,
    }


def _put(session: Session, batch: PickBatch, item: PickItem, tote: str) -> ScanResult:
    """The tote scan after a product scan: the right tote counts the units in hand."""
    if tote != item.task.tote:
        return ScanResult(False, "wrong_tote", {**where(item), "scanned": tote})
    quantity = item.in_hand
    emptied = session.execute(  # only the scan that empties the hand counts its units
        update(PickItem)
        .where(PickItem.id == item.id, PickItem.in_hand == quantity)
        .values(in_hand=0)
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)
    if not getattr(emptied, "rowcount", 0):
        return ScanResult(False, "tote_not_expected", {"tote": tote})
    counted = picking.count_picked(session, item.task, item, quantity)
    params = {**counted.params, "tote": tote, "order": item.task.order.external_id}
    if close_if_done(batch):
        return ScanResult(True, "batch_done", params, task_done=True)
    code = "tote_order_done" if counted.task_done else "tote_ok"
    return ScanResult(True, code, params)


def _return_to_bin(session: Session, batch: PickBatch, item: PickItem, barcode: str) -> ScanResult:
    """The order of the units in hand was cancelled: only the scan of their bin is taken."""
    params = {**where(item), "bin": item.location.code}
    location = session.scalar(select(Location).where(Location.barcode == barcode))
    if location is None or location.id != item.location_id:
        return ScanResult(False, "cancelled_return_to_bin", params)
    item.in_hand = 0
    logger.info("units returned to bin batch=%s item=%s", batch.id, item.id)
    done = close_if_done(batch)
    return ScanResult(True, "returned_to_bin", params, task_done=done)
