"""Barcode fields for the layouts: which ZPL command, what field data, how wide a module.

Every code is validated (printers.barcodes) before a field exists, so no ZPL is ever produced
for a wrong check digit. The printer draws EAN/UPC check digits itself (``^BE`` takes 12 digits
and computes the 13th), which is why the one we validated must match the one it will draw.

A module is a whole number of dots: the widest that lets the symbol and its quiet zones fit
the room, never narrower than ``MIN_MODULE_MM`` (2 dots at 203 dpi, 3 at 300 dpi) and never
wider than the symbology's largest useful X-dimension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from printers import barcodes
from printers.barcodes import Kind
from printers.layouts.geometry import Frame, LayoutError

MIN_MODULE_MM = 0.25
_EPSILON = 1e-9


@dataclass(frozen=True)
class Linear:
    """A linear barcode field: ``^FOx,y^BYmodule^<command>N,height,N,N^FH^FD<data>^FS``."""

    command: str  # BE (EAN-13), B8 (EAN-8), BU (UPC-A), BC (Code 128 / GS1-128)
    data: str
    text: str  # the human-readable line printed under it
    modules: int  # bars and spaces, without quiet zones
    quiet: int  # quiet-zone modules on each side
    max_module_mm: float
    nominal_height_mm: float  # bar height at an X-dimension of 0.33 mm


@dataclass(frozen=True)
class Placed:
    """A barcode placed on a label, in dots."""

    command: str
    data: str
    x: int
    y: int
    module: int
    height: int
    width: int


@dataclass(frozen=True)
class Qr:
    """``^FOx,y^BQN,2,magnification^FH^FDQA,<data>^FS``: model 2, error correction Q."""

    x: int
    y: int
    magnification: int
    data: str
    size: int  # dots, without the quiet zone


# Data bytes a model-2 QR code holds at error correction Q, by version (ISO/IEC 18004 table 7).
_QR_BYTES_Q = (11, 20, 32, 46, 60, 74, 86, 108, 130, 151)


def product_code(code: str, as_code128: bool = False) -> Linear:
    """A product's code: EAN-13 / EAN-8 / UPC-A by its length, GTIN-14 as GS1-128 (01), any
    other seller code (or any code at all, ``as_code128``) as Code 128. A GTIN-like code with a
    wrong check digit is refused."""
    kind = barcodes.classify(code)
    if kind is Kind.OTHER or as_code128:
        return code128(code)
    barcodes.validate(code, kind)
    if kind is Kind.GTIN13:
        return Linear("BE", code[:12], code, 95, 11, 0.66, 22.85)
    if kind is Kind.GTIN8:
        return Linear("B8", code[:7], code, 67, 7, 0.66, 21.64)
    if kind is Kind.GTIN12:
        return Linear("BU", code[:11], code, 95, 9, 0.66, 22.85)
    return gs1_128(code)


def gs1_128(code: str) -> Linear:
    """An SSCC (AI 00) or GTIN (AI 01) as GS1-128: start C, FNC1, the digits in pairs."""
    ai, digits = barcodes.gs1_element(code)
    symbols = 1 + 1 + len(ai + digits) // 2 + 1  # start C, FNC1, pairs, check
    return Linear(
        "BC", f">;>8{ai}{digits}", f"({ai}) {digits}", _code128_modules(symbols), 10, 1.016, 32.0
    )


def code128(code: str) -> Linear:
    """Any printable-ASCII code as Code 128: subset C for an even run of digits, else B."""
    barcodes.code128_text(code)
    if code.isdigit() and len(code) % 2 == 0 and len(code) >= 4:
        data, symbols = ">;" + code, 1 + len(code) // 2 + 1
    else:
        # In ^BC mode N the printer starts in subset B; ">" introduces an invocation code, so a
        # literal ">" is sent as "><".
        data, symbols = code.replace(">", "><"), 1 + len(code) + 1
    return Linear("BC", data, code, _code128_modules(symbols), 10, 1.016, 15.0)


def place(frame: Frame, symbol: Linear, y_mm: float, max_height_mm: float) -> Placed:
    """``symbol`` centred across the label at ``y_mm``, at most ``max_height_mm`` tall."""
    per_mm = frame.dots(1)
    module = module_dots(frame, symbol)
    height_mm = min(max_height_mm, symbol.nominal_height_mm * module / per_mm / 0.33)
    if height_mm * per_mm < 1:
        raise LayoutError(f"no room left for the bars of {symbol.text!r} on this label")
    width = symbol.modules * module
    return Placed(
        command=symbol.command,
        data=symbol.data,
        x=(frame.width - width) // 2,
        y=frame.dots(y_mm),
        module=module,
        height=math.floor(height_mm * per_mm + _EPSILON),  # down: never taller than the room
        width=width,
    )


def module_dots(frame: Frame, symbol: Linear) -> int:
    """The module width in dots for ``symbol`` across the label's inner width."""
    per_mm = frame.dots(1)
    room = frame.dots(frame.inner_width_mm) // (symbol.modules + 2 * symbol.quiet)
    smallest = math.ceil(MIN_MODULE_MM * per_mm - _EPSILON)
    if room < smallest:
        needed = (symbol.modules + 2 * symbol.quiet) * MIN_MODULE_MM + 2 * frame.margin_mm
        raise LayoutError(
            f"{symbol.text!r} needs a label at least {needed:.0f} mm wide, "
            f"this one is {frame.width_mm:g} mm"
        )
    return max(smallest, min(room, math.floor(symbol.max_module_mm * per_mm + _EPSILON)))


def qr(frame: Frame, data: str, x_mm: float, y_mm: float, side_mm: float) -> Qr:
    """A QR code of ``data`` in a square of ``side_mm`` (quiet zone included) at x, y."""
    version = _qr_version(data)
    modules = 17 + 4 * version
    magnification = min(frame.dots(side_mm) // (modules + 8), 10)
    if magnification < math.ceil(MIN_MODULE_MM * frame.dots(1) - _EPSILON):
        raise LayoutError(f"a {side_mm:.0f} mm square is too small for a QR code of {data!r}")
    size = modules * magnification
    offset = (frame.dots(side_mm) - size) // 2  # centred; the quiet zone lies inside the square
    return Qr(
        x=frame.dots(x_mm) + offset,
        y=frame.dots(y_mm) + offset,
        magnification=magnification,
        data=data,
        size=size,
    )


def _qr_version(data: str) -> int:
    length = len(data.encode("utf-8"))
    for version, capacity in enumerate(_QR_BYTES_Q, start=1):
        if length <= capacity:
            return version
    raise LayoutError(f"{length} bytes is too much for a QR code on a label")


def _code128_modules(symbols: int) -> int:
    """Start, data and check symbols are 11 modules each; the stop pattern is 13."""
    return 11 * symbols + 13
