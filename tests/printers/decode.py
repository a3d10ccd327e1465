"""Decode every barcode of a ZPL stream after rendering it offline, for tests of any module.

    from tests.printers.decode import decode_all
    assert decode_all(product_label_zpl, 203) == [("EAN13", "4601234567893")]

Rendering is :func:`printers.preview.render`; decoding is zxing-cpp (a dev dependency), so what
is checked is the symbol a printer would print, not the string we meant to send. Texts are the
data as a scanner transmits it: GS1 separators as GS (``\\x1d``), no ``(AI)`` parentheses, no
AIM prefix (that is ``Decoded.symbology``: ``]C1`` GS1-128, ``]d2`` GS1 DataMatrix, …).
"""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp

from printers.preview import render


@dataclass(frozen=True)
class Decoded:
    label: int  # index of the ^XA…^XZ format in the stream
    format: str  # zxing-cpp's name: "EAN13", "EAN8", "UPCA", "Code128", "QRCode", "DataMatrix"
    text: str
    symbology: str  # AIM symbology identifier, e.g. "]C1"
    orientation: int  # degrees the symbol is turned on the label
    box: tuple[int, int, int, int]  # left, top, right, bottom in dots


def decode_barcodes(
    zpl: bytes, dpi: int = 203, *, width_mm: float | None = None, height_mm: float | None = None
) -> list[Decoded]:
    """Every barcode found, by label, then top to bottom, then left to right."""
    preview = render(zpl, dpi=dpi, width_mm=width_mm, height_mm=height_mm)
    found = []
    for number, label in enumerate(preview.labels):
        image = label.image.convert("L")
        for barcode in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
            found.append(_decoded(number, barcode))
    return sorted(found, key=lambda item: (item.label, item.box[1], item.box[0]))


def decode_all(zpl: bytes, dpi: int = 203) -> list[tuple[str, str]]:
    """``[(format, text), …]`` of every barcode in the stream, in reading order."""
    return [(item.format, item.text) for item in decode_barcodes(zpl, dpi)]


def _decoded(label: int, barcode: zxingcpp.Barcode) -> Decoded:
    corners = [
        barcode.position.top_left,
        barcode.position.top_right,
        barcode.position.bottom_left,
        barcode.position.bottom_right,
    ]
    xs, ys = [point.x for point in corners], [point.y for point in corners]
    return Decoded(
        label=label,
        format=barcode.format.name,
        text=barcode.text,
        symbology=barcode.symbology_identifier,
        orientation=barcode.orientation % 360,
        box=(min(xs), min(ys), max(xs), max(ys)),
    )
