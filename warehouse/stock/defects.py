"""The defect area: returned defects are counted in stock there until written off.

A unit graded «Брак» at a return is not sellable but still in the warehouse, waiting for a
claim: it goes into the warehouse's defect area (a ``Location`` with ``defect = true``,
one per warehouse, created on first use like the receiving area) as a ``return_defect``
movement, so the ledger sees it. Goods there are on hand but never free: reservations
and the stock push skip the area, put-away never suggests it and moves refuse it. The
supervisor writes defects off from the area's page on the desk (a ``write_off``
movement out of it), so the area does not fill up for ever.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.models import Location, Stock, StockMove, User, Warehouse
from warehouse.stock import ledger

logger = logging.getLogger(__name__)

DEFECT_CODE = "DEFECT"


def defect_bin(session: Session, warehouse: Warehouse) -> Location:
    """The warehouse's defect area, created the first time a defect comes back (one per
    warehouse: a partial UNIQUE index)."""
    found = session.scalar(
        select(Location).where(Location.warehouse_id == warehouse.id, Location.defect)
    )
    if found is None:
        found = Location(
            warehouse_id=warehouse.id,
            code=DEFECT_CODE,
            barcode=f"DEF-{warehouse.code}",
            walk_order=0,
            defect=True,
        )
        session.add(found)
        session.flush()
    return found


def defect_areas(session: Session) -> list[Location]:
    """Every warehouse's defect area that exists (for the desk's links)."""
    return list(session.scalars(select(Location).where(Location.defect).order_by(Location.id)))


def write_off(
    session: Session,
    location_id: int,
    product_id: int,
    quantity: int,
    *,
    shown: int,
    user: User,
    request_id: str = "",
) -> StockMove:
    """The supervisor writes ``quantity`` defects of a product off the defect area.

    ``shown`` is what the page showed: compare-and-set, so a double click or a second
    supervisor writing off meanwhile is refused (``defect_changed``), never taken twice.
    Only the defect area: a shelf's stock leaves through a count, never a write-off."""
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound("location_not_found")
    if not location.defect:
        raise DomainError("write_off_not_defect", bin=location.code)
    stock = session.scalar(
        select(Stock).where(Stock.location_id == location.id, Stock.product_id == product_id)
    )
    if stock is None or not 0 < quantity <= shown:
        raise DomainError("write_off_bad_quantity", quantity=quantity, shown=shown)
    document = f"write_off:{(request_id or uuid.uuid4().hex)[:40]}"
    try:
        row = ledger.move(
            session,
            stock,
            -quantity,
            "write_off",
            document=document,
            user=user,
            expect_on_hand=shown,
        )
    except DomainError as changed:
        raise DomainError("defect_changed", bin=location.code) from changed
    logger.info(
        "defect written off product=%s bin=%s quantity=%s by=%s",
        product_id,
        location.id,
        quantity,
        user.id,
    )
    return row
