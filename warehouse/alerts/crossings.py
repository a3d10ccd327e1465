"""Crossings: an alert opens when a subject crosses its line and is resolved when it is
back. The partial unique index ``uq_alerts_open`` (one open alert per kind and subject)
makes a repeated check — every minute, or two at the same moment — find the open alert
and add nothing, so each crossing is one message; after it is resolved, the next
crossing opens a new alert and is a message again."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.models import Alert, utcnow

logger = logging.getLogger(__name__)


def settle(
    session: Session,
    kind: str,
    bad: Mapping[int, dict[str, Any]],
    checked: Collection[int] | None = None,
) -> list[Alert]:
    """Open an alert for each subject of ``bad`` (id → what was seen) that has none open;
    resolve the open alerts of the ``checked`` subjects (all, when None) that are not bad
    any more; one still waiting to be sent takes what is seen now. The alerts opened."""
    query = select(Alert).where(Alert.kind == kind, Alert.resolved_at.is_(None))
    if checked is not None:
        query = query.where(Alert.subject_id.in_(list(checked)))
    open_now = {alert.subject_id: alert for alert in session.scalars(query)}
    now = utcnow()
    for subject_id, alert in open_now.items():
        if subject_id not in bad:
            resolve(alert, now)
        elif alert.status == "pending":  # not sent yet: it will say what is seen now
            alert.details = bad[subject_id]
    opened = []
    for subject_id, seen in bad.items():
        new = None if subject_id in open_now else _open(session, kind, subject_id, seen)
        if new is not None:
            opened.append(new)
    return opened


def _open(session: Session, kind: str, subject_id: int, seen: dict[str, Any]) -> Alert | None:
    """A new alert, unless another check opened one at the same moment."""
    try:
        with session.begin_nested():
            alert = Alert(kind=kind, subject_id=subject_id, details=seen)
            session.add(alert)
    except IntegrityError:  # another check opened it at the same moment
        logger.info("alert already open kind=%s subject=%s", kind, subject_id)
        return None
    logger.info("alert opened alert=%s kind=%s subject=%s", alert.id, kind, subject_id)
    return alert


def resolve(alert: Alert, now: datetime) -> None:
    """The crossing is over; an alert not sent by then is not sent late (it is listed)."""
    alert.resolved_at = now
    if alert.status == "pending":
        alert.status = "skipped"
    logger.info("alert resolved alert=%s kind=%s status=%s", alert.id, alert.kind, alert.status)


def recent(session: Session, limit: int = 100) -> list[Alert]:
    """The latest alerts, newest first (the desk's list)."""
    return list(session.scalars(select(Alert).order_by(Alert.id.desc()).limit(limit)))


def waiting(session: Session) -> int:
    """Alerts not sent yet."""
    return int(session.scalar(select(func.count(Alert.id)).where(Alert.status == "pending")) or 0)
