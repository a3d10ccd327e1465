"""ZPL drawn for one resolution, redrawn for another: WB's 203-dpi stickers on 300-dpi printers.

ZPL positions and sizes are in dots, and ``^MU`` converts only 150→300 and 150/200→600, so a
203-dpi format on a 300-dpi (12 dots/mm) head prints at two thirds of its size. ``rescale``
multiplies every dimension of the commands such stickers use by the ratio of dots per mm
(12/8 = 1.5): ``^PW ^LL ^LH ^LT ^LS``, ``^FO ^FT``, fonts (``^A``, ``^CF``), ``^FB`` width,
spacing and indent, boxes and lines (``^GB ^GC ^GD ^GE``), ``^BY`` and barcode heights,
``^BQ``/``^BX``/``^B0`` module sizes. Field data and comments are never touched.

Module widths (``^BY``, ``^BQ``, ``^BX``) must stay whole dots, rounded half up: 2 → 3 is
exact, but 1 → 2 and 3 → 5 come out a third / a ninth wider than the original. Rounding up
keeps every bar at least as wide as it was on paper (scanners read it as before) at the cost of
a slightly wider symbol; its ``^FO`` is scaled from the original, so a barcode drawn right up to
the label's edge with 1-dot modules can overrun it. Rounding down instead would keep the
footprint but print 1-dot modules at 0.08 mm, which no scanner reads.

Content that cannot be scaled is refused with ValueError rather than printed wrong: an embedded
or stored graphic (``^GF``, ``~DG``, ``^XG``, ``^IM``…: ask the marketplace for its PNG
variant and rasterise that at the printer's resolution), ``^MU``/``^JM`` unit changes, changed
command characters, and any command this module does not know.
"""

from __future__ import annotations

import re
from fractions import Fraction

from printers import zpl

_COMMAND = re.compile(r"[\^~][^\^~]*")
_PW = re.compile(rb"\^PW\s*(\d+)", re.IGNORECASE)
_TOLERANCE = 0.03
KNOWN_DPI = {152: 6, 203: 8, 300: 12, 600: 24}
LABEL_WIDTHS_MM = (58, 40, 75, 100)
"""Widths of the labels marketplaces ask for (WB 58 and 40, Ozon / YM 75, 100 × 150)."""

# Command → (parameter indexes in dots, parameter indexes that are module sizes).
_DIMENSIONS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "PW": ((0,), ()),
    "LL": ((0,), ()),
    "LH": ((0, 1), ()),
    "LT": ((0,), ()),
    "LS": ((0,), ()),
    "FO": ((0, 1), ()),
    "FT": ((0, 1), ()),
    "A": ((1, 2), ()),  # ^Afo,h,w: the font letter is read off first, o is index 0
    "CF": ((1, 2), ()),
    "FB": ((0, 2, 4), ()),
    "GB": ((0, 1, 2), ()),
    "GC": ((0, 1), ()),
    "GD": ((0, 1, 2), ()),
    "GE": ((0, 1, 2), ()),
    "BY": ((2,), (0,)),
    "B1": ((2,), ()),
    "B2": ((1,), ()),
    "B3": ((2,), ()),
    "B7": ((1,), ()),
    "B8": ((1,), ()),
    "B9": ((1,), ()),
    "BA": ((1,), ()),
    "BC": ((1,), ()),
    "BE": ((1,), ()),
    "BK": ((2,), ()),
    "BS": ((1,), ()),
    "BU": ((1,), ()),
    "BQ": ((), (2,)),
    "BX": ((), (1,)),
    "B0": ((), (1,)),
}
# Commands without dimensions, passed through as they are (FD, FV, FX: data and comments).
_FIELD_COMMANDS = frozenset({"FS", "FD", "FV", "FX", "FH", "FR", "FW", "FN"})
_SETTINGS = frozenset({"XA", "XZ", "CI", "PQ", "PR", "PO", "PM", "MM", "MN", "MT", "MD", "LR"})
_PLAIN = _FIELD_COMMANDS | _SETTINGS | {"SD", "JA"}
_REFUSED = {
    "GF": "an embedded graphic (^GF)",
    "DG": "a downloaded graphic (~DG)",
    "DY": "a downloaded object (~DY)",
    "DB": "a downloaded bitmap font (~DB)",
    "XG": "a stored graphic (^XG)",
    "IM": "a stored image (^IM)",
    "IL": "a stored image (^IL)",
    "MU": "a change of units (^MU)",
    "JM": "a change of dots per millimetre (^JM)",
    "CC": "a changed command character (^CC)",
    "CT": "a changed control character (^CT)",
    "CD": "a changed delimiter (^CD)",
    "BD": "a MaxiCode (^BD), whose size is fixed",
}


def rescale(data: bytes, from_dpi: int, to_dpi: int) -> bytes:
    """``data`` (ZPL for a ``from_dpi`` printer) with its dimensions scaled for ``to_dpi``.

    Raises ValueError for content that cannot be scaled (see the module's docstring).
    """
    ratio = Fraction(zpl.dots_per_mm(to_dpi), zpl.dots_per_mm(from_dpi))
    text = data.decode("utf-8", errors="surrogateescape")
    start = _COMMAND.search(text)
    head = text[: start.start()] if start else text
    parts = [_rescale_command(match.group(), ratio) for match in _COMMAND.finditer(text)]
    return (head + "".join(parts)).encode("utf-8", errors="surrogateescape")


def detect_dpi(data: bytes, width_mm: float | None = None) -> int | None:
    """The resolution a format was drawn for, from its ``^PW`` and the label's width.

    Without ``width_mm`` the usual label widths (``LABEL_WIDTHS_MM``) are tried, and a guess is
    made only if they agree. None if the format sets no ``^PW`` or nothing matches for sure.
    """
    found = _PW.search(data)
    if found is None:
        return None
    dots = int(found.group(1))
    widths = LABEL_WIDTHS_MM if width_mm is None else (width_mm,)
    guesses = {dpi for width in widths if (dpi := _dpi_for(dots, width)) is not None}
    return guesses.pop() if len(guesses) == 1 else None


def _dpi_for(dots: int, width_mm: float) -> int | None:
    if width_mm <= 0:
        return None
    per_mm = dots / width_mm
    for dpi, dots_per_mm in KNOWN_DPI.items():
        if abs(per_mm - dots_per_mm) <= dots_per_mm * _TOLERANCE:
            return dpi
    return None


def _rescale_command(command: str, ratio: Fraction) -> str:
    code, name = _code(command)
    if code in _REFUSED:
        raise ValueError(f"cannot rescale {_REFUSED[code]}: ask for the PNG label instead")
    if code in _PLAIN or ratio == 1:
        return command
    if code not in _DIMENSIONS:
        raise ValueError(f"cannot rescale {command[0]}{code}: not a command this rescaler knows")
    body = command[1 + len(name) :]
    params = body.rstrip()
    trailing = body[len(params) :]
    dots, modules = _DIMENSIONS[code]
    values = params.split(",")
    for index in dots:
        values = _scaled(values, index, ratio, command, minimum=None)
    for index in modules:
        values = _scaled(values, index, ratio, command, minimum=1)
    return command[0] + name + ",".join(values) + trailing


def _code(command: str) -> tuple[str, str]:
    """The command's code for the tables and the text it takes (``^A0`` → ``A``, ``A0``)."""
    letters = command[1:3].upper()
    if letters.startswith("A") and len(command) > 2:
        return "A", command[1:3]
    return letters, command[1:3]


def _scaled(
    values: list[str], index: int, ratio: Fraction, command: str, minimum: int | None
) -> list[str]:
    if index >= len(values) or not values[index].strip():
        return values  # absent: the printer's default (itself in dots) stays as it is
    raw = values[index].strip()
    if not re.fullmatch(r"-?\d+", raw):
        raise ValueError(f"cannot rescale {command.strip()!r}: {raw!r} is not a number of dots")
    scaled = _half_up(int(raw) * ratio)
    if minimum is not None:
        scaled = max(minimum, scaled)
    return [*values[:index], str(scaled), *values[index + 1 :]]


def _half_up(value: Fraction) -> int:
    """Round half away from zero (``round`` would send 2.5 to 2)."""
    magnitude = int(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude
