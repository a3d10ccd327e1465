"""Marketplace ZPL on printers of another resolution: rescaled, or redrawn, never shrunk."""

from __future__ import annotations

import re

import pytest

from printers import graphics
from tests.printers.decode import decode_all
from warehouse.labels import print_runs
from warehouse.marketplaces.sandbox import wb_stickers

STICKER = wb_stickers.sticker_for(4242)


def wb_zpl(kind: str) -> bytes:
    return wb_stickers.render_zpl(STICKER, kind, 58, 40).encode()


def barcodes(zpl: bytes, dpi: int) -> list[str]:
    return [text for symbology, text in decode_all(zpl, dpi) if symbology == "Code128"]


@pytest.mark.parametrize("kind", sorted(wb_stickers.KINDS))
def test_wb_zpl_goes_as_it_is_to_a_203_dpi_printer(kind):
    zpl = wb_zpl(kind)
    assert print_runs.marketplace_zpl(zpl, dpi=203, width_mm=58, height_mm=40) == zpl


@pytest.mark.parametrize("kind", sorted(wb_stickers.KINDS))
def test_wb_zpl_is_rescaled_for_a_300_dpi_printer_and_still_scans(kind):
    scaled = print_runs.marketplace_zpl(wb_zpl(kind), dpi=300, width_mm=58, height_mm=40)
    assert b"^PW696" in scaled and b"^GF" not in scaled  # 58 mm at 12 dots/mm, still text
    assert barcodes(scaled, 300) == [STICKER.barcode]


def test_a_zpl_with_a_graphic_is_redrawn_at_the_printers_dpi():
    logo = graphics.image_to_zpl(_checkerboard(), dpi=203, width_mm=10, height_mm=10)
    field = re.search(rb"\^FO.*?\^FS", logo, re.S).group()  # the logo's ^GF field
    source = wb_zpl("zplh").replace(b"^XZ", field + b"^XZ")
    assert b"^GF" in source and barcodes(source, 203) == [STICKER.barcode]
    redrawn = print_runs.marketplace_zpl(source, dpi=300, width_mm=58, height_mm=40)
    assert b"^GFA" in redrawn and b"^PW696" in redrawn
    assert barcodes(redrawn, 300) == [STICKER.barcode]


def _checkerboard() -> bytes:
    import io

    from PIL import Image

    image = Image.new("1", (80, 80), 1)
    for x in range(0, 80, 10):
        for y in range(0, 80, 10):
            if (x + y) // 10 % 2:
                image.paste(0, (x, y, x + 10, y + 10))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
