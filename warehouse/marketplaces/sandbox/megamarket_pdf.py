"""A tiny hand-built PDF 1.4 for the Megamarket sandbox's box labels (no dependency).

One 70×100 mm page per box, text only (Helvetica): the shipment, the order code and
the box code ``merchantId*shipmentId*boxIndex``. The xref offsets are computed exactly,
so any PDF reader opens it.
"""

from __future__ import annotations

from collections.abc import Sequence

MM = 72 / 25.4
WIDTH, HEIGHT = round(70 * MM, 2), round(100 * MM, 2)


def box_labels(shipment_id: str, order_code: str, box_codes: Sequence[str]) -> bytes:
    pages = [_page_text(shipment_id, order_code, code) for code in box_codes]
    return build(pages)


def build(pages: Sequence[Sequence[tuple[int, str]]]) -> bytes:
    """A PDF with one page per entry; each page is a list of (font size, line)."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * n} 0 R" for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for n, lines in enumerate(pages):
        stream = _content(lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * n} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _assemble(objects)


def _page_text(shipment_id: str, order_code: str, box_code: str) -> list[tuple[int, str]]:
    return [
        (12, "MEGAMARKET (sandbox)"),
        (10, f"Shipment {shipment_id}"),
        (10, f"Order {order_code or shipment_id}"),
        (14, box_code),
        (8, "FBS box label"),
    ]


def _content(lines: Sequence[tuple[int, str]]) -> bytes:
    parts = ["BT"]
    y = HEIGHT - 36
    for size, text in lines:
        parts.append(f"/F1 {size} Tf 1 0 0 1 14 {y:.2f} Tm ({_escape(text)}) Tj")
        y -= size * 2.2
    parts.append("ET")
    return "\n".join(parts).encode("cp1252", errors="replace")


def _assemble(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
