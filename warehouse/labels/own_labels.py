"""Our own labels, printed through the print-job pipeline: products, bins, boxes, supplies.

Each ``queue_*`` makes the whole ZPL first (at the printer's dpi and label size), so a bad
barcode or a text that does not fit is refused before anything reaches a printer, then
queues one print job with that ZPL on it and who asked. A printer loading a size no layout
is drawn for gets the largest layout of ``printers.SIZES`` that fits on its labels; the job's
history says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

import printers
from printers import InvalidBarcode, LayoutError
from warehouse.errors import DomainError, NotFound
from warehouse.floor.batch_picking import TOTE_PREFIX
from warehouse.labels import print_jobs, sscc
from warehouse.models import (
    HandOver,
    IssuedSscc,
    Location,
    MarketplaceAccount,
    Order,
    Parcel,
    PickTask,
    Printer,
    PrintJob,
    Product,
    User,
)
from warehouse.shipping import handovers

logger = logging.getLogger(__name__)

MAX_COPIES = 999
MAX_BINS = 500  # in one job: a bigger warehouse prints its bins a zone at a time
MAX_TOTE_NUMBER = 99999
SYMBOLS = ("code128", "qr")
MARKETPLACE_NAMES = {
    "wb": "Wildberries",
    "ozon": "Ozon",
    "yandex": "Яндекс Маркет",
    "megamarket": "Мегамаркет",
}


@dataclass(frozen=True)
class LabelSize:
    """The layout size (mm) used on a printer, and whether it is the printer's own size."""

    width_mm: int
    height_mm: int
    printer_width_mm: int
    printer_height_mm: int

    @property
    def exact(self) -> bool:
        return (self.width_mm, self.height_mm) == (self.printer_width_mm, self.printer_height_mm)

    def describe(self) -> str:
        """For the job's history (the page says it in words)."""
        if self.exact:
            return f"layout {self.width_mm}×{self.height_mm} mm"
        return (
            f"layout {self.width_mm}×{self.height_mm} mm on "
            f"{self.printer_width_mm}×{self.printer_height_mm} mm labels"
        )


def label_size(printer: Printer) -> LabelSize:
    """The printer's own size if a layout is drawn for it, else the largest that fits."""
    width, height = printer.label_width_mm, printer.label_height_mm
    fitting = [(w, h) for w, h in printers.SIZES if w <= width and h <= height]
    if (width, height) in printers.SIZES:
        fitting = [(width, height)]
    if not fitting:
        raise DomainError("printer_size_unknown", printer=printer.name, size=f"{width}×{height}")
    best_w, best_h = max(fitting, key=lambda size: size[0] * size[1])
    return LabelSize(best_w, best_h, width, height)


def label_printer(session: Session, printer_id: int) -> tuple[Printer, LabelSize]:
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise NotFound("printer_not_found")
    if not printer.active:
        raise DomainError("printer_inactive", printer=printer.name)
    return printer, label_size(printer)


@dataclass(frozen=True)
class Queued:
    """A queued label job as the page shows it."""

    job: PrintJob
    size: LabelSize
    sscc: str = ""
    order_id: int | None = None


def queued(session: Session, job_id: int) -> Queued:
    """A job queued here, for the page that shows it after the redirect (or its polling)."""
    job = print_jobs.get(session, job_id)
    printer = job.printer
    try:
        size = label_size(printer)
    except DomainError:  # the printer's size was changed since: say what it loads now
        width, height = printer.label_width_mm, printer.label_height_mm
        size = LabelSize(width, height, width, height)
    code = session.scalar(select(IssuedSscc.code).where(IssuedSscc.print_job_id == job.id))
    return Queued(job, size, code or "")


def queue_product_labels(
    session: Session,
    product_id: int,
    printer_id: int,
    copies: int,
    user: User,
    barcode: str | None = None,
) -> Queued:
    """``copies`` of the product's label (one format, ^PQ), with ``barcode`` or its first
    unit barcode."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("product_not_found")
    if not 1 <= copies <= MAX_COPIES:
        raise DomainError("bad_copies", max=MAX_COPIES)
    code = _product_barcode(product, barcode)
    printer, size = label_printer(session, printer_id)

    def draw() -> bytes:
        return printers.product_label(
            product.name, product.article, code, quantity=copies, **_frame(printer, size)
        )

    content = _made(draw, "bad_product_barcode", barcode=code, size=size)
    detail = f"{product.article} × {copies}, {size.describe()}"
    return _queue(session, printer, size, "product_label", user, content, detail)


def _product_barcode(product: Product, wanted: str | None) -> str:
    units = sorted(product.barcodes, key=lambda b: (b.quantity != 1, b.id))
    if wanted:
        units = [b for b in units if b.barcode == wanted]
        if not units:
            raise DomainError("barcode_not_of_product", barcode=wanted, product=product.name)
    if not units:
        raise DomainError("product_has_no_barcode", product=product.name)
    return units[0].barcode


def queue_bin_labels(
    session: Session, printer_id: int, location_ids: Sequence[int] | None, user: User
) -> Queued:
    """One job of one label per bin, in walk order: the chosen bins, or (None) every bin of
    the printer's warehouse. Every label is made before the job exists."""
    printer, size = label_printer(session, printer_id)
    bins = _bins(session, printer.warehouse_id, location_ids)
    sheet = [_bin_label(location, printer, size) for location in bins]
    detail = f"{len(bins)} bins, {size.describe()}"
    return _queue(session, printer, size, "bin_labels", user, b"".join(sheet), detail)


def queue_printer_label(session: Session, printer_id: int, user: User) -> PrintJob:
    """«Пробная этикетка»: the printer's own code (``PRN-…``) large and as a Code 128, on a
    label of its size — the sticker a ТСД scans to print there, and a check of the printer."""
    printer, size = label_printer(session, printer_id)

    def draw() -> bytes:
        return printers.location_label(printer.code, **_frame(printer, size))

    content = _made(draw, "bad_printer_field", field="code", size=size)
    return _queue(session, printer, size, "test_label", user, content, printer.code).job


def queue_tote_labels(
    session: Session, printer_id: int, first: int, count: int, user: User
) -> Queued:
    """``count`` tote labels from ``TOTE-{first:03d}`` on: the code large over its Code 128
    (batch picking asks for each order's tote; the pack table finds the order by it)."""
    if not (1 <= first <= MAX_TOTE_NUMBER and 1 <= count <= MAX_BINS):
        raise DomainError("bad_tote_range", max=MAX_BINS)
    printer, size = label_printer(session, printer_id)
    codes = [f"{TOTE_PREFIX}{n:03d}" for n in range(first, first + count)]

    def draw() -> bytes:
        return b"".join(printers.location_sheet(codes, **_frame(printer, size)))

    content = _made(draw, "label_does_not_fit", size=size)
    detail = f"{codes[0]}…{codes[-1]}, {size.describe()}"
    return _queue(session, printer, size, "tote_labels", user, content, detail)


def queue_order_label(session: Session, task: PickTask, printer: Printer, user: User) -> Queued:
    """A picked order's number, large and as a Code 128, to go with its goods to the pack
    table (the single-order flow prints nothing else the packer could scan)."""
    size = label_size(printer)
    number = task.order.external_id

    def draw() -> bytes:
        return printers.location_label(number, **_frame(printer, size))

    content = _made(draw, "label_does_not_fit", size=size)
    detail = f"{_order_caption(task.order)}, {size.describe()}"
    return _queue(session, printer, size, "order_label", user, content, detail)


def queue_badge_label(
    session: Session, user_id: int, printer_id: int, by: User, caption: str = ""
) -> Queued:
    """A person's badge on a label: the name, ``caption`` (their roles in words) and the
    badge's Code 128 — the code the ТСД's login scans. Laminate it or stick it on a card."""
    person = session.get(User, user_id)
    if person is None:
        raise NotFound("user_not_found")
    if not person.badge:
        raise DomainError("no_badge", name=person.name)
    badge = person.badge
    printer, size = label_printer(session, printer_id)

    def draw() -> bytes:
        return printers.product_label(
            person.name, caption, badge, as_code128=True, **_frame(printer, size)
        )

    content = _made(draw, "bad_badge", badge=badge, size=size)
    detail = f"{person.name}, {size.describe()}"
    return _queue(session, printer, size, "badge_label", by, content, detail)


def _bins(session: Session, warehouse_id: int, ids: Sequence[int] | None) -> list[Location]:
    query = select(Location).where(Location.warehouse_id == warehouse_id)
    if ids is not None:
        if not ids:
            raise DomainError("no_bins")
        query = query.where(Location.id.in_(set(ids)))
    found = list(session.scalars(query.order_by(Location.walk_order, Location.code)))
    if ids is not None and len(found) != len(set(ids)):
        raise NotFound("location_not_found")
    if not found:
        raise DomainError("no_bins")
    if len(found) > MAX_BINS:
        raise DomainError("too_many_bins", max=MAX_BINS, count=len(found))
    return found


def _bin_label(location: Location, printer: Printer, size: LabelSize) -> bytes:
    """The bin's scanned code (``barcode``) in large type over its Code 128."""

    def draw() -> bytes:
        return b"".join(printers.location_sheet([location.barcode], **_frame(printer, size)))

    return _made(draw, "bad_bin_code", bin=location.barcode, size=size)


def queue_box_label(
    session: Session, parcel_id: int, printer_id: int, user: User, gs1: sscc.Gs1
) -> Queued:
    """A parcel's box label: its SSCC (issued once, printed again if asked again), the
    order's marketplace and number, and "n / m" of the order's parcels."""
    parcel = session.get(Parcel, parcel_id)
    if parcel is None:
        raise NotFound("parcel_not_found")
    printer, size = label_printer(session, printer_id)
    issued = sscc.for_parcel(session, gs1, parcel, user)
    total = len(session.scalars(select(Parcel.id).where(Parcel.order_id == parcel.order_id)).all())
    count = (parcel.number, max(total, parcel.number))
    return _box(session, issued, _order_caption(parcel.order), count, printer, size, user)


def queue_tote_label(
    session: Session, task_id: int, printer_id: int, user: User, gs1: sscc.Gs1
) -> Queued:
    """A box label for the tote of a pick task, with a new SSCC (totes are reused)."""
    task = session.get(PickTask, task_id)
    if task is None:
        raise NotFound("task_not_found")
    if not task.tote:
        raise DomainError("task_has_no_tote")
    printer, size = label_printer(session, printer_id)
    issued = sscc.for_tote(session, gs1, task.tote, task.order, user)
    caption = f"{task.tote} · {_order_caption(task.order)}"
    return _box(session, issued, caption, None, printer, size, user)


def _box(
    session: Session,
    issued: IssuedSscc,
    caption: str,
    count: tuple[int, int] | None,
    printer: Printer,
    size: LabelSize,
    user: User,
) -> Queued:
    def draw() -> bytes:
        return printers.box_label(issued.code, caption, count=count, **_frame(printer, size))

    content = _made(draw, "label_does_not_fit", size=size)
    detail = f"SSCC {issued.code}, {size.describe()}"
    job = _queue(session, printer, size, "box_label", user, content, detail).job
    issued.print_job_id = job.id
    return Queued(job, size, issued.code, issued.order_id)


def _order_caption(order: Order) -> str:
    return f"{order.account.kind.upper()} {order.external_id}"


def queue_supply_label(
    session: Session, supply_id: int, printer_id: int, symbol: str, user: User
) -> Queued:
    """A hand-over's label: marketplace, its number and the number's barcode (a WB supply's
    id, as WB's own supply barcode carries it; ``HO…`` where the marketplace gives none) as
    Code 128 or QR: the loader scans it to load onto that pickup."""
    supply = session.get(HandOver, supply_id)
    if supply is None:
        raise NotFound("supply_not_found")
    if symbol not in SYMBOLS:
        raise DomainError("bad_symbol")
    printer, size = label_printer(session, printer_id)
    account = session.get_one(MarketplaceAccount, supply.account_id)
    kind = account.kind
    caption = f"{account.name} · {supply.ship_date:%d.%m.%Y}"
    number = handovers.number(supply)

    def draw() -> bytes:
        return printers.supply_label(
            MARKETPLACE_NAMES.get(kind, kind.upper()),
            number,
            caption=caption,
            symbol="qr" if symbol == "qr" else "code128",
            **_frame(printer, size),
        )

    content = _made(draw, "bad_supply_code", supply=number, size=size)
    detail = f"{number} ({symbol}), {size.describe()}"
    return _queue(session, printer, size, "supply_label", user, content, detail)


class _Frame(TypedDict):
    width_mm: float
    height_mm: float
    dpi: int


def _frame(printer: Printer, size: LabelSize) -> _Frame:
    return {"width_mm": size.width_mm, "height_mm": size.height_mm, "dpi": printer.dpi}


def _made(draw: Callable[[], bytes], code: str, *, size: LabelSize, **params: str) -> bytes:
    """The label's ZPL, or a DomainError: ``code`` for a code the symbology cannot carry,
    ``label_does_not_fit`` for content too large for the label."""
    try:
        return draw()
    except InvalidBarcode as exc:
        raise DomainError(code, **params) from exc
    except LayoutError as exc:
        raise DomainError(
            "label_does_not_fit", size=f"{size.width_mm}×{size.height_mm}", **params
        ) from exc


def _queue(
    session: Session,
    printer: Printer,
    size: LabelSize,
    kind: str,
    user: User,
    content: bytes,
    detail: str,
) -> Queued:
    job = print_jobs.queue_own_label(session, printer, kind, user, content, detail)
    logger.info("own label queued job=%s kind=%s %s", job.id, kind, detail)
    return Queued(job, size)
