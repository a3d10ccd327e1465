"""Label previews: any label as the image a Zebra would print, before or after printing.

The image is drawn offline by :mod:`printers.preview`, in the request: a marketplace's PDF label
turned into ``^GFA`` (75×120 mm at 300 dpi) takes milliseconds, and the renderer refuses input
that would take unbounded time or memory with ``ValueError``, which becomes a refusal in words
here (``label_unrenderable``), never a crash. A print job's ZPL never changes once it is set, so
an image is named by the digest of what it is drawn from (``etag``).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from printers import SIZES, detect_dpi
from printers import preview as renderer
from printers.zpl import dots_per_mm
from warehouse.errors import DomainError, NotFound
from warehouse.labels import print_jobs, printer_registry
from warehouse.models import PrintJob

DEFAULT_DPI = 203
SIZE_CHOICES = tuple(f"{width}x{height}" for width, height in SIZES)  # "58x40", …
# Pasted ZPL: a 100×150 mm label at 300 dpi as an uncompressed hex ^GFA is about 0.5 MB.
MAX_PASTED_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Stock:
    """The printer's resolution and the label it holds (where the ZPL sets no ^PW / ^LL)."""

    dpi: int
    width_mm: float | None = None
    height_mm: float | None = None


@dataclass(frozen=True)
class LabelView:
    """One rendered label as a page shows it; ``png`` only when asked for (pasted ZPL)."""

    number: int
    dpi: int
    width_dots: int
    height_dots: int
    warnings: tuple[str, ...]
    png: bytes | None = None

    @property
    def width_mm(self) -> float:
        return round(self.width_dots / dots_per_mm(self.dpi), 1)

    @property
    def height_mm(self) -> float:
        return round(self.height_dots / dots_per_mm(self.dpi), 1)

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png or b"").decode("ascii")


@dataclass(frozen=True)
class Sheet:
    """A preview area: its labels, or a problem code (with params) saying why there is none."""

    labels: tuple[LabelView, ...] = ()
    problem: str = ""
    params: dict[str, Any] = field(default_factory=dict)


def job_stock(job: PrintJob) -> Stock:
    printer = job.printer
    return Stock(printer.dpi, printer.label_width_mm, printer.label_height_mm)


def job_zpl(session: Session, job_id: int) -> tuple[bytes, Stock]:
    """The ZPL a job sends and the stock of its printer; NotFound until the label is fetched."""
    job = print_jobs.get(session, job_id)
    if not job.content or job.kind in print_jobs.DOCUMENT_JOBS:  # a PDF is not drawn here
        raise NotFound("label_not_fetched")
    return job.content, job_stock(job)


def spool_stock(zpl: bytes, dpi: int | None = None) -> Stock:
    """A spool file does not say its printer: the dpi asked for, else read off its ^PW."""
    if dpi in printer_registry.DPIS:
        return Stock(dpi)
    return Stock(detect_dpi(zpl) or DEFAULT_DPI)


def pasted(text: str, dpi: str, size: str) -> tuple[bytes, Stock]:
    """ZPL typed or pasted by a person, with the dpi and label size they chose."""
    zpl = text.strip().encode("utf-8")
    if not zpl:
        raise DomainError("preview_empty")
    if len(zpl) > MAX_PASTED_BYTES:
        raise DomainError("preview_too_large", size=len(zpl), limit=MAX_PASTED_BYTES)
    width, height = _label_size(size)
    return zpl, Stock(printer_registry.parse_dpi(dpi), width, height)


def pasted_sheet(text: str, dpi: str, size: str) -> Sheet:
    """Pasted ZPL for a page, with its PNGs inline (nothing is stored to load them from)."""
    try:
        zpl, stock = pasted(text, dpi, size)
    except DomainError as exc:
        return Sheet(problem=exc.code, params=exc.params)
    return sheet(zpl, stock, with_png=True)


def _label_size(text: str) -> tuple[int, int]:
    """One of the sizes our layouts are drawn for (the printers' usual stock)."""
    size = printer_registry.parse_size(text)
    if size not in SIZES:
        raise DomainError("bad_printer_field", field="label_size")
    return size


def render(zpl: bytes, stock: Stock) -> renderer.Preview:
    try:
        return renderer.render(
            zpl, dpi=stock.dpi, width_mm=stock.width_mm, height_mm=stock.height_mm
        )
    except ValueError as exc:
        raise DomainError("label_unrenderable", reason=str(exc)) from exc


def png(zpl: bytes, stock: Stock, number: int = 1) -> bytes:
    """Label ``number`` (from 1) of the stream as PNG, one pixel per printer dot."""
    drawn = render(zpl, stock).labels
    if not 1 <= number <= len(drawn):
        raise NotFound("preview_label_not_found", number=number)
    return drawn[number - 1].png


def sheet(zpl: bytes | None, stock: Stock, *, with_png: bool = False) -> Sheet:
    """Every label of ``zpl`` for a page; a problem instead of raising."""
    if not zpl:
        return Sheet(problem="label_not_fetched")
    try:
        drawn = render(zpl, stock)
    except DomainError as exc:
        return Sheet(problem=exc.code, params=exc.params)
    return Sheet(tuple(_view(n, label, with_png) for n, label in enumerate(drawn.labels, 1)))


def _view(number: int, label: renderer.LabelImage, with_png: bool) -> LabelView:
    width, height = label.image.size
    png_bytes = label.png if with_png else None
    return LabelView(number, label.dpi, width, height, label.warnings, png_bytes)


def etag(zpl: bytes, stock: Stock, number: int) -> str:
    """Names one image: the same ZPL on the same stock always draws the same picture."""
    digest = hashlib.sha256(zpl)
    digest.update(f"|{stock.dpi}|{stock.width_mm}|{stock.height_mm}|{number}".encode())
    return digest.hexdigest()[:32]
