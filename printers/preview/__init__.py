"""Offline ZPL → PNG: what a Zebra would print, as an image, without any online service.

Covers the ZPL our labels and the marketplaces' labels use: ``^XA``/``^XZ``, ``^CI`` (28 UTF-8,
27 cp1252, 33 cp1251, else cp850), ``^PW``, ``^LL``, ``^LH``, ``^LS``, ``^LR``, ``^PO``,
``^FO``/``^FT``, ``^FW``, ``^A``/``^CF``, ``^FB``, ``^FH``, ``^FR``, ``^FD``/``^FV``, ``^GB``,
``^GF`` (hex, ACS, Z64/B64 with CRC, binary), ``^BY`` and the barcodes ``^BE``, ``^B8``, ``^BU``,
``^BC`` (modes N/A/U/D), ``^BQ``, ``^BX``. Media and job commands (``^PQ``, ``^MM`` …) are skipped
quietly; anything else is skipped and named in ``warnings``, and so is bad barcode data.

Barcodes are encoded exactly (zint), so they decode as printed ones would. Text is approximated:
every font is DejaVu Sans Mono at the cell height and width given, so line breaks and widths are
close to, not identical with, the printer's ``^A0``.

    preview = render(zpl_bytes, dpi=203)
    preview.png           # the first label as PNG bytes
    preview.labels[1].png # a stream of several ^XA…^XZ gives one image per format
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image

from printers.preview import parser
from printers.preview.render import MAX_HEIGHT_DOTS, MAX_WIDTH_DOTS, Format, stock_for

logger = logging.getLogger(__name__)

__all__ = ["MAX_HEIGHT_DOTS", "MAX_WIDTH_DOTS", "LabelImage", "Preview", "render"]


@dataclass(frozen=True)
class LabelImage:
    """One rendered format: a 1-bit image one pixel per printer dot (0 = black)."""

    image: Image.Image
    dpi: int
    warnings: tuple[str, ...]

    @property
    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG", dpi=(self.dpi, self.dpi), optimize=True)
        return out.getvalue()


@dataclass(frozen=True)
class Preview:
    """Every format of a ZPL stream, rendered."""

    labels: tuple[LabelImage, ...]

    @property
    def png(self) -> bytes:
        """The first label's PNG."""
        return self.labels[0].png

    @property
    def warnings(self) -> tuple[str, ...]:
        """What was skipped or approximated; prefixed with the label number if several."""
        if len(self.labels) == 1:
            return self.labels[0].warnings
        return tuple(
            f"label {number}: {warning}"
            for number, label in enumerate(self.labels, start=1)
            for warning in label.warnings
        )


def render(
    zpl: bytes, *, dpi: int = 203, width_mm: float | None = None, height_mm: float | None = None
) -> Preview:
    """Render every ``^XA…^XZ`` format of ``zpl`` as the printer at ``dpi`` would print it.

    The label is ``^PW``×``^LL`` dots; where a format does not say, ``width_mm``×``height_mm``
    (default 4×6 in). ``^PW``/``^LL`` carry over to the next formats, as on a printer.
    Raises ``ValueError`` for input without a format, sizes beyond
    ``MAX_WIDTH_DOTS``×``MAX_HEIGHT_DOTS``, or a ``^GF`` graphic that is damaged (CRC).
    """
    stock = stock_for(dpi, width_mm, height_mm)
    labels = []
    for commands in parser.formats(bytes(zpl)):
        state = Format(dpi, stock)
        for command in commands:
            state.apply(command)
        labels.append(LabelImage(state.image(), dpi, tuple(state.warnings)))
    if not labels:
        raise ValueError("no ^XA…^XZ format in the ZPL")
    logger.debug("rendered %d label(s) at %d dpi", len(labels), dpi)
    return Preview(tuple(labels))
