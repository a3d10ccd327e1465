"""WB-like order stickers: the sticker number, its caption and a ZPL rendering.

WB's sticker carries a Code 128 of a short ``barcode`` value and a caption split in
``partA`` (big digits) and ``partB`` (the last four digits). Sizes are 58×40 mm or
40×30 mm; the ZPL here is drawn for 203 dpi (8 dots per mm).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

SIZES: frozenset[tuple[int, int]] = frozenset({(58, 40), (40, 30)})
KINDS: frozenset[str] = frozenset({"zplv", "zplh"})
DOTS_PER_MM = 8
_ALPHABET = string.digits + string.ascii_letters
_STICKER_BASE = 2_310_000_000  # sticker numbers look like WB's (10 digits)


@dataclass(frozen=True)
class Sticker:
    order_id: int
    part_a: str
    part_b: str
    barcode: str


def sticker_for(order_id: int) -> Sticker:
    """A stable sticker for the order: the same order always gets the same one."""
    number = _STICKER_BASE + order_id
    digits = str(number)
    return Sticker(order_id, digits[:-4], digits[-4:], "!" + _base62(number * 61))


def render_zpl(sticker: Sticker, kind: str, width_mm: int, height_mm: int) -> str:
    """ZPL of the sticker; ``zplh`` reads along the label, ``zplv`` is turned 90°."""
    width, height = width_mm * DOTS_PER_MM, height_mm * DOTS_PER_MM
    body = (_vertical if kind == "zplv" else _horizontal)(sticker, width, height)
    return f"^XA^CI28^PW{width}^LL{height}^LH0,0\n{body}^XZ\n"


def _horizontal(sticker: Sticker, width: int, height: int) -> str:
    module = _module(sticker.barcode, width - 32)
    bar = _code128_width(sticker.barcode, module)
    bar_height = height * 45 // 100
    text, big = height * 18 // 100, height * 24 // 100
    text_y = 16 + bar_height + 16
    half = width // 2 - 16
    return (
        f"^FO{(width - bar) // 2},16^BY{module}^BCN,{bar_height},N,N,N^FD{sticker.barcode}^FS\n"
        f"^FO16,{text_y + big - text}^FB{half},1,0,L^A0N,{text},{text}"
        f"^FD{_escape(sticker.part_a)}^FS\n"
        f"^FO{width // 2},{text_y}^FB{half},1,0,R^A0N,{big},{big}"
        f"^FD{_escape(sticker.part_b)}^FS\n"
    )


def _vertical(sticker: Sticker, width: int, height: int) -> str:
    module = _module(sticker.barcode, height - 32)
    bar = _code128_width(sticker.barcode, module)
    bar_height = width * 45 // 100
    text = width * 15 // 100
    return (
        f"^FO{width - 16 - bar_height},{(height - bar) // 2}^BY{module}"
        f"^BCR,{bar_height},N,N,N^FD{sticker.barcode}^FS\n"
        f"^FO{width - 40 - bar_height - text},16^A0R,{text},{text}"
        f"^FD{_escape(sticker.part_a)}^FS\n"
        f"^FO16,16^A0R,{text * 13 // 10},{text * 13 // 10}^FD{_escape(sticker.part_b)}^FS\n"
    )


def _module(value: str, room: int) -> int:
    """The widest bar module (dots) that still fits ``room``."""
    return 2 if _code128_width(value, 2) <= room else 1


def _code128_width(value: str, module: int) -> int:
    """Dots taken by a Code 128 subset B symbol: start, data, check (11 each) and stop (13)."""
    return (11 * (len(value) + 2) + 13) * module


def _escape(text: str) -> str:
    return text.replace("^", "").replace("~", "")


def _base62(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _ALPHABET[rest] + digits
    return digits or "0"


# --- the supply's QR (GET /api/v3/supplies/{supplyId}/barcode) ------------------------------

QR_WIDTH, QR_HEIGHT = 580, 400  # dots: WB's documented size, "580x400 px"


def supply_qr_zpl(supply_id: str, kind: str) -> str:
    """A ZPL QR code (``^BQ``) holding the supply id, with the id written beside it.

    WB's supply QR encodes the supply id itself (``barcode`` of the answer, e.g.
    ``WB-GI-1234567``); ``zplv`` writes the caption turned 90°, ``zplh`` along the label.
    """
    qr = f"^FO40,50^BQN,2,10^FDQA,{_escape(supply_id)}^FS\n"
    if kind == "zplv":
        caption = f"^FO440,40^A0R,48,48^FD{_escape(supply_id)}^FS\n"
    else:
        caption = f"^FO40,330^A0N,48,48^FD{_escape(supply_id)}^FS\n"
    return f"^XA^CI28^PW{QR_WIDTH}^LL{QR_HEIGHT}^LH0,0\n{qr}{caption}^XZ\n"
