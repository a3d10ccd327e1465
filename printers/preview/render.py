"""One ZPL format → a label image: the commands' state (fonts, origins, ^BY …) and its fields.

Each command has a small handler; a field is collected until ``^FS`` and then turned into ink.
Commands that change nothing on the image (``^PQ``, ``^MM`` …) are skipped quietly, unknown
ones are skipped with a warning, bad barcode data drops the field with a warning (the printer
prints nothing there), and anything that would take unbounded memory raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from PIL import Image

from printers import zpl as zpl_builders
from printers.preview import fields, graphic, symbols, text
from printers.preview.ink import ORIENTATIONS, Ink, Placed, compose
from printers.preview.parser import Command

MAX_WIDTH_DOTS = 3200
MAX_HEIGHT_DOTS = 6400
MAX_INK_PIXELS = 8 * MAX_WIDTH_DOTS * MAX_HEIGHT_DOTS  # everything one format may draw
MAX_FIELDS = 5000  # real labels have dozens
DEFAULT_SIZE_MM = (101.6, 152.4)  # 4×6 in, when neither ^PW/^LL nor a size is given

_ENCODINGS = {"27": "cp1252", "28": "utf-8", "33": "cp1251"}
_BARCODES = frozenset({"BC", "BE", "B8", "BU", "BQ", "BX"})
# Format commands that do not change the image (media, speed, quantity, storage, comments).
_QUIET = frozenset(
    {"PQ", "PR", "MD", "MN", "MT", "MM", "MF", "JU", "JZ", "SZ", "XB", "FX", "PM", "JM", "LT"}
    | {"SL", "JT", "PF"}
)


@dataclass
class Stock:
    """What outlives one format: ``^PW``/``^LL`` persist on a printer (until power-off)."""

    width: int
    height: int


@dataclass
class _Field:
    origin: tuple[int, int] = (0, 0)
    typeset: bool = False  # ^FT: origin is the baseline / bottom left, not the top left
    font: text.Font | None = None
    orientation: str | None = None
    hex_indicator: bytes | None = None
    reverse: bool = False
    block: text.Block | None = None
    barcode: fields.Barcode | None = None
    data: bytes | None = None
    ink: Ink | None = None  # ^GB / ^GF
    white: bool = False


@dataclass
class Format:
    """The state of one ``^XA…^XZ`` format while its commands are applied."""

    dpi: int
    stock: Stock
    warnings: list[str] = field(default_factory=list)
    home: tuple[int, int] = (0, 0)
    encoding: str = "cp850"
    font: text.Font = field(default_factory=lambda: text.Font(9, 5))
    orientation: str = "N"
    bar: fields.BarDefaults = field(default_factory=fields.BarDefaults)
    current: _Field = field(default_factory=_Field)
    placed: list[Placed] = field(default_factory=list)
    ink_pixels: int = 0
    shift: int = 0  # ^LS: fields move this many dots to the left
    reverse_all: bool = False  # ^LRY
    upside_down: bool = False  # ^POI

    def apply(self, command: Command) -> None:
        if command.prefix == "~":
            if command.name in ("DG", "DY", "DU", "DB", "DT"):
                self.warn(f"~{command.name}: stored graphics and fonts are not shown")
            return
        handler = _HANDLERS.get(command.name)
        if handler is not None:
            handler(self, command)
        elif command.name not in _QUIET:
            self.warn(f"^{command.name} is not supported; skipped")

    def image(self) -> Image.Image:
        size = (self.stock.width, self.stock.height)
        image = compose(size, self.placed)
        return image.transpose(Image.Transpose.ROTATE_180) if self.upside_down else image

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def dots_param(self, command: Command, index: int, default: int, limit: int) -> int:
        value = command.param(index, str(default))
        try:
            number = int(float(value))
        except (ValueError, OverflowError):  # OverflowError: "1e999" or 400 digits is infinity
            self.warn(f"^{command.name}: {value!r} is not a number")
            return default
        if not 0 <= number <= limit:
            raise ValueError(f"^{command.name}{number}: more than the {limit} dots allowed")
        return number


def stock_for(dpi: int, width_mm: float | None, height_mm: float | None) -> Stock:
    """The label size used until ``^PW``/``^LL`` say otherwise."""
    width = zpl_builders.dots(width_mm or DEFAULT_SIZE_MM[0], dpi)
    height = zpl_builders.dots(height_mm or DEFAULT_SIZE_MM[1], dpi)
    if not (0 < width <= MAX_WIDTH_DOTS and 0 < height <= MAX_HEIGHT_DOTS):
        raise ValueError(
            f"a label of {width}×{height} dots is outside 1..{MAX_WIDTH_DOTS}×1..{MAX_HEIGHT_DOTS}"
        )
    return Stock(width, height)


# --- label setup ----------------------------------------------------------------------------------


def _print_width(state: Format, command: Command) -> None:
    state.stock.width = max(1, state.dots_param(command, 0, state.stock.width, MAX_WIDTH_DOTS))


def _label_length(state: Format, command: Command) -> None:
    state.stock.height = max(1, state.dots_param(command, 0, state.stock.height, MAX_HEIGHT_DOTS))


def _label_home(state: Format, command: Command) -> None:
    state.home = (
        state.dots_param(command, 0, 0, MAX_WIDTH_DOTS),
        state.dots_param(command, 1, 0, MAX_HEIGHT_DOTS),
    )


def _charset(state: Format, command: Command) -> None:
    number = command.param(0, "0")
    state.encoding = _ENCODINGS.get(number, "cp850")
    if number not in _ENCODINGS and number not in ("0", "13"):
        state.warn(f"^CI{number}: drawn as code page 850")


def _default_font(state: Format, command: Command) -> None:
    height = state.dots_param(command, 1, state.font.height, text.MAX_FONT_DOTS)
    width = state.dots_param(command, 2, height, text.MAX_FONT_DOTS)
    state.font = text.Font(max(1, height), max(1, width))


def _field_orientation(state: Format, command: Command) -> None:
    orientation = command.param(0, "N").upper()
    if orientation in ORIENTATIONS:
        state.orientation = orientation


def _bar_defaults(state: Format, command: Command) -> None:
    module = state.dots_param(command, 0, state.bar.module, 10)
    height = state.dots_param(command, 2, state.bar.height, MAX_HEIGHT_DOTS)
    try:
        ratio = float(command.param(1, str(state.bar.ratio)))
    except ValueError:
        state.warn(f"^BY: ratio {command.param(1)!r} is not a number")
        ratio = state.bar.ratio
    state.bar = fields.BarDefaults(max(1, module), ratio, max(1, height))


def _label_shift(state: Format, command: Command) -> None:
    state.shift = state.dots_param(command, 0, 0, MAX_WIDTH_DOTS)


def _label_reverse(state: Format, command: Command) -> None:
    state.reverse_all = command.param(0, "N").upper() == "Y"


def _print_orientation(state: Format, command: Command) -> None:
    state.upside_down = command.param(0, "N").upper() == "I"


def _units(state: Format, command: Command) -> None:
    if command.param(0, "D").upper() != "D":
        state.warn(f"^MU{command.param(0)}: only dots are supported; numbers are read as dots")


# --- field commands -------------------------------------------------------------------------------


def _origin(state: Format, command: Command) -> None:
    state.current.origin = (
        state.dots_param(command, 0, 0, MAX_WIDTH_DOTS),
        state.dots_param(command, 1, 0, MAX_HEIGHT_DOTS),
    )
    state.current.typeset = command.name == "FT"


def _font(state: Format, command: Command) -> None:
    rest = Command("^", "A", command.args[1:])  # after the font name
    orientation = rest.param(0, "").upper()
    if orientation in ORIENTATIONS:
        state.current.orientation = orientation
    height = state.dots_param(rest, 1, 0, text.MAX_FONT_DOTS)
    width = state.dots_param(rest, 2, 0, text.MAX_FONT_DOTS)
    height = height or width or state.font.height
    state.current.font = text.Font(height, width or height)


def _hex_indicator(state: Format, command: Command) -> None:
    state.current.hex_indicator = command.args[:1] or b"_"


def _reverse(state: Format, command: Command) -> None:
    state.current.reverse = True


def _field_block(state: Format, command: Command) -> None:
    state.current.block = text.Block(
        width=state.dots_param(command, 0, 0, MAX_WIDTH_DOTS),
        lines=max(1, state.dots_param(command, 1, 1, 9999)),
        spacing=state.dots_param(command, 2, 0, MAX_HEIGHT_DOTS),
        justify=command.param(3, "L").upper(),
    )


def _barcode(state: Format, command: Command) -> None:
    params = tuple(command.params())
    orientation = command.param(0, "").upper()
    if orientation in ORIENTATIONS and command.name != "BQ":
        state.current.orientation = orientation
    state.current.barcode = fields.Barcode(command.name, params)


def _box(state: Format, command: Command) -> None:
    state.current.ink, state.current.white = fields.box(command.params())


def _graphic_field(state: Format, command: Command) -> None:
    head = command.args.split(b",", 4)
    if len(head) < 5:
        state.warn("^GF without its four parameters and data; skipped")
        return
    kind = head[0].decode("latin-1").strip().upper() or "A"
    total = int(head[2] or 0) if head[2].strip().isdigit() else 0
    row_bytes = int(head[3] or 0) if head[3].strip().isdigit() else 0
    limits = (MAX_WIDTH_DOTS, MAX_HEIGHT_DOTS)
    mask = graphic.decode(kind, total, row_bytes, head[4], limits)
    state.current.ink = Ink(mask, (0, mask.height))


def _field_data(state: Format, command: Command) -> None:
    data = command.args.replace(b"\r", b"").replace(b"\n", b"")
    if b"~" in data:
        state.warn("~ in field data: a printer reads it as a control command (escape it with ^FH)")
    state.current.data = data


def _field_separator(state: Format, command: Command) -> None:
    current, state.current = state.current, _Field()
    ink = _field_ink(state, current)
    if ink is None:
        return
    # ^FW turns text and barcodes, never boxes or graphics
    orientation = "N" if current.ink is not None else current.orientation or state.orientation
    turned = ink.turned(orientation)
    x = current.origin[0] + state.home[0] - state.shift
    y = current.origin[1] + state.home[1]
    if current.typeset:
        x, y = x - turned.anchor[0], y - turned.anchor[1]
    state.ink_pixels += turned.mask.width * turned.mask.height
    if state.ink_pixels > MAX_INK_PIXELS or len(state.placed) >= MAX_FIELDS:
        raise ValueError("the format draws more than any label could hold")
    reverse = current.reverse or state.reverse_all
    state.placed.append(Placed(turned, x, y, current.white, reverse))


def _field_ink(state: Format, current: _Field) -> Ink | None:
    if current.ink is not None:
        return current.ink
    if current.data is None:
        return None
    data = _unhex(current.data, current.hex_indicator)
    if current.barcode is not None:
        return _barcode_ink(state, current.barcode, data)
    return _text_ink(state, current, data.decode(state.encoding, "replace"))


def _barcode_ink(state: Format, barcode: fields.Barcode, data: bytes) -> Ink | None:
    try:
        ink, warnings = fields.barcode(barcode, data, state.bar, state.dpi, state.encoding)
    except symbols.SymbolError as error:
        state.warn(f"{error}; the field is left out")
        return None
    for warning in warnings:
        state.warn(warning)
    return ink


def _text_ink(state: Format, current: _Field, content: str) -> Ink | None:
    font = current.font or state.font
    if current.block is None:
        return text.line(content, font) if content else None
    block = current.block
    if block.width == 0:
        block = replace(block, width=max(1, text.measure(content, font)))
    return text.block(content, font, block)


def _unhex(data: bytes, indicator: bytes | None) -> bytes:
    """``^FH``: ``<indicator>XX`` is the byte 0xXX (with ^CI28, bytes of UTF-8)."""
    if indicator is None:
        return data
    out, index = bytearray(), 0
    while index < len(data):
        pair = data[index + 1 : index + 3]
        if data[index : index + 1] == indicator and len(pair) == 2 and _is_hex(pair):
            out.append(int(pair, 16))
            index += 3
        else:
            out += data[index : index + 1]
            index += 1
    return bytes(out)


def _is_hex(pair: bytes) -> bool:
    return all(char in b"0123456789abcdefABCDEF" for char in pair)


_Handler = Callable[[Format, Command], None]
_HANDLERS: dict[str, _Handler] = {
    "PW": _print_width,
    "LL": _label_length,
    "LH": _label_home,
    "CI": _charset,
    "CF": _default_font,
    "FW": _field_orientation,
    "BY": _bar_defaults,
    "FO": _origin,
    "FT": _origin,
    "A": _font,
    "FH": _hex_indicator,
    "FR": _reverse,
    "FB": _field_block,
    "GB": _box,
    "GF": _graphic_field,
    "FD": _field_data,
    "FV": _field_data,
    "LS": _label_shift,
    "LR": _label_reverse,
    "PO": _print_orientation,
    "MU": _units,
    "FS": _field_separator,
}
_HANDLERS.update(dict.fromkeys(_BARCODES, _barcode))
