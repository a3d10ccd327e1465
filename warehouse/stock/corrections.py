"""Stock corrections from an accounting system: its inventory, written as our document.

1C or МойСклад counts (or believes) a bin holds N units of a product; it sends one
document of such lines through the API. Each line is checked (a known product, a known
bin, not below what orders have reserved there), and the difference from what the bin
holds now goes to the ledger as a ``correction`` movement under ``correction:<id>`` — a
compare-and-set on the bin, so goods that moved meanwhile are not overwritten. The
document keeps what each bin held before; a sender's number is taken once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from warehouse.catalog.catalogue_csv import first_warehouse
from warehouse.errors import DomainError, NotFound
from warehouse.models import (
    Location,
    Product,
    StockCorrection,
    StockCorrectionLine,
    Warehouse,
)
from warehouse.stock import ledger

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counted:
    article: str
    bin: str
    counted: int
    warehouse: str = ""  # the warehouse's code; blank: the first active one


class LinesRefused(DomainError):
    """Lines that cannot be applied, each with why; nothing was written."""

    def __init__(self, refusals: list[tuple[int, str, dict[str, object]]]) -> None:
        super().__init__("correction_lines_refused", count=len(refusals))
        self.refusals = refusals


def post(
    session: Session, account_id: int, number: str, reason: str, lines: Sequence[Counted]
) -> StockCorrection:
    """Write the document and its movements, all or nothing. Flushes; the caller commits."""
    number = number.strip()
    taken = select(StockCorrection.id).where(
        StockCorrection.account_id == account_id, StockCorrection.number == number
    )
    if session.scalar(taken) is not None:
        raise DomainError("correction_number_taken", number=number)
    resolved, refusals = _resolve(session, lines)
    if refusals:
        raise LinesRefused(refusals)
    correction = StockCorrection(account_id=account_id, number=number, reason=reason.strip())
    session.add(correction)
    session.flush()
    document = f"correction:{correction.id}"
    for index, (product, location, counted) in enumerate(resolved):
        stock = ledger.stock_of(session, product.id, location.id)
        before, reserved = stock.on_hand, stock.reserved
        if counted < reserved:
            refusals.append(
                (index, "correction_below_reserved", {"reserved": reserved, "bin": location.code})
            )
            continue
        if counted != before:
            ledger.move(
                session,
                stock,
                counted - before,
                "correction",
                document=document,
                user=None,
                expect_on_hand=before,
            )
        correction.lines.append(
            StockCorrectionLine(
                product_id=product.id,
                location_id=location.id,
                counted=counted,
                before=before,
                change=counted - before,
            )
        )
    if refusals:
        raise LinesRefused(refusals)
    session.flush()
    logger.info(
        "stock correction posted id=%s account=%s lines=%s",
        correction.id,
        account_id,
        len(correction.lines),
    )
    return correction


def get(session: Session, correction_id: int) -> StockCorrection:
    found = session.get(
        StockCorrection,
        correction_id,
        options=(
            joinedload(StockCorrection.account),
            joinedload(StockCorrection.lines).joinedload(StockCorrectionLine.product),
            joinedload(StockCorrection.lines).joinedload(StockCorrectionLine.location),
        ),
    )
    if found is None:
        raise NotFound("correction_not_found")
    return found


def recent(session: Session, limit: int = 50) -> list[StockCorrection]:
    query = (
        select(StockCorrection)
        .options(joinedload(StockCorrection.account), joinedload(StockCorrection.lines))
        .order_by(StockCorrection.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query).unique())


def _resolve(
    session: Session, lines: Sequence[Counted]
) -> tuple[list[tuple[Product, Location, int]], list[tuple[int, str, dict[str, object]]]]:
    articles = {line.article for line in lines}
    products = {
        p.article: p for p in session.scalars(select(Product).where(Product.article.in_(articles)))
    }
    warehouses = {w.code: w for w in session.scalars(select(Warehouse))}
    default = first_warehouse(session) if any(not line.warehouse for line in lines) else None
    codes = {line.bin for line in lines}
    bins = {
        (b.warehouse_id, b.code): b
        for b in session.scalars(select(Location).where(Location.code.in_(codes)))
    }
    resolved: list[tuple[Product, Location, int]] = []
    refusals: list[tuple[int, str, dict[str, object]]] = []
    seen: set[tuple[int, int]] = set()
    for index, line in enumerate(lines):
        product = products.get(line.article)
        warehouse = warehouses.get(line.warehouse) if line.warehouse else default
        location = bins.get((warehouse.id, line.bin)) if warehouse else None
        if product is None:
            refusals.append((index, "correction_unknown_article", {"article": line.article}))
        elif warehouse is None:
            refusals.append((index, "correction_unknown_warehouse", {"code": line.warehouse}))
        elif location is None:
            refusals.append((index, "correction_unknown_bin", {"bin": line.bin}))
        elif (product.id, location.id) in seen:
            refusals.append(
                (index, "correction_line_twice", {"article": line.article, "bin": line.bin})
            )
        else:
            seen.add((product.id, location.id))
            resolved.append((product, location, line.counted))
    return resolved, refusals
