"""Returns: a parcel the marketplace brought back, received on the ТСД.

The receiver scans the parcel's sticker (or its SSCC, or the order's number), then each
unit (a pack barcode grades its pack) and grades it: a bin scanned puts it back on that
shelf (a ``return`` movement into the bin, free stock again, pushed to the marketplaces);
«Брак» (or the defect area's barcode scanned) puts it into the warehouse's defect area for
a claim (a ``return_defect`` movement: in stock, never free; written off later on the
desk, see ``warehouse.stock.defects``); «Списать» writes it off — destroyed, it enters no
bin, so only the return's unit row (grade, who, when) and the order page tell of it.
When every unit of the order is graded (or the receiver says the rest is missing) the
order becomes ``returned``.

The unit being graded lives in a dict the caller keeps (the ТСД's session):
``{"product": product id, "line": order line id, "quantity": n}``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.accounting import owed
from warehouse.errors import DomainError, NotFound
from warehouse.models import Location, OrderLine, Return, ReturnUnit, User, Warehouse, utcnow
from warehouse.models.returns import RETURN_GRADES
from warehouse.shipping import handovers
from warehouse.stock import defects, inventory, ledger, stock_sync

logger = logging.getLogger(__name__)

# an order comes back only once it has left us
RETURNABLE = ("handed_over", "shipped", "delivered")


@dataclass
class Step:
    ok: bool
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    state: dict[str, int] = field(default_factory=dict)
    done: bool = False


def receive(session: Session, code: str, *, user: User) -> Return:
    """The returned parcel scanned: its return is opened (or the open one continued)."""
    code = code.strip()
    parcel = handovers.parcel_by_code(session, code)
    if parcel is None:
        raise DomainError("return_unknown_parcel", scanned=code[:60])
    order = parcel.order
    found = session.scalar(select(Return).where(Return.order_id == order.id))
    if found is not None:
        if found.status == "done":
            raise DomainError("return_already_received", order=order.external_id)
        return found
    if order.status not in RETURNABLE:
        raise DomainError("return_not_shipped", order=order.external_id)
    ret = Return(
        order_id=order.id,
        parcel_id=parcel.id,
        previous_status=order.status,
        received_by_id=user.id,
    )
    session.add(ret)
    session.flush()
    logger.info("return opened return=%s order=%s", ret.id, order.id)
    return ret


def get(session: Session, return_id: int) -> Return:
    ret = session.get(Return, return_id)
    if ret is None:
        raise NotFound("return_not_found")
    return ret


def left(ret: Return, line: OrderLine) -> int:
    """Units of the line not graded yet."""
    return line.quantity - sum(u.quantity for u in ret.units if u.line_id == line.id)


def units_left(ret: Return) -> int:
    return sum(max(left(ret, line), 0) for line in ret.order.lines)


def scan(
    session: Session,
    return_id: int,
    state: dict[str, int],
    barcode: str,
    *,
    user: User,
    scan_id: str,
) -> Step:
    """A product (the unit to grade) or a bin (the unit goes back on that shelf)."""
    ret = get(session, return_id)
    if ret.status != "open":
        return Step(False, "return_closed", {"order": ret.order.external_id})
    replay = _replayed(ret, scan_id)
    if replay is not None:
        return replay
    barcode = barcode.strip()
    location = session.scalar(select(Location).where(Location.barcode == barcode))
    if location is not None:
        if "product" not in state:
            return Step(False, "return_product_first", {"left": units_left(ret)}, state)
        if location.warehouse_id != ret.order.account.warehouse_id:
            return Step(False, "return_other_warehouse", {"bin": location.code}, state)
        if not location.active:
            return Step(False, "bin_switched_off", {"bin": location.code}, state)
        grade_ = "defect" if location.defect else "stock"
        return _grade(session, ret, state, grade_, location, user, scan_id)
    found = inventory.product_by_barcode(session, barcode)
    if found is None:
        return Step(False, "return_unknown_barcode", {"barcode": barcode[:60]}, state)
    lines = [line for line in ret.order.lines if line.product_id == found.product_id]
    name = found.product.name
    if not lines:
        return Step(False, "return_not_in_order", {"product": name}, state)
    line = next((ln for ln in lines if left(ret, ln) >= found.quantity), None)
    if line is None:
        return Step(False, "return_too_many", {"product": name, "left": left(ret, lines[0])}, state)
    new = {"product": found.product_id, "line": line.id, "quantity": found.quantity}
    return Step(True, "return_grade_it", {"product": name, "quantity": found.quantity}, new)


def grade(
    session: Session,
    return_id: int,
    state: dict[str, int],
    grade_: str,
    *,
    user: User,
    scan_id: str,
) -> Step:
    """«Брак» or «Списать» pressed for the unit scanned."""
    ret = get(session, return_id)
    if ret.status != "open":
        return Step(False, "return_closed", {"order": ret.order.external_id})
    replay = _replayed(ret, scan_id)
    if replay is not None:
        return replay
    if grade_ not in RETURN_GRADES or grade_ == "stock":
        raise DomainError("return_bad_grade")
    if "product" not in state:
        return Step(False, "return_product_first", {"left": units_left(ret)}, state)
    location = None
    if grade_ == "defect":
        warehouse = session.get_one(Warehouse, ret.order.account.warehouse_id)
        location = defects.defect_bin(session, warehouse)
    return _grade(session, ret, state, grade_, location, user, scan_id)


def _replayed(ret: Return, scan_id: str) -> Step | None:
    unit = next((u for u in ret.units if u.scan_id == scan_id), None)
    if unit is None:
        return None
    return Step(True, "return_graded_before", {"product": unit.product.name}, {})


def _grade(
    session: Session,
    ret: Return,
    state: dict[str, int],
    grade_: str,
    location: Location | None,
    user: User,
    scan_id: str,
) -> Step:
    line = session.get_one(OrderLine, state["line"])
    quantity = state["quantity"]
    if line.order_id != ret.order_id or left(ret, line) < quantity:
        return Step(False, "return_too_many", {"product": line.article, "left": left(ret, line)})
    unit = ReturnUnit(
        line_id=line.id,
        product_id=state["product"],
        quantity=quantity,
        grade=grade_,
        location_id=location.id if location is not None else None,
        scan_id=scan_id[:64],
        user_id=user.id,
    )
    ret.units.append(unit)
    session.flush()
    if location is not None:
        stock = ledger.stock_of(session, state["product"], location.id)
        reason = "return_defect" if grade_ == "defect" else "return"
        ledger.move(session, stock, quantity, reason, document=f"return:{ret.id}", user=user)
    params = {"product": unit.product.name, "quantity": quantity, "left": units_left(ret)}
    params["bin"] = location.code if location is not None else ""
    logger.info("return unit graded return=%s unit=%s grade=%s", ret.id, unit.id, grade_)
    if units_left(ret) == 0:
        close(session, ret.id, user=user)
        return Step(True, "return_done", {**params, "order": ret.order.external_id}, {}, True)
    return Step(True, f"return_{grade_}", params, {})


def close(session: Session, return_id: int, *, user: User) -> Return:
    """The return is finished (every unit graded, or the rest never came): the order is
    ``returned``, the goods put back are pushed to the marketplaces and the accounting
    system is owed a customer return (through the outbox)."""
    ret = get(session, return_id)
    if ret.status != "open":
        raise DomainError("return_closed", order=ret.order.external_id)
    ret.status, ret.closed_at = "done", utcnow()
    ret.order.status = "returned"
    stock_sync.changed(session, {u.product_id for u in ret.units if u.grade == "stock"})
    owed.return_closed(session, ret)
    session.flush()
    logger.info("return closed return=%s order=%s by=%s", ret.id, ret.order_id, user.id)
    return ret


def recent(session: Session, limit: int = 100) -> list[Return]:
    return list(session.scalars(select(Return).order_by(Return.id.desc()).limit(limit)))
