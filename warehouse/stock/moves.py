"""Moves: goods carried from one bin to another on the ТСД.

The picker scans the bin the goods are in, the product (each scan one unit, a pack
barcode its pack; or types the quantity), then the bin they go to. Only free stock moves:
units promised to orders stay where their pick tasks send the picker, so a move of more
than is free is refused in words. The move is two ledger rows, out of one bin and into the
other, under one document ``move:<scan id>`` (a partial UNIQUE index makes a repeated final
scan a replay, never a second move).

The steps so far live in a small dict the caller keeps (the ТСД's session):
``{"from": location id, "product": product id, "quantity": n}``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import Location, Product, Stock, StockMove, User
from warehouse.stock import inventory, ledger

logger = logging.getLogger(__name__)

MAX_TYPED = 9999  # a typed quantity: digits, up to four (a barcode is longer)


@dataclass
class Step:
    ok: bool
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    done: bool = False


def scan(
    session: Session, state: dict[str, int], barcode: str, *, user: User, scan_id: str
) -> Step:
    """One scan of a move; returns what happened, what to do next, and the new state."""
    barcode = barcode.strip()
    location = session.scalar(select(Location).where(Location.barcode == barcode))
    if "from" not in state:
        if location is None:
            return Step(False, "move_scan_from_bin", state=state)
        if location.receiving:  # received goods go to bins by put-away (orders wait for it)
            return Step(False, "move_receiving", {"bin": location.code}, state)
        if location.defect:  # defects leave only by a write-off on the desk (a move in is fine)
            return Step(False, "move_defect", {"bin": location.code}, state)
        return Step(True, "move_from_ok", {"bin": location.code}, {"from": location.id})
    source = session.get_one(Location, state["from"])
    if location is not None:
        if not state.get("quantity"):
            return Step(False, "move_product_first", {"bin": source.code}, state)
        return _finish(session, state, source, location, user, scan_id)
    if barcode.isdecimal() and len(barcode) <= 4 and "product" in state:
        return _quantity(session, state, source, int(barcode))
    found = inventory.product_by_barcode(session, barcode)
    if found is None:
        return Step(False, "move_unknown_barcode", {"barcode": barcode}, state)
    if "product" in state and state["product"] != found.product_id:
        product = session.get_one(Product, state["product"])
        return Step(False, "move_one_product", {"product": product.name}, state)
    return _quantity(
        session,
        {**state, "product": found.product_id},
        source,
        state.get("quantity", 0) + found.quantity,
    )


def _quantity(session: Session, state: dict[str, int], source: Location, quantity: int) -> Step:
    product = session.get_one(Product, state["product"])
    stock = _stock(session, state["product"], source.id)
    free = stock.free if stock is not None else 0
    params = {"product": product.name, "bin": source.code, "quantity": quantity, "free": free}
    if quantity < 1 or quantity > MAX_TYPED:
        return Step(False, "move_bad_quantity", params, state)
    if quantity > free:
        return Step(False, "move_not_free", params, state)
    return Step(True, "move_quantity_ok", params, {**state, "quantity": quantity})


def _finish(
    session: Session,
    state: dict[str, int],
    source: Location,
    target: Location,
    user: User,
    scan_id: str,
) -> Step:
    product = session.get_one(Product, state["product"])
    quantity = state["quantity"]
    params = {"product": product.name, "quantity": quantity, "from": source.code}
    params["to"] = target.code
    if target.receiving:
        return Step(False, "move_receiving", {"bin": target.code}, state)
    if target.id == source.id:
        return Step(False, "move_same_bin", params, state)
    if not target.active:  # goods leave a switched-off bin, none go in
        return Step(False, "bin_switched_off", {"bin": target.code}, state)
    if target.warehouse_id != source.warehouse_id:
        return Step(False, "move_other_warehouse", params, state)
    move_goods(session, product.id, source, target, quantity, user=user, document=f"move:{scan_id}")
    return Step(True, "move_done", params, {}, done=True)


def move_goods(
    session: Session,
    product_id: int,
    source: Location,
    target: Location,
    quantity: int,
    *,
    user: User,
    document: str,
) -> None:
    """``quantity`` free units of the product leave ``source`` and arrive in ``target``:
    two ledger rows under one document, in one transaction."""
    stock = _stock(session, product_id, source.id)
    free = inventory.free_units(session, stock) if stock is not None else 0
    if stock is None or quantity > free:
        product = session.get_one(Product, product_id)
        raise DomainError(
            "move_not_free",
            product=product.name,
            bin=source.code,
            quantity=quantity,
            free=free,
        )
    ledger.move(session, stock, -quantity, "move", document=document, user=user)
    arriving = ledger.stock_of(session, product_id, target.id)
    ledger.move(session, arriving, quantity, "move", document=document, user=user)
    logger.info(
        "goods moved product=%s from=%s to=%s quantity=%s document=%s",
        product_id,
        source.id,
        target.id,
        quantity,
        document,
    )


def replayed(session: Session, scan_id: str) -> bool:
    """Whether the move of this final scan is already written (a repeat of that scan)."""
    document = f"move:{scan_id}"
    return session.scalar(select(StockMove.id).where(StockMove.document == document)) is not None


def _stock(session: Session, product_id: int, location_id: int) -> Stock | None:
    return session.scalar(
        select(Stock).where(Stock.product_id == product_id, Stock.location_id == location_id)
    )
