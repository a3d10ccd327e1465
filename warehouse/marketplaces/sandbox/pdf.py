"""A tiny hand-built PDF 1.4 of text-only label pages, for the sandboxes (no dependency).

Every page has the same size, a thin frame and its lines in Helvetica (WinAnsi; other
characters become ``?``), in a font size that fits the page. The xref offsets are
computed exactly, so any PDF reader opens it.
"""

from __future__ import annotations

from collections.abc import Sequence

POINTS_PER_MM = 72 / 25.4
MAX_FONT, MIN_FONT = 14.0, 4.0
MARGIN = 6.0


def text_pdf(pages: Sequence[Sequence[str]], width_mm: float, height_mm: float) -> bytes:
    """A PDF with one ``width_mm`` × ``height_mm`` page per entry of ``pages`` (its lines)."""
    width, height = width_mm * POINTS_PER_MM, height_mm * POINTS_PER_MM
    count = len(pages)
    kids = " ".join(f"{4 + 2 * index} 0 R" for index in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, lines in enumerate(pages):
        stream = _content(lines, width, height)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * index} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _serialise(objects)


def _content(lines: Sequence[str], width: float, height: float) -> bytes:
    size = max(MIN_FONT, min(MAX_FONT, height / (len(lines) + 2) * 0.8, width / 22))
    leading = size * 1.25
    commands = [
        f"0.5 w 2 2 {width - 4:.2f} {height - 4:.2f} re S",
        f"BT /F1 {size:.2f} Tf {leading:.2f} TL {MARGIN:.2f} {height - MARGIN - size:.2f} Td",
    ]
    commands += [f"({_escape(line)}) Tj T*" for line in lines]
    commands.append("ET")
    return "\n".join(commands).encode("cp1252", errors="replace")


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
