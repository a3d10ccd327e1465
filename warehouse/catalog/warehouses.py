"""Warehouses on the desk: created, renamed and deactivated (never deleted). The catalogue's
bins load into the first active one; the last active warehouse cannot be deactivated."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.models import Warehouse

logger = logging.getLogger(__name__)


def listing(session: Session) -> list[Warehouse]:
    return list(session.scalars(select(Warehouse).order_by(Warehouse.id)))


def save(session: Session, warehouse_id: int | None, code: str, name: str) -> Warehouse:
    """A new warehouse (``warehouse_id`` None) or a renamed one; codes are unique."""
    code, name = code.strip(), name.strip()
    if not code or len(code) > 32:
        raise DomainError("warehouse_bad_code", length=32)
    if not name:
        raise DomainError("catalogue_empty_cell", column="name")
    taken = session.scalar(select(Warehouse.id).where(Warehouse.code == code))
    if taken is not None and taken != warehouse_id:
        raise DomainError("warehouse_code_taken", value=code)
    if warehouse_id is None:
        warehouse = Warehouse(code=code, name=name[:200])
        session.add(warehouse)
    else:
        warehouse = _get(session, warehouse_id)
        warehouse.code, warehouse.name = code, name[:200]
    session.flush()
    logger.info("warehouse saved id=%s code=%s", warehouse.id, code)
    return warehouse


def set_active(session: Session, warehouse_id: int, active: bool) -> None:
    warehouse = _get(session, warehouse_id)
    if not active and warehouse.active:
        others = select(func.count()).where(
            Warehouse.active.is_(True), Warehouse.id != warehouse.id
        )
        if not session.scalar(others):
            raise DomainError("warehouse_last_active")
    warehouse.active = active
    session.flush()


def _get(session: Session, warehouse_id: int) -> Warehouse:
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound("not_found")
    return warehouse
