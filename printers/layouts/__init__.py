"""Our own labels as ZPL: product, box / tote (SSCC), supply, location (bin).

Each layout is a Jinja template next to this file (``*.zpl.j2``) filled with fields computed
here in millimetres and printed in dots, so one layout serves every size in ``SIZES`` at 203 or
300 dpi: fonts, gaps and barcodes grow with the label, text is wrapped in ``^FB`` blocks and cut
with "..." rather than run off the label, and content that cannot fit raises LayoutError.
Every value the templates print is ZPL-escaped (see ``environment``). Barcodes are validated before
any ZPL is produced (``printers.barcodes``), so a wrong check digit raises InvalidBarcode.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator
from typing import Literal

from printers import barcodes
from printers.layouts import symbols
from printers.layouts.environment import render
from printers.layouts.geometry import (
    Frame,
    LayoutError,
    TextBlock,
    block_height_mm,
    fit_font,
    stack,
)
from printers.layouts.geometry import text_block as _text

__all__ = [
    "MAX_QUANTITY",
    "SIZES",
    "LayoutError",
    "box_label",
    "location_label",
    "location_sheet",
    "product_label",
    "supply_label",
]

SIZES: tuple[tuple[int, int], ...] = ((58, 40), (75, 120), (100, 150))
"""Label sizes (width × height, mm) the layouts are drawn and tested for."""
MAX_QUANTITY = 99_999_999  # ^PQ's limit


def product_label(
    name: str,
    article: str,
    barcode: str,
    *,
    width_mm: float = 58,
    height_mm: float = 40,
    dpi: int = 203,
    quantity: int = 1,
    as_code128: bool = False,
) -> bytes:
    """Name (wrapped), article and barcode of a product, ``quantity`` copies.

    ``barcode`` is drawn as EAN-13 (``^BE``), EAN-8 (``^B8``) or UPC-A (``^BU``) by its length,
    GTIN-14 as GS1-128; any other code (a seller's own) as Code 128. A GTIN-like code with a
    wrong check digit raises InvalidBarcode (the printer would draw another number), unless
    ``as_code128``: then it is drawn exactly as given, as Code 128 (marketplaces' own "20…"
    codes are opaque strings and do not always pass mod-10).
    """
    frame = Frame(width_mm, height_mm, dpi)
    code = symbols.product_code(barcode, as_code128)
    # The whole name matters more than its size: tall labels give it more, smaller lines.
    name_lines = 2 if frame.inner_height_mm < 60 else 4
    rows = [_Row("name", name, min(frame.scale_mm * 0.08, 5.0), name_lines)]
    if article:
        rows.append(_Row("article", article, _small_font(frame)))
    return _with_barcode(frame, "product.zpl.j2", rows, code, quantity, article=None)


def box_label(
    sscc: str,
    caption: str = "",
    *,
    count: tuple[int, int] | None = None,
    width_mm: float = 58,
    height_mm: float = 40,
    dpi: int = 203,
    quantity: int = 1,
) -> bytes:
    """A box or tote: ``caption`` (order number, tote…), "n / m" for ``count`` = (n, m), and the
    SSCC as GS1-128 with "(00) …" under it. The SSCC's check digit is validated first."""
    frame = Frame(width_mm, height_mm, dpi)
    code = symbols.gs1_128(barcodes.validate(sscc, barcodes.Kind.SSCC))
    rows = []
    if caption:
        rows.append(_Row("caption", caption, min(frame.scale_mm * 0.1, 7.0), 2))
    if count:
        rows.append(_Row("count", _count(count), min(frame.scale_mm * 0.16, 12.0)))
    return _with_barcode(frame, "box.zpl.j2", rows, code, quantity, caption=None, count=None)


def supply_label(
    marketplace: str,
    supply_id: str,
    barcode: str | None = None,
    *,
    caption: str = "",
    symbol: Literal["code128", "qr"] = "code128",
    width_mm: float = 58,
    height_mm: float = 40,
    dpi: int = 203,
    quantity: int = 1,
) -> bytes:
    """A supply (shipment) label: the marketplace, the supply id, an optional caption (a date,
    a warehouse) and the marketplace's barcode for it (``supply_id`` if not given) as Code 128
    or as a QR code."""
    frame = Frame(width_mm, height_mm, dpi)
    value = supply_id if barcode is None else barcode
    big = fit_font(frame, marketplace, min(frame.scale_mm * 0.14, 10.0))
    rows = [
        _Row("marketplace", marketplace, big),
        _Row("supply", supply_id, min(frame.scale_mm * 0.1, 7.0), 2),
    ]
    if caption:
        rows.append(_Row("caption", caption, _small_font(frame), 2))
    if symbol not in ("code128", "qr"):
        raise ValueError(f"a supply's barcode is code128 or qr, not {symbol!r}")
    if symbol == "code128":
        # Taller bars than a product's: a supply label is scanned on a pallet, at an angle.
        code = dataclasses.replace(symbols.code128(value), nominal_height_mm=30.0)
        digits = value != supply_id  # the supply id is printed already, larger
        return _with_barcode(
            frame, "supply.zpl.j2", rows, code, quantity, digits=digits, caption=None, qr=None
        )
    return _with_qr(frame, "supply.zpl.j2", rows, value, quantity, caption=None)


def location_label(
    code: str,
    *,
    width_mm: float = 58,
    height_mm: float = 40,
    dpi: int = 203,
    quantity: int = 1,
) -> bytes:
    """A bin's label: its code in large type over a large Code 128 of it."""
    frame = Frame(width_mm, height_mm, dpi)
    # Bins are scanned from a distance: the bars take all the height the code's text leaves.
    symbol = dataclasses.replace(symbols.code128(code), nominal_height_mm=math.inf)
    font = fit_font(frame, code, min(frame.scale_mm * 0.3, 20.0))
    gap = frame.scale_mm * 0.05
    bars = min(frame.inner_height_mm - font - gap, frame.inner_height_mm * 0.6)
    placed = symbols.place(frame, symbol, 0, bars)
    top, bars_top = stack(frame, [font, placed.height / frame.dots(1)], gap)
    return render(
        "location.zpl.j2",
        frame=frame,
        quantity=_quantity(quantity),
        name=_text(frame, code, top, font),
        code=dataclasses.replace(placed, y=frame.dots(bars_top)),
    )


def location_sheet(
    codes: Iterable[str], *, width_mm: float = 58, height_mm: float = 40, dpi: int = 203
) -> Iterator[bytes]:
    """One location label per bin code, in order, for setting up a warehouse.

    Every label is made before the first is yielded: a bad code in the middle raises before
    anything is sent, rather than leaving half a sheet printed.
    """
    made = [location_label(code, width_mm=width_mm, height_mm=height_mm, dpi=dpi) for code in codes]
    yield from made


@dataclasses.dataclass(frozen=True)
class _Row:
    """A text row of a layout: the template's field name, the text, its font, its lines."""

    key: str
    text: str
    font_mm: float
    lines: int = 1

    @property
    def height_mm(self) -> float:
        return block_height_mm(self.font_mm, self.lines)


def _with_barcode(
    frame: Frame,
    template: str,
    rows: list[_Row],
    code: symbols.Linear,
    quantity: int,
    digits: bool = True,
    **absent: None,
) -> bytes:
    """``rows`` of text over ``code`` and (if ``digits``) its human-readable line, centred on
    the label; the bars take the height the text leaves (up to their nominal height).
    ``absent``: the template's optional fields left out."""
    gap = _gap(frame)
    under = [_Row("digits", code.text, _small_font(frame))] if digits else []
    heights = [row.height_mm for row in rows + under]
    taken = sum(heights) + gap * len(heights)
    placed = symbols.place(frame, code, 0, frame.inner_height_mm - taken)
    bars_mm = placed.height / frame.dots(1)
    tops = stack(frame, [*heights[: len(rows)], bars_mm, *heights[len(rows) :]], gap)
    texts = _texts(frame, rows + under, tops[: len(rows)] + tops[len(rows) + 1 :])
    return render(
        template,
        frame=frame,
        quantity=_quantity(quantity),
        code=dataclasses.replace(placed, y=frame.dots(tops[len(rows)])),
        **{"digits": None, **absent, **texts},
    )


def _with_qr(
    frame: Frame, template: str, rows: list[_Row], data: str, quantity: int, **absent: None
) -> bytes:
    """``rows`` of text over a QR code of ``data`` as large as the rest of the label allows."""
    gap = _gap(frame)
    heights = [row.height_mm for row in rows]
    side = min(frame.inner_height_mm - sum(heights) - gap * len(rows), frame.inner_width_mm)
    tops = stack(frame, [*heights, max(side, 0)], gap)
    qr = symbols.qr(frame, data, (frame.width_mm - side) / 2, tops[-1], side)
    texts = {**absent, **_texts(frame, rows, tops)}
    return render(template, frame=frame, quantity=_quantity(quantity), qr=qr, **texts)


def _texts(frame: Frame, rows: list[_Row], tops: list[float]) -> dict[str, TextBlock]:
    return {
        row.key: _text(frame, row.text, top, row.font_mm, row.lines)
        for row, top in zip(rows, tops, strict=False)
    }


def _gap(frame: Frame) -> float:
    return frame.scale_mm * 0.03


def _small_font(frame: Frame) -> float:
    return min(max(frame.scale_mm * 0.07, 2.2), 4.5)


def _count(count: tuple[int, int] | None) -> str:
    if count is None:
        return ""
    number, total = count
    if not 1 <= number <= total:
        raise ValueError(f"box {number} of {total} does not exist")
    return f"{number} / {total}"


def _quantity(quantity: int) -> int:
    if isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValueError(f"quantity must be 1-{MAX_QUANTITY}, got {quantity}")
    return quantity
