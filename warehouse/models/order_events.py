"""An order's status changes, recorded wherever they happen.

A status is set in a dozen places (intake, picking, packing, printing, shortages, the
hand-over, returns, the marketplace's own word); rather than trusting each to write a
history line, one attribute listener on ``Order.status`` writes it for all of them —
and for any added later. Who: the person of the current request, through a lookup the
web layer installs (the models cannot know about requests); in a worker job, nobody
(the system or the marketplace).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from warehouse.models.base import Base, utcnow
from warehouse.models.orders import Order
from warehouse.models.work import User


class OrderEvent(Base):
    """One change of an order's unified status: from, to, who, when, and what the
    marketplace called the order at that moment."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order_id", "order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    marketplace_status: Mapped[str] = mapped_column(String(64), default="")

    order: Mapped[Order] = relationship()
    user: Mapped[User | None] = relationship()


def _nobody() -> int | None:
    return None


_acting_user: Callable[[], int | None] = _nobody


def acting_user_from(lookup: Callable[[], int | None]) -> None:
    """Install how to find the id of the person acting now (the web layer's current user;
    it answers None outside a request)."""
    global _acting_user
    _acting_user = lookup


@event.listens_for(Order.status, "set", active_history=True)
def _status_set(order: Order, value: Any, old: Any, _initiator: Any) -> None:
    """Record a real change of a status the order already had: the first status, set
    when the order is built, is its arrival (``created_at``), not a change."""
    session = object_session(order)
    if session is None or not isinstance(old, str) or value == old:
        return
    with session.no_autoflush:
        user_id = _acting_user()
    session.add(
        OrderEvent(
            order=order,
            from_status=old,
            to_status=value,
            user_id=user_id,
            marketplace_status=(order.marketplace_status or "")[:64],
        )
    )
