"""The printers of a warehouse: registry, stations, scannable codes, last known status.

A ТСД or pack station finds its printer by the printer's own code (``PRN-…``, printed
on a sticker on the printer) or by its station; print jobs fail over between the
active printers of one station that load the same labels (same dpi and size).

A printer is a label printer (a Zebra: ZPL, raw TCP 9100 or a CUPS raw queue) or a
document printer (an office printer's CUPS queue, A4, given whole PDFs). Every choice of
a printer for labels sees only label printers, and A4 papers go only to document ones.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

import printers
from printers import cups
from warehouse.errors import DomainError, NotFound
from warehouse.models import PRINTER_KINDS, PRINTER_TRANSPORTS, Printer, utcnow

logger = logging.getLogger(__name__)

CODE_PREFIX = "PRN-"
_CODE = re.compile(r"PRN-[A-Z0-9][A-Z0-9-]{0,59}")
_QUEUE = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_SIZE = re.compile(r"\s*(\d{2,3})\s*[x×хX*]\s*(\d{2,3})\s*")
DPIS = (203, 300, 600)
A4_MM = (210, 297)
LABEL = Printer.kind == "label"


@dataclass(frozen=True)
class PrinterFields:
    """A printer as the supervisor's form describes it, checked."""

    name: str
    host: str
    port: int
    transport: str
    queue: str
    dpi: int
    width_mm: int
    height_mm: int
    station: str
    zone: str
    code: str
    kind: str = "label"


def parse(form: Mapping[str, str]) -> PrinterFields:
    """Check the form's text fields; a bad one raises ``bad_printer_field`` naming it."""
    name = form.get("name", "").strip()
    if not 0 < len(name) <= 100:
        raise DomainError("bad_printer_field", field="name")
    kind = form.get("kind", "label").strip() or "label"
    if kind not in PRINTER_KINDS:
        raise DomainError("bad_printer_field", field="kind")
    transport = form.get("transport", "tcp").strip() or "tcp"
    if transport not in PRINTER_TRANSPORTS:
        raise DomainError("bad_printer_field", field="transport")
    if kind == "document" and transport != "cups":
        raise DomainError("document_printer_not_cups")
    queue = form.get("queue", "").strip()
    if transport == "cups" and not _QUEUE.fullmatch(queue):
        raise DomainError("bad_printer_field", field="queue")
    if kind == "document":  # no ~HS on an office printer: its queue is all we talk to
        return _document(form, name, queue)
    host, port = _address(form.get("address", ""), required=transport == "tcp")
    width, height = parse_size(form.get("label_size", "58x40"))
    return PrinterFields(
        name=name,
        host=host,
        port=port,
        transport=transport,
        queue=queue if transport == "cups" else "",
        dpi=parse_dpi(form.get("dpi", "203")),
        width_mm=width,
        height_mm=height,
        station=_short(form, "station"),
        zone=_short(form, "zone"),
        code=_code(form.get("code", "")),
    )


def _document(form: Mapping[str, str], name: str, queue: str) -> PrinterFields:
    """An office printer: a CUPS queue with A4 paper, no address, no label size."""
    return PrinterFields(
        name=name,
        host="",
        port=9100,
        transport="cups",
        queue=queue,
        dpi=parse_dpi(form.get("dpi", "300") or "300"),
        width_mm=A4_MM[0],
        height_mm=A4_MM[1],
        station=_short(form, "station"),
        zone=_short(form, "zone"),
        code=_code(form.get("code", "")),
        kind="document",
    )


def _address(text: str, *, required: bool) -> tuple[str, int]:
    """``host[:port]``, port 9100 by default; empty only for a CUPS queue."""
    text = text.strip()
    if not text:
        if required:
            raise DomainError("bad_printer_field", field="address")
        return "", 9100
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = text, "9100"
    if not re.fullmatch(r"[A-Za-z0-9.\-]{1,200}", host) or not port_text.isdecimal():
        raise DomainError("bad_printer_field", field="address")
    port = int(port_text)
    if not 0 < port < 65536:
        raise DomainError("bad_printer_field", field="address")
    return host, port


def parse_size(text: str) -> tuple[int, int]:
    """``"75x120"`` (or ``75 × 120``, ``75х120``) → (75, 120), in mm."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise DomainError("bad_printer_field", field="label_size")
    width, height = int(match.group(1)), int(match.group(2))
    if not (10 <= width <= 220 and 10 <= height <= 400):
        raise DomainError("bad_printer_field", field="label_size")
    return width, height


def parse_dpi(text: str) -> int:
    if not text.strip().isdecimal() or int(text) not in DPIS:
        raise DomainError("bad_printer_field", field="dpi")
    return int(text)


def _short(form: Mapping[str, str], field: str) -> str:
    value = form.get(field, "").strip()
    if len(value) > 64:
        raise DomainError("bad_printer_field", field=field)
    return value


def _code(text: str) -> str:
    code = text.strip().upper()
    if code and not _CODE.fullmatch(code):
        raise DomainError("bad_printer_field", field="code")
    return code


def create(session: Session, warehouse_id: int, fields: PrinterFields) -> Printer:
    printer = Printer(warehouse_id=warehouse_id, code="", active=True)
    _apply(session, printer, fields)
    session.add(printer)
    session.flush()
    logger.info("printer added printer=%s code=%s", printer.id, printer.code)
    return printer


def update(session: Session, printer_id: int, fields: PrinterFields) -> Printer:
    printer = get(session, printer_id)
    _apply(session, printer, fields)
    session.flush()
    return printer


def _apply(session: Session, printer: Printer, fields: PrinterFields) -> None:
    code = fields.code or printer.code or _next_code(session)
    for column, value, taken in (
        ("name", fields.name, "printer_name_taken"),
        ("code", code, "printer_code_taken"),
    ):
        other = session.scalar(
            select(Printer.id).where(getattr(Printer, column) == value, Printer.id != printer.id)
        )
        if other is not None:
            raise DomainError(taken, value=value)
    printer.name, printer.code = fields.name, code
    printer.host, printer.port = fields.host, fields.port
    printer.transport, printer.queue = fields.transport, fields.queue
    printer.kind = fields.kind
    printer.dpi = fields.dpi
    printer.label_width_mm, printer.label_height_mm = fields.width_mm, fields.height_mm
    printer.station, printer.zone = fields.station, fields.zone


def _next_code(session: Session) -> str:
    number = (session.scalar(select(func.max(Printer.id))) or 0) + 1
    while session.scalar(select(Printer.id).where(Printer.code == f"{CODE_PREFIX}{number:03d}")):
        number += 1
    return f"{CODE_PREFIX}{number:03d}"


def set_active(session: Session, printer_id: int, active: bool) -> Printer:
    printer = get(session, printer_id)
    printer.active = active
    logger.info("printer %s printer=%s", "activated" if active else "deactivated", printer.id)
    return printer


def get(session: Session, printer_id: int) -> Printer:
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise NotFound("printer_not_found")
    return printer


def listing(session: Session) -> list[Printer]:
    return list(session.scalars(select(Printer).order_by(Printer.active.desc(), Printer.name)))


def by_code(session: Session, scanned: str) -> Printer | None:
    """The active printer whose code was scanned; None if it is not a printer code."""
    code = scanned.strip().upper()
    if not code.startswith(CODE_PREFIX):
        return None
    printer = session.scalar(select(Printer).where(Printer.code == code))
    if printer is None or not printer.active:
        raise NotFound("printer_not_found", printer=code)
    if printer.is_document:  # an A4 printer's sticker: it prints no labels
        raise NotFound("printer_is_document", printer=printer.name)
    return printer


def stations(session: Session, warehouse_id: int | None = None) -> list[str]:
    query = select(Printer.station).where(Printer.active.is_(True), Printer.station != "")
    if warehouse_id is not None:
        query = query.where(Printer.warehouse_id == warehouse_id)
    return sorted(set(session.scalars(query)))


def for_packing(
    session: Session,
    warehouse_id: int,
    printer_id: int | None,
    station: str | None,
    size_mm: tuple[int, int] | None = None,
) -> Printer | None:
    """The printer scanned on the device; else one of its station loading labels of
    ``size_mm`` (a station may have one printer per label size), else any of the station,
    else one loading that size, else the warehouse default."""
    chosen = session.get(Printer, printer_id) if printer_id else None
    usable = chosen is not None and chosen.active and not chosen.is_document
    if chosen is not None and usable and chosen.warehouse_id == warehouse_id:
        return chosen
    order = []
    if station:
        order.append((Printer.station == station).desc())
    if size_mm:
        fits = and_(Printer.label_width_mm == size_mm[0], Printer.label_height_mm == size_mm[1])
        order.append(fits.desc())
    return session.scalar(
        select(Printer)
        .where(Printer.warehouse_id == warehouse_id, Printer.active.is_(True), LABEL)
        .order_by(*order, Printer.is_default.desc(), Printer.id)
        .limit(1)
    )


def fits(printer: Printer, size_mm: tuple[int, int]) -> bool:
    """Whether a label of ``size_mm`` fits on the labels the printer has loaded."""
    return printer.label_width_mm >= size_mm[0] and printer.label_height_mm >= size_mm[1]


def loading(session: Session, warehouse_id: int, size_mm: tuple[int, int]) -> list[Printer]:
    """The active printers of a warehouse a label of ``size_mm`` fits on, that size first."""
    width, height = size_mm
    exact = and_(Printer.label_width_mm == width, Printer.label_height_mm == height)
    return list(
        session.scalars(
            select(Printer)
            .where(
                Printer.warehouse_id == warehouse_id,
                Printer.active.is_(True),
                LABEL,
                Printer.label_width_mm >= width,
                Printer.label_height_mm >= height,
            )
            .order_by(exact.desc(), Printer.name)
        )
    )


def active(session: Session, printer_id: int) -> Printer:
    printer = session.get(Printer, printer_id)
    if printer is None or not printer.active:
        raise NotFound("printer_not_found", printer=f"#{printer_id}")
    return printer


def lock_key(printer: Printer) -> str:
    """One lock per physical printer, however many registry rows point at it."""
    if printer.host:
        return f"warehouse:printer:{printer.host.lower()}:{printer.port}"
    return f"warehouse:printer:cups:{printer.queue}"


def alternate(session: Session, printer: Printer, exclude: set[int | None]) -> Printer | None:
    """Another active printer of the same station loading the same labels, the last seen
    ready first."""
    if not printer.station:
        return None
    candidates = session.scalars(
        select(Printer)
        .where(
            Printer.warehouse_id == printer.warehouse_id,
            Printer.station == printer.station,
            Printer.active.is_(True),
            Printer.id != printer.id,
            Printer.kind == printer.kind,
            Printer.dpi == printer.dpi,
            Printer.label_width_mm == printer.label_width_mm,
            Printer.label_height_mm == printer.label_height_mm,
        )
        .order_by((Printer.last_status == "ready").desc(), Printer.id)
    )
    return next((p for p in candidates if p.id not in exclude), None)


def target(printer: Printer) -> printers.Target:
    """Where to send; a document printer is its CUPS queue alone (never asked ``~HS``)."""
    host = "" if printer.is_document else printer.host
    return printers.Target(host, printer.port, printer.transport, printer.queue)


def record_seen(printer: Printer, probe: printers.Probe | None) -> None:
    """What the printer said about itself (None: a CUPS queue without an address)."""
    if probe is None:
        _record(printer, "ready", None, None)
        return
    status = probe.status
    code = "ready" if status.ready else "printer_not_ready:" + ",".join(status.problems)
    _record(printer, code, status.formats_in_buffer, status.labels_remaining)


def record_problem(printer: Printer, code: str) -> None:
    _record(printer, code, None, None)


def _record(printer: Printer, code: str, formats: int | None, remaining: int | None) -> None:
    printer.last_status = code[:200]
    printer.last_formats_in_buffer = formats
    printer.last_labels_remaining = remaining
    printer.last_checked_at = utcnow()


def check(printer: Printer, timeouts: printers.Timeouts) -> str:
    """Ask the printer now and record what it said; returns the status code."""
    try:
        found = printers.check(target(printer), timeouts)
    except cups.QueueStopped:
        record_problem(printer, "cups_queue_stopped")
    except cups.QueueRefuses:
        record_problem(printer, "cups_queue_refuses")
    except printers.PrinterNotReady as exc:
        if exc.status is None:
            record_problem(printer, "printer_no_answer")
        else:
            record_seen(printer, printers.Probe(exc.status))
    except printers.PrinterUnreachable:
        record_problem(printer, "printer_unreachable")
    else:
        record_seen(printer, found)
    logger.info("printer checked printer=%s: %s", printer.id, printer.last_status)
    return printer.last_status
