"""A hand-over's history: every scan, decision, marketplace call and answer, who and when."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import HandOver, HandOverEvent, Order, User

logger = logging.getLogger(__name__)


def record(
    session: Session,
    handover: HandOver,
    kind: str,
    text: str,
    user: User | None = None,
    scan_id: str | None = None,
    *,
    order: Order | None = None,
) -> HandOverEvent:
    """Append one line; ``kind`` is what sort of line it is (scan, refused, close, call…);
    ``order``: the one order it is about, if one (it shows in that order's timeline)."""
    event = HandOverEvent(
        handover_id=handover.id,
        kind=kind,
        text=text[:1000],
        user_id=user.id if user else None,
        scan_id=scan_id,
        order_id=order.id if order else None,
    )
    session.add(event)
    logger.info("handover=%s %s: %s", handover.id, kind, text[:200])
    return event


def of(session: Session, handover_id: int, limit: int = 500) -> list[tuple[HandOverEvent, str]]:
    """The newest lines first, with the name of who did it ("" for the system)."""
    rows = session.execute(
        select(HandOverEvent, User.name)
        .outerjoin(User, User.id == HandOverEvent.user_id)
        .where(HandOverEvent.handover_id == handover_id)
        .order_by(HandOverEvent.id.desc())
        .limit(limit)
    )
    return [(event, name or "") for event, name in rows]
