"""Packing: a picked order gets its parcel, and the marketplace's label goes to a printer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, distinct, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from warehouse.errors import DomainError, NotFound
from warehouse.floor import marking, picking
from warehouse.floor.picking import ScanResult
from warehouse.labels import own_labels, print_jobs, printer_registry
from warehouse.labels.print_runs import LABEL_SIZES_MM
from warehouse.marketplaces import outbox
from warehouse.models import (
    MarkingCode,
    Order,
    OrderLine,
    Parcel,
    PickItem,
    PickTask,
    Printer,
    PrintJob,
    User,
)
from warehouse.shipping import handovers
from warehouse.stock import inventory

logger = logging.getLogger(__name__)

PACKED = ("packed", "labelled", "shipped", "delivered")


@dataclass(frozen=True)
class ToPack:
    """The order a packer's scan found, how (``order``, ``tote``, ``marking``, ``product``)
    and, when found by a product, how many other one-product orders of it wait too."""

    task: PickTask
    by: str
    others: int = 0


def to_pack(session: Session, scanned: str) -> ToPack:
    """The picked order of whatever reached the pack table: its number (or the marketplace's
    group number), its tote, a unit's Честный знак code, or — for an order of one product —
    the product itself (the most urgent such order first)."""
    code = scanned.strip()
    if not code:
        raise NotFound("nothing_to_pack", order=code)
    for by, where in (("order", _by_number(code)), ("tote", PickTask.tote == code)):
        task = _picked(session, where)
        if task is not None:
            return ToPack(task, by)
    _refuse_packed(session, code)
    if marking.looks_like_marking(code):
        return _by_marking(session, code)
    match = inventory.product_by_barcode(session, code)
    if match is not None:
        return _by_product(session, match.product_id, match.product.name)
    raise NotFound("nothing_to_pack", order=code)


def _by_number(code: str) -> ColumnElement[bool]:
    return (Order.external_id == code) | ((Order.group_id == code) & (Order.group_id != ""))


def _picked(session: Session, where: ColumnElement[bool]) -> PickTask | None:
    """The newest finished pick task of a picked (not yet packed) order matching ``where``."""
    return session.scalar(_waiting().where(where).order_by(PickTask.id.desc()).limit(1))


def _waiting() -> Select[tuple[PickTask]]:
    return (
        select(PickTask)
        .join(Order)
        .where(PickTask.kind == "pick", PickTask.status == "done", Order.status == "picked")
    )


def _refuse_packed(session: Session, code: str) -> None:
    """A sticker or number of an order past packing: say so rather than «not found»."""
    order = session.scalar(
        select(Order)
        .outerjoin(Parcel)
        .where(_by_number(code) | (Parcel.label_barcode == code))
        .where(Order.status.in_(PACKED))
        .order_by(Order.id.desc())
        .limit(1)
    )
    if order is not None:
        raise DomainError("already_packed", order=order.external_id, status=order.status)


def _by_marking(session: Session, raw: str) -> ToPack:
    """A unit's Честный знак code names its order exactly (it was captured at pick)."""
    try:
        code = marking.parse(raw)
    except marking.MalformedCode as exc:
        raise DomainError("marking_malformed", reason=exc.reason) from exc
    task = _picked(
        session,
        Order.lines.any(
            OrderLine.id.in_(
                select(MarkingCode.line_id).where(
                    MarkingCode.gtin == code.gtin, MarkingCode.serial == code.serial
                )
            )
        ),
    )
    if task is None:
        raise NotFound("nothing_to_pack", order=raw)
    return ToPack(task, "marking")


def _by_product(session: Session, product_id: int, name: str) -> ToPack:
    """The most urgent picked order made of this one product (ship-by, then picked first)."""
    one_product = (
        select(PickItem.task_id)
        .group_by(PickItem.task_id)
        .having(func.count(distinct(PickItem.product_id)) == 1)
        .having(func.min(PickItem.product_id) == product_id)
    )
    urgent = (PickTask.ship_by.is_(None), PickTask.ship_by, PickTask.finished_at, PickTask.id)
    tasks = list(session.scalars(_waiting().where(PickTask.id.in_(one_product)).order_by(*urgent)))
    if tasks:
        return ToPack(tasks[0], "product", len(tasks) - 1)
    mixed = _waiting().where(PickTask.items.any(PickItem.product_id == product_id))
    if session.scalar(mixed.limit(1)) is not None:
        raise NotFound("product_in_mixed_orders", product=name)
    raise NotFound("no_order_with_product", product=name)


def print_order_label(
    session: Session, task_id: int, user: User, printer_id: int | None, station: str | None
) -> PrintJob:
    """The order's number for the pack table, printed on the device's printer (else its
    station's, else the warehouse default) once its pick task is done."""
    task = task_for_packing(session, task_id)
    printer = printer_registry.for_packing(session, task.warehouse_id, printer_id, station)
    if printer is None:
        raise DomainError("no_printer")
    return own_labels.queue_order_label(session, task, printer, user).job


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
    chosen = label_printer(session, task, printer_id, station)
    if chosen.printer is None:
        raise DomainError("no_printer")
    if chosen.refusal is not None:
        raise chosen.refusal
    printer = chosen.printer
    parcel = Parcel(order=order, number=1, package=package)
    session.add(parcel)
    order.status = "packed"
    handovers.join(session, order)
    outbox.queue_command(session, order.account, "pack", order=order)
    outbox.queue_command(session, order.account, "ship", order=order)
    session.flush()
    logger.info("order packed order=%s parcel=%s by=%s", order.id, parcel.id, user.id)
    return print_jobs.queue_marketplace_label(session, parcel, printer, user)


@dataclass(frozen=True)
class LabelPrinter:
    """Where the order's marketplace label would print; ``refusal`` when its label does
    not fit there, with the printers it does fit on (``fitting``)."""

    printer: Printer | None
    refusal: DomainError | None = None
    fitting: tuple[Printer, ...] = ()


def label_printer(
    session: Session, task: PickTask, printer_id: int | None, station: str | None
) -> LabelPrinter:
    """The device's printer, else its station's loading the marketplace's label size, else
    the warehouse default — refused when the marketplace's label does not fit on it (a
    75×120 label on a 58×40 printer), never sent there silently."""
    size = LABEL_SIZES_MM.get(task.order.account.kind)
    printer = printer_registry.for_packing(session, task.warehouse_id, printer_id, station, size)
    if printer is None or size is None or printer_registry.fits(printer, size):
        return LabelPrinter(printer)
    fitting = tuple(printer_registry.loading(session, task.warehouse_id, size))
    refusal = DomainError(
        "label_size_mismatch",
        label=_mm(size),
        printer=printer.name,
        loaded=_mm((printer.label_width_mm, printer.label_height_mm)),
        fitting=", ".join(p.name for p in fitting),
    )
    return LabelPrinter(printer, refusal, fitting)


def _mm(size: tuple[int, int]) -> str:
    return f"{size[0]}×{size[1]}"


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
    return picking.store_scan(session, scope, scan_id, barcode, user, result, task=task, item=None)


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
    # in SQL, capped at what was picked: two scans at once are both counted
    counted = session.execute(
        update(PickItem)
        .where(PickItem.id == item.id, PickItem.verified < PickItem.picked)
        .values(
            verified=case(
                (PickItem.verified + quantity > PickItem.picked, PickItem.picked),
                else_=PickItem.verified + quantity,
            )
        )
        .returning(PickItem.verified)
        .execution_options(synchronize_session=False)
    ).scalar()
    if counted is None:  # another scan checked the last unit a moment ago
        return ScanResult(False, "verify_extra")
    set_committed_value(item, "verified", counted)
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
