"""Packing: a picked order gets its parcel, and the marketplace's label goes to a printer."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse import inventory, labels, marking, outbox, picking, printer_registry
from warehouse.errors import DomainError, NotFound
from warehouse.models import Order, Parcel, PickTask, Printer, PrintJob, ScanEvent, User
from warehouse.picking import ScanResult
from warehouse.print_runs import LABEL_SIZES_MM

logger = logging.getLogger(__name__)


def task_to_pack(session: Session, scanned: str) -> PickTask:
    """The finished pick task of the order whose number, group number or tote was scanned."""
    code = scanned.strip()
    task = session.scalar(
        select(PickTask)
        .join(Order)
        .where(
            PickTask.kind == "pick",
            PickTask.status == "done",
            Order.status == "picked",
            (Order.external_id == code) | (Order.group_id == code) | (PickTask.tote == code),
        )
        .order_by(PickTask.id.desc())
        .limit(1)
    )
    if task is None:
        raise NotFound("nothing_to_pack", order=code)
    return task


def task_for_packing(session: Session, task_id: int) -> PickTask:
    """A finished pick task; any packer may pack it, not only the one who picked it."""
    task = session.get(PickTask, task_id)
    if task is None or task.kind != "pick" or task.status != "done":
        raise NotFound("task_not_found")
    return task


def pack_task(
    session: Session,
    task_id: int,
    user: User,
    printer_id: int | None,
    *,
    package: str = "",
    verify: bool = False,
    station: str | None = None,
) -> PrintJob:
    """Pack the order of a finished task into one parcel and queue its label.

    With ``verify`` every picked unit must have been scanned again at packing. The label
    goes to the printer chosen on the device, else its station's, else the default.
    Packing twice returns the print job of the first time: a double tap on the
    button must not print two labels.
    """
    task = task_for_packing(session, task_id)
    order = task.order
    existing = session.scalar(
        select(PrintJob).join(Parcel).where(Parcel.order_id == order.id).order_by(PrintJob.id)
    )
    if existing is not None:
        return existing
    if order.status != "picked":
        raise DomainError("order_not_picked", status=order.status)
    if verify and not verified(task):
        raise DomainError("verify_first")
    printer = label_printer(session, task, printer_id, station)
    if printer is None:
        raise DomainError("no_printer")
    parcel = Parcel(order=order, number=1, package=package)
    session.add(parcel)
    order.status = "packed"
    outbox.queue_command(session, order.account, "pack", order=order)
    outbox.queue_command(session, order.account, "ship", order=order)
    session.flush()
    logger.info("order packed order=%s parcel=%s by=%s", order.id, parcel.id, user.id)
    return labels.queue_marketplace_label(session, parcel, printer, user)


def label_printer(
    session: Session, task: PickTask, printer_id: int | None, station: str | None
) -> Printer | None:
    """Where the order's marketplace label will print: the device's printer, else its
    station's loading the marketplace's label size, else the warehouse default."""
    size = LABEL_SIZES_MM.get(task.order.account.kind)
    return printer_registry.for_packing(session, task.warehouse_id, printer_id, station, size)


def verified(task: PickTask) -> bool:
    return all(item.verified >= item.picked for item in task.items)


def verify_scan(
    session: Session, task_id: int, barcode: str, scan_id: str, user: User
) -> ScanResult:
    """Re-scan a packed unit: it must be in this order and not checked already."""
    scope = picking.scan_scope(user, "pack", task_id)
    stored = picking.stored_result(session, scope, scan_id)
    if stored is not None:
        return stored
    task = task_for_packing(session, task_id)
    result = _check(session, task, barcode.strip())
    session.add(
        ScanEvent(
            scope=scope,
            scan_id=scan_id,
            task_id=task.id,
            user_id=user.id,
            barcode=barcode[:300],
            ok=result.ok,
            code=result.code,
            message=f"pack {result.code} {result.params}"[:500],
            details={"params": result.params, "task_done": result.task_done},
        )
    )
    session.flush()
    return result


def _check(session: Session, task: PickTask, barcode: str) -> ScanResult:
    if task.order.status != "picked":
        return ScanResult(False, "order_not_picked", {"status": task.order.status})
    scanned = _scanned_product(session, task, barcode)
    if isinstance(scanned, ScanResult):
        return scanned
    product_id, quantity = scanned
    item = next(
        (i for i in task.items if i.product_id == product_id and i.verified < i.picked), None
    )
    if item is None:
        in_order = any(i.product_id == product_id for i in task.items)
        return ScanResult(False, "verify_extra" if in_order else "verify_not_in_order")
    item.verified = min(item.picked, item.verified + quantity)
    params = {"product": item.product.name, "verified": item.verified, "quantity": item.picked}
    if verified(task):
        return ScanResult(True, "verify_done", params, task_done=True)
    return ScanResult(True, "verify_ok", params)


def _scanned_product(
    session: Session, task: PickTask, barcode: str
) -> tuple[int, int] | ScanResult:
    """(product, units) for an EAN / pack barcode or a marking code captured for this order;
    else the refusal. A unit that needs marking is checked by its code, never its EAN."""
    if marking.looks_like_marking(barcode):
        return _scanned_code(session, task, barcode)
    match = inventory.product_by_barcode(session, barcode)
    if match is None:
        return ScanResult(False, "unknown_barcode", {"barcode": barcode})
    if match.product.needs_marking:
        return ScanResult(False, "marking_required", {"product": match.product.name})
    return match.product_id, match.quantity


def _scanned_code(session: Session, task: PickTask, barcode: str) -> tuple[int, int] | ScanResult:
    try:
        code = marking.parse(barcode)
    except marking.MalformedCode as exc:
        return ScanResult(False, "marking_malformed", {"reason": exc.reason})
    product = inventory.product_by_gtin(session, code.gtin)
    if product is None:
        return ScanResult(False, "marking_unknown_gtin", {"gtin": code.gtin})
    if product.needs_marking:
        picked = picking.marking_codes(session, task.order).values()
        if not any(marking.parse(c).serial == code.serial for codes in picked for c in codes):
            return ScanResult(False, "marking_not_this_order", {"product": product.name})
    return product.id, 1
