"""Barcodes on pages: inline SVG drawn by python-barcode after our own check-digit test."""

from __future__ import annotations

from markupsafe import Markup, escape

from printers import barcodes


def barcode_svg(code: str, symbology: str = "", height_mm: float = 12.0) -> Markup:
    """The code as an inline ``<svg>`` (``symbology``: a name such as ``CODE128``).

    A code that fails its check digit is shown as such, in words, never drawn as some
    other number."""
    chosen = barcodes.Symbology[symbology] if symbology else None
    try:
        return Markup(barcodes.svg(code, chosen, height_mm=height_mm))
    except barcodes.InvalidBarcode as exc:
        return Markup('<span class="error barcode-invalid">{}</span>').format(escape(str(exc)))
