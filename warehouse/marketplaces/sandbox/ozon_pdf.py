"""A tiny hand-built PDF 1.4 for the Ozon sandbox's package labels (no dependency).

One 75×120 mm page per posting, text only (Helvetica, ASCII): the posting number, the
order number and the offers inside. The xref offsets are computed exactly, so any PDF
reader opens it.
"""

from __future__ import annotations

from collections.abc import Sequence

MM = 72 / 25.4
WIDTH, HEIGHT = round(75 * MM, 2), round(120 * MM, 2)


def labels(pages: Sequence[Sequence[tuple[int, str]]]) -> bytes:
    """A PDF with one page per entry; each page is a list of (font size, ASCII line)."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * n} 0 R" for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for n, lines in enumerate(pages):
        stream = _content(lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * n} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    return _assemble(objects)


def posting_page(posting_number: str, order_number: str, offers: Sequence[str]) -> list:
    lines: list[tuple[int, str]] = [(14, "OZON"), (18, posting_number), (10, order_number)]
    lines += [(9, offer) for offer in offers]
    return lines


def _content(lines: Sequence[tuple[int, str]]) -> bytes:
    parts = ["BT"]
    y = HEIGHT - 30
    for size, text in lines:
        parts.append(f"/F1 {size} Tf 1 0 0 1 12 {y:.2f} Tm ({_escape(text)}) Tj")
        y -= size + 8
    parts.append("ET")
    return "\n".join(parts).encode("ascii")


def _escape(text: str) -> str:
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _assemble(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
