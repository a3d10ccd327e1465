"""Short picks: «Нет товара» on the ТСД, and the supervisor's decision.

Nothing is dropped silently: a Shortage is opened, and the order waits (``awaiting_stock``)
until the supervisor has the rest picked from other bins or cancels the order; nothing
re-reserves it behind the supervisor's back.

The bin's stock changes at once, with a StockMove saying why, and the lower stock is pushed
to the marketplaces. «Нет в ячейке» / «Не нашёл»: the picker looked and the goods are not
there, so every unit of the bin not promised to other orders is a suspected shortage and
leaves its free stock (a bin that shows 473 and holds none must not sell 472 more); a count
confirms or corrects it. «Брак»: only the missing units leave.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.floor import batch_picking, picking
from warehouse.floor.picking import ScanResult
from warehouse.marketplaces import outbox
from warehouse.models import (
    Order,
    OrderLine,
    PickItem,
    PickTask,
    Shortage,
    Stock,
    StockMove,
    User,
)
from warehouse.models.work import SHORTAGE_REASONS
from warehouse.orders import intake
from warehouse.stock import inventory, stock_sync

logger = logging.getLogger(__name__)


def report_short(
    session: Session, task_id: int, user: User, reason: str, item_id: int | None = None
) -> ScanResult:
    """ "Нет товара" on the current item of a single-order task. ``item_id`` is the item the
    picker's screen showed: a second tap (gloves, a resend) finds it reported already and
    is refused, never reported on the next item."""
    task = picking.task_for(session, task_id, user)
    item = picking.current_item(task)
    if task.status != "in_progress" or item is None or task.kind != "pick":
        return ScanResult(False, "task_not_in_progress")
    if item_id is not None and item.id != item_id:
        return ScanResult(False, "short_already_reported")
    result = _short(session, item, user, reason)
    if result.task_done:  # the picker is told what became of the order and what to do next
        picked = sum(i.picked for i in task.items)
        code = "short_task_done" if picked else "short_nothing_picked"
        return ScanResult(True, code, {**result.params, "order": task.order.external_id}, True)
    return result


def report_batch_short(
    session: Session, batch_id: int, user: User, reason: str, item_id: int | None = None
) -> ScanResult:
    """ "Нет товара" on the batch's current item (the one the screen showed: ``item_id``);
    units already in hand are put first."""
    batch = batch_picking.batch_for(session, batch_id, user)
    holding = batch_picking.in_hand(batch)
    if holding is not None:
        return ScanResult(False, "put_first", batch_picking.where(holding))
    item = batch_picking.current_item(batch)
    if batch.status != "in_progress" or item is None or batch_picking.needs_tote(batch):
        return ScanResult(False, "task_not_in_progress")
    if item_id is not None and item.id != item_id:
        return ScanResult(False, "short_already_reported")
    result = _short(session, item, user, reason)
    if result.ok and batch_picking.close_if_done(batch):
        return ScanResult(True, "short_reported", result.params, task_done=True)
    return ScanResult(result.ok, result.code, result.params)


def _short(session: Session, item: PickItem, user: User, reason: str) -> ScanResult:
    if reason not in SHORTAGE_REASONS:
        return ScanResult(False, "bad_short_reason")
    task = item.task
    missing = item.remaining
    # compare-and-set: a scan or another tap that changed the item since it was read wins
    claimed = session.execute(
        update(PickItem)
        .where(
            PickItem.id == item.id,
            PickItem.picked == item.picked,
            PickItem.short == item.short,
            PickItem.in_hand == item.in_hand,
        )
        .values(short=PickItem.short + missing)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return ScanResult(False, "short_already_reported")
    shortage = Shortage(
        item_id=item.id,
        order_id=task.order_id,
        quantity=missing,
        reason=reason,
        reported_by=user.id,
    )
    session.add(shortage)
    session.flush()  # the shortage has its id: the document of what leaves the bin
    stock = inventory.unreserve(session, item.line, item.location_id, missing)
    gone = missing if reason == "damaged" else inventory.free_units(session, stock)
    if gone:
        move = "damaged" if reason == "damaged" else "suspected_shortage"
        document = f"shortage:{shortage.id}"
        inventory.take_out(
            session, stock, gone, move, document=document, user=user, shortage_id=shortage.id
        )
        session.expire(shortage, ["moves"])
    stock_sync.changed(session, [item.product_id])
    logger.info(
        "short pick task=%s item=%s missing=%s reason=%s out_of_bin=%s",
        task.id,
        item.id,
        missing,
        reason,
        gone,
    )
    params = {"product": item.product.name, "missing": missing}
    if picking.current_item(task) is None:
        picking.finish(task)
        return ScanResult(True, "short_reported", params, task_done=True)
    return ScanResult(True, "short_reported", params)


def order_of(session: Session, shortage_id: int) -> int:
    """The order a shortage belongs to (its page is where decisions are answered)."""
    shortage = session.get(Shortage, shortage_id)
    if shortage is None:
        raise NotFound("shortage_not_found")
    return shortage.order_id


def bin_of(session: Session, shortage_id: int) -> str:
    return session.get_one(Shortage, shortage_id).item.location.code


# where the marketplace takes single lines (units) off an order: Ozon product/cancel, YM
# items without the removed ones (allowRemove), Megamarket order/reject of chosen lots
PARTIAL_CANCEL = ("ozon", "yandex", "megamarket")
ACTIONS = ("pick_elsewhere", "cancel", "cancel_lines")


def _decide(session: Session, shortage: Shortage, status: str) -> None:
    """Compare-and-set: of two supervisors deciding at once, the second is told it is
    decided, and its request (rolled back by the refusal) changes nothing."""
    claimed = session.execute(
        update(Shortage)
        .where(Shortage.id == shortage.id, Shortage.status == "open")
        .values(status=status)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("shortage_decided")


def resolve(session: Session, shortage_id: int, action: str) -> Shortage:
    """The supervisor decides: pick the missing goods from other bins, take just the missing
    units off the order (where the marketplace allows it), or cancel the order."""
    shortage = session.get(Shortage, shortage_id)
    if shortage is None:
        raise NotFound("shortage_not_found")
    if action not in ACTIONS:
        raise DomainError("bad_shortage_action")
    # its row first, before any stock row: two decisions at once queue here, not deadlock
    status = session.scalar(
        select(Shortage.status).where(Shortage.id == shortage.id).with_for_update()
    )
    if status != "open":
        raise DomainError("shortage_decided")
    if action == "cancel_lines":
        return _cancel_lines(session, shortage)
    order = shortage.order
    if action == "cancel":
        _decide(session, shortage, "cancelled")
        intake.cancel(session, order, by_marketplace=False)
        logger.info("shortage resolved shortage=%s action=%s", shortage.id, action)
        return shortage
    line = shortage.item.line
    warehouse_id = order.account.warehouse_id
    plan = inventory.reserve_more(
        session, line, shortage.quantity, warehouse_id, shortage.item.location_id
    )
    if not plan:
        free = inventory.free_elsewhere(session, line, warehouse_id, shortage.item.location_id)
        product = line.product.name if line.product else line.article
        raise DomainError("not_enough_stock", product=product, free=free, needed=shortage.quantity)
    _task_for(session, order, line, plan)
    _decide(session, shortage, "picked_elsewhere")
    order.status = "reserved"
    stock_sync.changed(session, [line.product_id] if line.product_id else [])
    logger.info("shortage resolved shortage=%s action=%s", shortage.id, action)
    return shortage


def _cancel_lines(session: Session, shortage: Shortage) -> Shortage:
    """The missing units leave the order: the line is reduced (in SQL, never below zero),
    the marketplace is told through the outbox, and what was picked goes on to packing."""
    order = shortage.order
    if order.account.kind not in PARTIAL_CANCEL:
        raise DomainError("partial_cancel_not_allowed", marketplace=order.account.kind.upper())
    line = shortage.item.line
    left = sum(other.quantity for other in order.lines) - shortage.quantity
    if left <= 0:
        raise DomainError("partial_cancel_nothing_left")
    reduced = session.execute(
        update(OrderLine)
        .where(OrderLine.id == line.id, OrderLine.quantity >= shortage.quantity)
        .values(quantity=OrderLine.quantity - shortage.quantity)
    )
    if reduced.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("shortage_decided")
    session.refresh(line)
    _decide(session, shortage, "lines_cancelled")
    outbox.queue_command(
        session,
        order.account,
        "cancel_lines",
        order=order,
        payload={
            "lines": [{"line": line.id, "sku": line.external_sku, "quantity": shortage.quantity}]
        },
    )
    still_open = any(
        other.status == "open"
        for other in _shortages_of(session, order.id)
        if other is not shortage
    )
    tasks_done = all(task.status == "done" for task in _pick_tasks(session, order.id))
    if not still_open and tasks_done:
        order.status = "picked"
    logger.info("shortage resolved shortage=%s action=cancel_lines", shortage.id)
    return shortage


def _shortages_of(session: Session, order_id: int) -> list[Shortage]:
    return list(session.scalars(select(Shortage).where(Shortage.order_id == order_id)))


def _pick_tasks(session: Session, order_id: int) -> list[PickTask]:
    return list(
        session.scalars(
            select(PickTask).where(PickTask.order_id == order_id, PickTask.kind == "pick")
        )
    )


def record_count(session: Session, shortage_id: int, counted: int, user: User) -> StockMove | None:
    """The shortage's bin was counted: its stock becomes what was found (the suspected
    shortage confirmed, or corrected); the change is kept and pushed."""
    shortage = session.get(Shortage, shortage_id)
    if shortage is None:
        raise NotFound("shortage_not_found")
    if counted < 0:
        raise DomainError("bad_count")
    item = shortage.item
    stock = inventory.stock_of(session, item.product_id, item.location_id)
    document = f"shortage:{shortage.id}"
    move = inventory.count(
        session, stock, counted, document=document, user=user, shortage_id=shortage.id
    )
    logger.info("bin counted shortage=%s stock=%s move=%s", shortage.id, stock.id, move)
    if move is None:
        return None
    stock_sync.changed(session, [item.product_id])
    session.expire(shortage, ["moves"])
    return move


def _task_for(
    session: Session, order: Order, line: OrderLine, plan: list[tuple[Stock, int]]
) -> PickTask:
    """A further task for the order: the goods re-reserved in other bins."""
    items = [
        PickItem(
            line=line,
            product_id=stock.product_id,
            location_id=stock.location_id,
            quantity=quantity,
            walk_order=stock.location.walk_order,
        )
        for stock, quantity in plan
    ]
    return picking.add_task(session, order, items)


def open_shortages(session: Session) -> list[Shortage]:
    return list(
        session.scalars(select(Shortage).where(Shortage.status == "open").order_by(Shortage.id))
    )
