"""A tiny hand-built PDF 1.4 of label pages, for the sandboxes.

Every page has the same size, a thin frame and its lines in Helvetica (WinAnsi; other
characters become ``?``), in a font size that fits the page, and optionally a Code 128 barcode
at the bottom, drawn as filled rectangles like the marketplaces' own label PDFs (its modules
from python-barcode, already a dependency). The xref offsets are computed exactly, so any PDF
reader opens it.
"""

from __future__ import annotations

from collections.abc import Sequence

from barcode import Code128

POINTS_PER_MM = 72 / 25.4
MAX_FONT, MIN_FONT = 14.0, 4.0
MARGIN = 6.0
MODULE_MM = 0.33  # a module still sharp after rasterising at 203 dpi (8 dots per mm)
BAR_HEIGHT_MM = 12.0
QUIET_MODULES = 10


def text_pdf(
    pages: Sequence[Sequence[str]],
    width_mm: float,
    height_mm: float,
    barcodes: Sequence[str] | None = None,
) -> bytes:
    """A PDF with one ``width_mm`` × ``height_mm`` page per entry of ``pages`` (its lines);
    page ``i`` carries a Code 128 of ``barcodes[i]`` under its text when given."""
    width, height = width_mm * POINTS_PER_MM, height_mm * POINTS_PER_MM
    count = len(pages)
    kids = " ".join(f"{4 + 2 * index} 0 R" for index in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, lines in enumerate(pages):
        code = barcodes[index] if barcodes else None
        stream = _content(lines, width, height, code)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * index} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _serialise(objects)


def _content(lines: Sequence[str], width: float, height: float, code: str | None) -> bytes:
    band = (BAR_HEIGHT_MM * POINTS_PER_MM + MARGIN) if code else 0.0
    size = max(MIN_FONT, min(MAX_FONT, (height - band) / (len(lines) + 2) * 0.8, width / 22))
    leading = size * 1.25
    commands = [
        f"0.5 w 2 2 {width - 4:.2f} {height - 4:.2f} re S",
        f"BT /F1 {size:.2f} Tf {leading:.2f} TL {MARGIN:.2f} {height - MARGIN - size:.2f} Td",
    ]
    commands += [f"({_escape(line)}) Tj T*" for line in lines]
    commands.append("ET")
    if code:
        commands += _bars(code, width)
    return "\n".join(commands).encode("cp1252", errors="replace")


def _bars(code: str, width: float) -> list[str]:
    """The Code 128 of ``code`` centred above the bottom margin, one ``re f`` per bar."""
    modules = Code128(code).build()[0]
    room = (width - 2 * MARGIN) / (len(modules) + 2 * QUIET_MODULES)
    module = min(MODULE_MM * POINTS_PER_MM, room)
    left = (width - module * len(modules)) / 2
    height = BAR_HEIGHT_MM * POINTS_PER_MM
    bars, start = [], None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit == "0" and start is not None:
            x = left + start * module
            bars.append(f"{x:.3f} {MARGIN:.2f} {(index - start) * module:.3f} {height:.2f} re f")
            start = None
    return bars


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _serialise(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
