"""Receiving: a supplier's delivery counted in on the ТСД into the receiving area.

A delivery (``Receipt``) is expected — its lines from an uploaded list or from a МойСклад
purchase order (``accounting/purchase_orders.py``) — or blind. The receiver scans each
product (a pack barcode counts its pack), or types a quantity first and then scans the
product once. Every accepted scan is a ``receipt`` movement into the
warehouse's receiving bin (document ``receipt:<id>``) and a ``ReceiptScan`` row whose
UNIQUE scan id makes a resent scan a replay. Goods in the receiving bin are on hand but
not free for orders (inventory's reservations skip it) until put away (``put_away.py``).
The supervisor closes the delivery on the desk, with the difference shown first.

The ТСД's typed quantity lives in a small dict the caller keeps: ``{"quantity": n}``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warehouse.accounting import owed
from warehouse.errors import DomainError, NotFound
from warehouse.floor import marking
from warehouse.models import (
    Location,
    Product,
    ProductBarcode,
    Receipt,
    ReceiptLine,
    ReceiptScan,
    ReceivedMarkingCode,
    User,
    Warehouse,
    utcnow,
)
from warehouse.staff import access
from warehouse.stock import inventory, ledger
from warehouse.stock.moves import MAX_TYPED, Step
from warehouse.stock.receipt_files import ExpectedRow

logger = logging.getLogger(__name__)

RECEIVING_CODE = "RECEIVING"


def receiving_bin(session: Session, warehouse: Warehouse) -> Location:
    """The warehouse's receiving area, created the first time goods arrive (one per
    warehouse: a partial UNIQUE index)."""
    found = session.scalar(
        select(Location).where(Location.warehouse_id == warehouse.id, Location.receiving)
    )
    if found is None:
        found = Location(
            warehouse_id=warehouse.id,
            code=RECEIVING_CODE,
            barcode=f"RCV-{warehouse.code}",
            walk_order=0,
            receiving=True,
        )
        session.add(found)
        session.flush()
    return found


def create(
    session: Session,
    warehouse_id: int,
    supplier: str,
    expected: Sequence[ExpectedRow] | None,
    *,
    user: User | None,
    request_id: str | None = None,
) -> Receipt:
    """A delivery: expected lines from a file's rows (all known, or nothing written), or
    blind when ``expected`` is None. The same ``request_id`` again returns the first."""
    if request_id:
        before = session.scalar(select(Receipt).where(Receipt.request_id == request_id))
        if before is not None:
            return before
    warehouse, supplier = _destination(session, warehouse_id, supplier)
    quantities: dict[int, int] = {}
    for row in expected or ():
        product = _product_of(session, row)
        quantities[product.id] = quantities.get(product.id, 0) + row.quantity
    return _open(session, warehouse, supplier, quantities, expected is None, user, request_id, {})


def create_expected(
    session: Session,
    warehouse_id: int,
    supplier: str,
    quantities: dict[int, int],
    *,
    user: User | None,
    request_id: str | None = None,
    **columns: Any,
) -> Receipt:
    """A delivery expecting ``quantities`` (product id → units) that another source worked
    out (a МойСклад purchase order: ``columns`` say which)."""
    warehouse, supplier = _destination(session, warehouse_id, supplier)
    return _open(session, warehouse, supplier, quantities, False, user, request_id, columns)


def _destination(session: Session, warehouse_id: int, supplier: str) -> tuple[Warehouse, str]:
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound("warehouse_not_found")
    supplier = supplier.strip()
    if not supplier or len(supplier) > 200:
        raise DomainError("receipt_no_supplier")
    return warehouse, supplier


def _open(
    session: Session,
    warehouse: Warehouse,
    supplier: str,
    quantities: dict[int, int],
    blind: bool,
    user: User | None,
    request_id: str | None,
    columns: dict[str, Any],
) -> Receipt:
    receipt = Receipt(
        warehouse_id=warehouse.id,
        supplier=supplier,
        blind=blind,
        request_id=request_id or None,
        created_by=user.id if user else None,
        **columns,
    )
    receipt.lines = [
        ReceiptLine(product_id=p, expected=q, received=0) for p, q in quantities.items()
    ]
    session.add(receipt)
    session.flush()
    logger.info("receipt created receipt=%s lines=%s", receipt.id, len(receipt.lines))
    return receipt


def _product_of(session: Session, row: ExpectedRow) -> Product:
    if row.article:
        product = session.scalar(select(Product).where(Product.article == row.article))
        if product is None:
            raise DomainError("receipt_row_unknown_article", row=row.row, article=row.article)
        return product
    found = inventory.product_by_barcode(session, row.barcode)
    if found is None:
        raise DomainError("receipt_row_unknown_barcode", row=row.row, barcode=row.barcode)
    return found.product


def warehouses(session: Session) -> list[Warehouse]:
    return list(session.scalars(select(Warehouse).order_by(Warehouse.id)))


def get(session: Session, receipt_id: int) -> Receipt:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound("receipt_not_found")
    return receipt


def open_receipt(session: Session, receipt_id: int) -> Receipt:
    receipt = get(session, receipt_id)
    if receipt.status != "open":
        raise DomainError("receipt_closed", receipt=receipt.id)
    return receipt


def open_receipts(session: Session) -> list[Receipt]:
    return list(
        session.scalars(select(Receipt).where(Receipt.status == "open").order_by(Receipt.id))
    )


def recent(session: Session, limit: int = 50) -> list[Receipt]:
    return list(session.scalars(select(Receipt).order_by(Receipt.id.desc()).limit(limit)))


def scan(
    session: Session,
    receipt_id: int,
    state: dict[str, Any],
    barcode: str,
    *,
    user: User,
    scan_id: str,
) -> Step:
    """One scan of a delivery on the ТСД: a typed quantity, a product, a marked unit's
    code, or (a supervisor) an unknown barcode and then a known one of its product."""
    receipt = open_receipt(session, receipt_id)
    barcode = barcode.strip()
    if barcode.isdecimal() and len(barcode) <= 4:
        quantity = int(barcode)
        if not 0 < quantity <= MAX_TYPED:
            return Step(False, "receipt_bad_quantity", {"quantity": quantity}, state)
        return Step(True, "receipt_quantity_ok", {"quantity": quantity}, {"quantity": quantity})
    if session.scalar(select(Location.id).where(Location.barcode == barcode)) is not None:
        return Step(False, "receipt_bin_scanned", {"barcode": barcode}, state)
    found = inventory.product_by_barcode(session, barcode)
    if found is None:
        if (
            access.may(user, "bind_barcode")
            and 0 < len(barcode) <= 64
            and not marking.looks_like_marking(barcode)
        ):
            return Step(False, "receipt_unknown_bind", {"barcode": barcode}, {"unbound": barcode})
        return Step(False, "receipt_unknown_barcode", {"barcode": barcode}, state)
    product = found.product
    if "unbound" in state:
        bind_barcode(session, state["unbound"], product, user=user)
        return Step(
            True, "receipt_barcode_bound", {"barcode": state["unbound"], "product": product.name}
        )
    if product.needs_marking:
        return _marked_unit(session, receipt, product, barcode, state, user, scan_id)
    units = state.get("quantity", 1) * found.quantity
    line = receive(session, receipt, product, units, user=user, scan_id=scan_id)
    return _counted(receipt, line, units)


def _counted(receipt: Receipt, line: ReceiptLine, units: int) -> Step:
    params = {
        "product": line.product.name,
        "quantity": units,
        "received": line.received,
        "expected": line.expected,
    }
    if not receipt.blind and line.received > line.expected:
        return Step(True, "receipt_surplus", params, {})
    return Step(True, "receipt_blind_scanned" if receipt.blind else "receipt_scanned", params, {})


def _marked_unit(
    session: Session,
    receipt: Receipt,
    product: Product,
    barcode: str,
    state: dict[str, Any],
    user: User,
    scan_id: str,
) -> Step:
    """Marked goods arrive unit by unit, each by its Честный знак code, each code once."""
    params = {"product": product.name}
    if not marking.looks_like_marking(barcode):
        return Step(False, "receipt_marking_required", params, state)
    if state.get("quantity", 1) != 1:
        return Step(False, "receipt_marking_one_by_one", params, {})
    try:
        code = marking.parse(barcode)
    except marking.MalformedCode as unreadable:
        return Step(False, "marking_malformed", {"why": unreadable.reason}, state)
    seen = select(ReceivedMarkingCode.id).where(
        ReceivedMarkingCode.gtin == code.gtin, ReceivedMarkingCode.serial == code.serial
    )
    if session.scalar(seen) is not None:
        return Step(False, "receipt_marking_twice", params, state)
    line = receive(session, receipt, product, 1, user=user, scan_id=scan_id)
    session.add(
        ReceivedMarkingCode(
            receipt_id=receipt.id,
            product_id=product.id,
            gtin=code.gtin,
            serial=code.serial,
            code=code.full[:300],
        )
    )
    session.flush()
    return _counted(receipt, line, 1)


def bind_barcode(session: Session, barcode: str, product: Product, *, user: User) -> ProductBarcode:
    """A barcode nobody knew becomes one of the product's (a supervisor's decision)."""
    if not access.may(user, "bind_barcode"):
        raise DomainError("bind_supervisor_only")
    taken = session.scalar(select(Location.id).where(Location.barcode == barcode))
    if taken is not None or inventory.product_by_barcode(session, barcode) is not None:
        raise DomainError("bind_taken", barcode=barcode)
    row = ProductBarcode(product_id=product.id, barcode=barcode, quantity=1)
    session.add(row)
    session.flush()
    logger.info("barcode bound barcode=%s product=%s by=%s", barcode, product.id, user.id)
    return row


def receive(
    session: Session,
    receipt: Receipt,
    product: Product,
    units: int,
    *,
    user: User | None,
    scan_id: str,
) -> ReceiptLine:
    """``units`` of the product arrive: the line counts them, the receiving bin holds them."""
    session.add(
        ReceiptScan(
            scan_id=scan_id,
            receipt_id=receipt.id,
            product_id=product.id,
            quantity=units,
            user_id=user.id if user else None,
        )
    )
    session.flush()  # a resent scan stops here (UNIQUE scan id)
    line = session.scalar(
        select(ReceiptLine).where(
            ReceiptLine.receipt_id == receipt.id, ReceiptLine.product_id == product.id
        )
    )
    if line is None:
        line = ReceiptLine(product_id=product.id, expected=0, received=0)  # not on the list
        receipt.lines.append(line)
        session.flush()
    session.execute(
        update(ReceiptLine)
        .where(ReceiptLine.id == line.id)
        .values(received=ReceiptLine.received + units)
        .execution_options(synchronize_session=False)
    )
    session.expire(line, ["received"])
    stock = ledger.stock_of(session, product.id, receiving_bin(session, receipt.warehouse).id)
    ledger.move(session, stock, units, "receipt", document=f"receipt:{receipt.id}", user=user)
    return line


def replayed(session: Session, scan_id: str) -> bool:
    return session.scalar(select(ReceiptScan.id).where(ReceiptScan.scan_id == scan_id)) is not None


def differences(receipt: Receipt) -> list[ReceiptLine]:
    """Lines whose received count is not what was expected (surplus or shortage)."""
    return [line for line in receipt.lines if line.difference != 0]


def close(session: Session, receipt_id: int, *, user: User) -> Receipt:
    """The delivery is done: no more scans. Goods stay in the receiving bin until put away.
    A delivery opened from a МойСклад purchase order owes its supply (Приёмка) there."""
    receipt = open_receipt(session, receipt_id)
    receipt.status = "closed"
    receipt.closed_at = utcnow()
    session.flush()
    owed.receipt_closed(session, receipt)
    logger.info(
        "receipt closed receipt=%s by=%s differences=%s",
        receipt.id,
        user.id,
        len(differences(receipt)),
    )
    return receipt
