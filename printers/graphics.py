"""Marketplace PDF / PNG labels as ZPL ``^GFA`` rasters (Z64-compressed, never dithered).

The page is rendered at the printer's own resolution (whole dots per mm, see :mod:`printers.zpl`),
scaled to fit the label while keeping its aspect ratio, turned 90° clockwise when its orientation
differs from the label's, centred, and cut to 1 bit with a fixed threshold: barcodes stay sharp.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import math
import threading
import zlib

import pypdfium2 as pdfium
from PIL import Image, ImageOps, UnidentifiedImageError

from printers import zpl

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 128
"""Grey levels below this print black (0 = black, 255 = white)."""

SUPERSAMPLE = 4
"""PDF pages are rendered on a grid this many times finer than the printer's dots, then
box-averaged onto exactly the printer's dots. PDFium fills axis-aligned rectangles (``re f``, how
label PDFs draw barcode bars) without anti-aliasing and rounds them outwards to whole pixels: at 1×
every bar would gain up to 2 dots (1 on average) and every space lose as much."""

# PDFium is not thread-safe: one render at a time per process.
_PDFIUM_LOCK = threading.Lock()
# The PDF header may follow up to 1 KB of junk (PDF 1.7, annex H).
_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WINDOW = 1024
# PIL stores a 1-bit image with white = 1; ZPL prints a set bit black.
_INVERT = bytes(255 - value for value in range(256))


def crc16_xmodem(data: bytes) -> int:
    """CRC-16/XMODEM (poly 0x1021, init 0, no reflection): ``b"123456789"`` → ``0x31C3``;
    the standard library's CRC-CCITT started from 0 is exactly that."""
    return binascii.crc_hqx(data, 0)


def graphic_field(bitmap: Image.Image) -> str:
    """``^GFA,b,c,d,:Z64:<base64 of zlib>:<crc>`` for ``bitmap``; black pixels print.

    The bitmap is cut to 1 bit without dithering if it is not already mode ``"1"``, and padded on
    the right with white to a whole number of bytes per row. No ``^FO``/``^FS`` around it.
    """
    packed = _to_one_bit(bitmap)
    packed = _pad_width_to_bytes(packed)
    row_bytes = packed.width // 8
    data = packed.tobytes().translate(_INVERT)
    encoded = base64.b64encode(zlib.compress(data, 9)).decode("ascii")
    crc = crc16_xmodem(encoded.encode("ascii"))
    total = row_bytes * packed.height
    return f"^GFA,{total},{total},{row_bytes},:Z64:{encoded}:{crc:04x}"


def pdf_to_zpl(
    pdf: bytes,
    *,
    dpi: int = 203,
    width_mm: float,
    height_mm: float,
    page: int | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> bytes:
    """One ``^XA…^XZ`` label per PDF page (or only page ``page``, 0-based), fitted to the label.

    Raises ``ValueError`` for bytes that are not a PDF, a PDF without pages or a bad ``page``.
    """
    size = _label_size(width_mm, height_mm, dpi)
    _check_threshold(threshold)
    labels = [
        _label(bitmap, width_mm, height_mm, dpi)
        for bitmap in _render_pdf(pdf, size, page, threshold)
    ]
    logger.debug("PDF of %d bytes → %d label(s) at %d dpi", len(pdf), len(labels), dpi)
    return b"".join(labels)


def image_to_zpl(
    image: Image.Image | bytes,
    *,
    dpi: int = 203,
    width_mm: float,
    height_mm: float,
    threshold: int = DEFAULT_THRESHOLD,
) -> bytes:
    """One ``^XA…^XZ`` label for a PNG / JPEG sticker (an open image or its encoded bytes)."""
    size = _label_size(width_mm, height_mm, dpi)
    gray = _fit_image(_to_gray(_open_image(image)), size)
    bitmap = _on_canvas(_threshold(gray, threshold), size)
    return _label(bitmap, width_mm, height_mm, dpi)


# --- PDF ------------------------------------------------------------------------------------------


def _render_pdf(
    pdf: bytes, size: tuple[int, int], page: int | None, threshold: int
) -> list[Image.Image]:
    """Every wanted page as a 1-bit label canvas."""
    if _PDF_MAGIC not in bytes(pdf[:_PDF_MAGIC_WINDOW]):
        raise ValueError("not a PDF: the %PDF- header is missing")
    bitmaps = []
    with _PDFIUM_LOCK:
        document = _open_pdf(bytes(pdf))
        try:
            for index in _page_indexes(len(document), page):
                gray = _render_page(document[index], size)
                bitmaps.append(_on_canvas(_threshold(gray, threshold), size))
        finally:
            document.close()
    return bitmaps


def _open_pdf(pdf: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        # PDFium refuses documents without pages as well as damaged ones.
        raise ValueError(f"not a readable PDF (damaged or without pages): {error}") from error


def _page_indexes(count: int, page: int | None) -> range:
    if count == 0:
        raise ValueError("the PDF has no pages")
    if page is None:
        return range(count)
    if not 0 <= page < count:
        raise ValueError(f"page {page} is out of range: the PDF has {count} page(s)")
    return range(page, page + 1)


def _render_page(page: pdfium.PdfPage, size: tuple[int, int]) -> Image.Image:
    """The page in greyscale, as large as fits ``size`` (turned if orientations differ)."""
    try:
        page_width, page_height = page.get_size()
        if page_width <= 0 or page_height <= 0:
            raise ValueError("a PDF page has no area")
        rotation = 90 if _crosswise((page_width, page_height), size) else 0
        if rotation:
            page_width, page_height = page_height, page_width
        scale = min(size[0] / page_width, size[1] / page_height)
        fine = page.render(
            scale=scale * SUPERSAMPLE, rotation=rotation, grayscale=True, draw_annots=True
        )
        image = fine.to_pil()  # a view of PDFium's bitmap: grey already, not copied again
        return (image if image.mode == "L" else image.convert("L")).reduce(SUPERSAMPLE)
    finally:
        page.close()


# --- raster helpers -------------------------------------------------------------------------------


def _label_size(width_mm: float, height_mm: float, dpi: int) -> tuple[int, int]:
    width, height = zpl.dots(width_mm, dpi), zpl.dots(height_mm, dpi)
    if width <= 0 or height <= 0:
        raise ValueError(f"label size must be positive, got {width_mm}×{height_mm} mm")
    return width, height


def _crosswise(source: tuple[float, float], label: tuple[int, int]) -> bool:
    """A landscape source on a portrait label or the reverse (a square fits either way)."""
    source_landscape = source[0] > source[1]
    source_portrait = source[0] < source[1]
    return (source_landscape and label[0] < label[1]) or (source_portrait and label[0] > label[1])


def _open_image(image: Image.Image | bytes) -> Image.Image:
    if isinstance(image, Image.Image):
        return image
    try:
        opened = Image.open(io.BytesIO(image))
        opened.load()
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"not a readable image: {error}") from error
    return ImageOps.exif_transpose(opened)


def _to_gray(image: Image.Image) -> Image.Image:
    """Greyscale with any transparency flattened onto white paper."""
    if image.mode == "1":
        return image.convert("L")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("L")
    return image.convert("L")


def _fit_image(gray: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Turn to the label's orientation and scale to fit it, keeping the aspect ratio."""
    if _crosswise(gray.size, size):
        gray = gray.transpose(Image.Transpose.ROTATE_270)  # 90° clockwise, like the PDF path
    scale = min(size[0] / gray.width, size[1] / gray.height)
    target = (
        max(1, min(size[0], round(gray.width * scale))),
        max(1, min(size[1], round(gray.height * scale))),
    )
    if target == gray.size:
        return gray
    # Area averaging when shrinking, linear when enlarging: the threshold then puts every edge
    # where half a dot is covered, so bar widths scale evenly instead of jittering.
    shrinking = target[0] < gray.width
    resample = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    return gray.resize(target, resample)


def _check_threshold(threshold: int) -> None:
    if not 0 < threshold <= 255:
        raise ValueError(f"threshold must be within 1..255, got {threshold}")


def _threshold(gray: Image.Image, threshold: int) -> Image.Image:
    """Fixed-threshold 1-bit cut (mode ``"1"``, 0 = black): never dithered."""
    _check_threshold(threshold)
    table = [0 if value < threshold else 255 for value in range(256)]
    return gray.point(table, "1")


def _on_canvas(bitmap: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``bitmap`` centred on a white label ``size`` wide (rounded up to whole bytes)."""
    canvas = Image.new("1", (_whole_bytes(size[0]), size[1]), 1)
    left = max(0, (size[0] - bitmap.width) // 2)
    top = max(0, (size[1] - bitmap.height) // 2)
    canvas.paste(
        bitmap.crop((0, 0, min(bitmap.width, size[0]), min(bitmap.height, size[1]))), (left, top)
    )
    return canvas


def _to_one_bit(bitmap: Image.Image) -> Image.Image:
    if bitmap.mode == "1":
        return bitmap
    return _threshold(_to_gray(bitmap), DEFAULT_THRESHOLD)


def _pad_width_to_bytes(bitmap: Image.Image) -> Image.Image:
    width = _whole_bytes(bitmap.width)
    if width == bitmap.width:
        return bitmap
    padded = Image.new("1", (width, bitmap.height), 1)
    padded.paste(bitmap, (0, 0))
    return padded


def _whole_bytes(width: int) -> int:
    return math.ceil(width / 8) * 8


def _label(bitmap: Image.Image, width_mm: float, height_mm: float, dpi: int) -> bytes:
    return zpl.label(width_mm, height_mm, dpi, "^FO0,0" + graphic_field(bitmap) + "^FS")
