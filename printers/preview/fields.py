"""Barcode and box fields as ink: module matrices scaled by ``^BY``/magnification, ``^GB`` boxes.

Sizes follow the ZPL parameters: ``^BY`` module width and default height, ``^BC``/``^BE``
height and interpretation line (below, or above with ``g=Y``), ``^BQ`` magnification, ``^BX``
module size. The ``^FT`` anchor of a barcode is the bottom left of its bars.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from printers.preview import symbols, text
from printers.preview.ink import Ink

MAX_FIELD_DOTS = 6400
_GAP = 2  # dots between bars and the interpretation line


@dataclass(frozen=True)
class BarDefaults:
    """``^BY``: module width (dots), wide-to-narrow ratio, bar height (dots)."""

    module: int = 2
    ratio: float = 3.0
    height: int = 10


@dataclass(frozen=True)
class Barcode:
    """A barcode command of the current field: its name and parameters (as given)."""

    command: str
    params: tuple[str, ...]

    def param(self, index: int, default: str) -> str:
        if index < len(self.params) and self.params[index].strip():
            return self.params[index].strip().upper()
        return default


def barcode(
    field: Barcode, data: bytes, bar: BarDefaults, dpi: int, encoding: str
) -> tuple[Ink, tuple[str, ...]]:
    """The ink of a barcode field and the warnings its data raised."""
    command = field.command
    if command in ("BE", "B8", "BU"):
        symbol = symbols.ean(command, data)
        return _linear(symbol, field, bar, with_text=field.param(2, "Y") == "Y"), symbol.warnings
    if command == "BC":
        symbol = symbols.code128(data, field.param(5, "N"), encoding)
        return _linear(symbol, field, bar, with_text=field.param(2, "Y") == "Y"), symbol.warnings
    if command == "BQ":
        symbol = symbols.qr(data, field.param(3, "Q"))
        default = str(max(1, round(dpi / 25.4 / 4)))
        return _matrix(symbol, _number(field.param(2, default), 1, 100)), symbol.warnings
    if command == "BX":
        return _datamatrix(field, data, dpi)
    raise symbols.SymbolError(f"^{command} barcodes are not supported")


def box(params: list[str]) -> tuple[Ink, bool]:
    """``^GBw,h,t,c,r``: the box (or line) ink and whether it is white."""
    thickness = _number(_get(params, 2, "1"), 1, MAX_FIELD_DOTS)
    width = max(thickness, _number(_get(params, 0, str(thickness)), 1, MAX_FIELD_DOTS))
    height = max(thickness, _number(_get(params, 1, str(thickness)), 1, MAX_FIELD_DOTS))
    rounding = _number(_get(params, 4, "0"), 0, 8)
    mask = Image.new("1", (width, height), 0)
    radius = min(width, height) * rounding // 16
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, width - 1, height - 1), radius=radius, outline=255, width=thickness
    )
    return Ink(mask, (0, height)), _get(params, 3, "B").upper() == "W"


def _linear(symbol: symbols.Symbol, field: Barcode, bar: BarDefaults, *, with_text: bool) -> Ink:
    height = _number(field.param(1, str(bar.height)), 1, MAX_FIELD_DOTS)
    bars = _scaled(symbol.modules, bar.module, height)
    if not (with_text and symbol.text):
        return Ink(bars, (0, height))
    size = max(10, 10 * bar.module)
    caption = text.line(symbol.text, text.Font(size, size)).mask
    width = max(bars.width, caption.width)
    mask = Image.new("1", (width, height + _GAP + caption.height), 0)
    above = field.param(3, "N") == "Y"
    bars_top = caption.height + _GAP if above else 0
    mask.paste(bars, ((width - bars.width) // 2, bars_top))
    mask.paste(caption, ((width - caption.width) // 2, 0 if above else height + _GAP))
    return Ink(mask, (0, bars_top + height))


def _datamatrix(field: Barcode, data: bytes, dpi: int) -> tuple[Ink, tuple[str, ...]]:
    warnings: tuple[str, ...] = ()
    if field.param(2, "200") != "200":
        warnings = (f"^BX: quality {field.param(2, '200')} is drawn as ECC 200",)
    escape = field.param(6, "_").encode("latin-1")[:1]
    symbol = symbols.datamatrix(data, escape, square=field.param(7, "1") != "2")
    module = _number(field.param(1, str(max(1, round(dpi / 25.4 / 2)))), 1, 100)
    return _matrix(symbol, module), warnings + symbol.warnings


def _matrix(symbol: symbols.Symbol, module: int) -> Ink:
    mask = _scaled(symbol.modules, module, symbol.modules.height * module)
    return Ink(mask, (0, mask.height))


def _scaled(modules: Image.Image, module: int, height: int) -> Image.Image:
    width = modules.width * module
    if width > MAX_FIELD_DOTS or height > MAX_FIELD_DOTS:
        raise ValueError(f"a barcode of {width}×{height} dots is larger than any label")
    return modules.resize((width, height), Image.Resampling.NEAREST)


def _number(value: str, low: int, high: int) -> int:
    try:
        number = int(float(value))
    except (ValueError, OverflowError):  # OverflowError: a number beyond float is infinity
        number = low
    if number > high:
        raise ValueError(f"{number} is more than the {high} dots allowed here")
    return max(low, number)


def _get(params: list[str], index: int, default: str) -> str:
    if index < len(params) and params[index].strip():
        return params[index].strip()
    return default
