"""Closing a Megamarket pickup: ``order/shipping`` for every shipment loaded on the truck.

MM has no document and no pickup number for a hand-over (``handover.external_id`` stays
""): each shipment is told separately, with every box of it (``merchantId*shipmentId*
boxIndex``) and the shipping date, which is the pickup's date (fact sheet §4.2, order/shipping).
Resumable and idempotent: MM's own lot statuses are read first, so a shipment already
``SHIPPED`` (by an earlier run that crashed before recording it) is not sent again.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.marketplaces.megamarket_shapes import CANCELLED, MSK
from warehouse.models import HandOver, Order
from warehouse.shipping import handovers, history

logger = logging.getLogger(__name__)

GONE = ("SHIPPED", "PENDING_SHIPPING", "DELIVERED")  # MM has the shipment already
SHIPPED_PATH = "POST order/shipping"
ENDED = "(ended at MM)"  # cancelled or expired there: no retry will ship it, so it blocks nothing


def close(session: Session, client: Any, handover: HandOver) -> None:
    """Tell MM every loaded shipment left; what it would not take is said loudly.

    A shipment MM ended (cancelled, expired) is named in the hand-over's state and history
    but blocks nothing; one still processing waits (TransientError); any other refusal
    fails the command, with the others already shipped, for the desk's retry."""
    orders = handovers.loaded_orders(session, handover)
    if not orders:
        handover.marketplace_state = "no shipments loaded: nothing to tell Megamarket"
        return
    statuses = client.order_statuses([order.external_id for order in orders])
    history.record(
        session, handover, "call", f"POST order/get {len(orders)} shipments → {_summary(statuses)}"
    )
    shipped_at = shipping_moment(handover.ship_date)
    problems: list[str] = []
    for order in orders:
        current = statuses.get(order.external_id, "")
        problem = _ship_one(session, client, handover, order, current, shipped_at)
        if problem:
            problems.append(problem)
    _remember(handover, orders, problems)
    if any("PENDING_" in problem for problem in problems):
        raise TransientError("Megamarket is still processing the packing of some shipments")
    blocking = [problem for problem in problems if not problem.endswith(ENDED)]
    if blocking:
        raise RejectedError("Megamarket cannot ship: " + "; ".join(blocking), code="not_shipped")


def shipping_moment(ship_date: date) -> datetime:
    """The pickup's day at the time of closing (Moscow): MM wants a moment, we know a day."""
    now = datetime.now(MSK)
    return datetime.combine(ship_date, now.time(), MSK)


def _ship_one(
    session: Session, client: Any, handover: HandOver, order: Order, current: str, at: datetime
) -> str:
    """One shipment; returns what is wrong with it ("" when MM has it)."""
    if current in GONE:
        order.marketplace_status = current
        history.record(session, handover, "call", f"{order.external_id}: already {current}")
        return ""
    if current != "PACKED":
        ended = current.split("/")[0] in CANCELLED
        history.record(
            session, handover, "refused", f"{order.external_id}: {current or 'unknown at MM'}"
        )
        return f"{order.external_id} is {current or 'unknown'}" + (
            " (ended at MM)" if ended else ""
        )
    try:
        codes = client.ship(order.external_id, at)
    except RejectedError as exc:
        history.record(
            session, handover, "call", f"{SHIPPED_PATH} {order.external_id} → {exc.code}: {exc}"
        )
        return f"{order.external_id}: {exc.code}"
    order.marketplace_status = "SHIPPED"
    history.record(
        session,
        handover,
        "call",
        f"{SHIPPED_PATH} {order.external_id} [{', '.join(codes)}] {at:%Y-%m-%d} → success",
    )
    return ""


def _remember(handover: HandOver, orders: list[Order], problems: list[str]) -> None:
    shipped = len(orders) - len(problems)
    state = f"{shipped} of {len(orders)} shipments shipped"
    handover.marketplace_state = "; ".join([state, *problems])[:200]
    handover.details = {**(handover.details or {}), "mm_problems": problems}


def _summary(statuses: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "nothing"
