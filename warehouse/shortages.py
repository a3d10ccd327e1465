"""Short picks: «Нет товара» on the ТСД, and the supervisor's decision.

Nothing is dropped silently: what cannot be picked is written off the bin (the goods are not
there, or not sellable), a Shortage is opened, and the order waits (``awaiting_stock``) until
the supervisor has the rest picked from other bins or cancels the order.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse import batch_picking, inventory, orders, picking, stock_sync
from warehouse.errors import DomainError, NotFound
from warehouse.models import Order, OrderLine, PickItem, PickTask, Shortage, Stock, User
from warehouse.models.work import SHORTAGE_REASONS
from warehouse.picking import ScanResult

logger = logging.getLogger(__name__)


def report_short(session: Session, task_id: int, user: User, reason: str) -> ScanResult:
    """ "Нет товара" on the current item of a single-order task."""
    task = picking.task_for(session, task_id, user)
    item = picking.current_item(task)
    if task.status != "in_progress" or item is None or task.kind != "pick":
        return ScanResult(False, "task_not_in_progress")
    result = _short(session, item, user, reason)
    if result.task_done:  # the picker is told what became of the order and what to do next
        picked = sum(i.picked for i in task.items)
        code = "short_task_done" if picked else "short_nothing_picked"
        return ScanResult(True, code, {**result.params, "order": task.order.external_id}, True)
    return result


def report_batch_short(session: Session, batch_id: int, user: User, reason: str) -> ScanResult:
    """ "Нет товара" on the batch's current item; units already in hand are put first."""
    batch = batch_picking.batch_for(session, batch_id, user)
    holding = batch_picking.in_hand(batch)
    if holding is not None:
        return ScanResult(False, "put_first", batch_picking.where(holding))
    item = batch_picking.current_item(batch)
    if batch.status != "in_progress" or item is None or batch_picking.needs_tote(batch):
        return ScanResult(False, "task_not_in_progress")
    result = _short(session, item, user, reason)
    if result.ok and batch_picking.close_if_done(batch):
        return ScanResult(True, "short_reported", result.params, task_done=True)
    return ScanResult(result.ok, result.code, result.params)


def _short(session: Session, item: PickItem, user: User, reason: str) -> ScanResult:
    if reason not in SHORTAGE_REASONS:
        return ScanResult(False, "bad_short_reason")
    task = item.task
    missing = item.remaining
    item.short += missing
    inventory.write_off_reserved(session, item.line, item.location_id, missing)
    session.add(
        Shortage(
            item_id=item.id,
            order_id=task.order_id,
            quantity=missing,
            reason=reason,
            reported_by=user.id,
        )
    )
    stock_sync.changed(session, [item.product_id])
    logger.info(
        "short pick task=%s item=%s missing=%s reason=%s", task.id, item.id, missing, reason
    )
    params = {"product": item.product.name, "missing": missing}
    if picking.current_item(task) is None:
        picking.finish(task)
        return ScanResult(True, "short_reported", params, task_done=True)
    return ScanResult(True, "short_reported", params)


def resolve(session: Session, shortage_id: int, action: str) -> Shortage:
    """The supervisor decides: pick the missing goods from other bins, or cancel the order."""
    shortage = session.get(Shortage, shortage_id)
    if shortage is None or shortage.status != "open":
        raise NotFound("shortage_not_found")
    order = shortage.order
    if action == "cancel":
        shortage.status = "cancelled"
        orders.cancel(session, order, by_marketplace=False)
        return shortage
    line = shortage.item.line
    plan = inventory.reserve_more(
        session, line, shortage.quantity, order.account.warehouse_id, shortage.item.location_id
    )
    if not plan:
        raise DomainError("not_enough_stock", product=line.product.name if line.product else "")
    _task_for(session, order, line, plan)
    shortage.status = "picked_elsewhere"
    order.status = "reserved"
    stock_sync.changed(session, [line.product_id] if line.product_id else [])
    logger.info("shortage resolved shortage=%s action=%s", shortage.id, action)
    return shortage


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
