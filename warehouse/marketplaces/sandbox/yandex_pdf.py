"""Hand-built PDF 1.4 labels for the Yandex Market sandbox: one page per box.

Each page shows what the Market's label shows (order number, ``fulfilmentId`` orderId-n,
place n/N, seller, delivery service, shipment date) in Helvetica, ASCII only. Page sizes
follow YM's formats: A7 75×120 mm, A9 40×58 mm, A9_HORIZONTALLY 58×40 mm, A4.
"""

from __future__ import annotations

from collections.abc import Sequence

POINTS_PER_MM = 72 / 25.4
SIZES_MM: dict[str, tuple[float, float]] = {
    "A7": (75, 120),
    "A9": (40, 58),
    "A9_HORIZONTALLY": (58, 40),
    "A4": (210, 297),
}


def label_pdf(order_id: int, box_ids: Sequence[int], shipment_date: str, size: str) -> bytes:
    """A PDF with one label page per box of the order."""
    width, height = (value * POINTS_PER_MM for value in SIZES_MM[size])
    total = len(box_ids)
    pages = [
        _page_stream(_lines(order_id, number, total, box_id, shipment_date), width, height)
        for number, box_id in enumerate(box_ids, start=1)
    ]
    return _document(pages, width, height)


def _lines(order_id: int, number: int, total: int, box_id: int, shipment_date: str) -> list[str]:
    return [
        f"Yandex Market {order_id}",
        f"{order_id}-{number}",
        f"place {number}/{total}",
        f"box {box_id}",
        "Seller: sandbox shop",
        "Delivery: Market",
        f"Shipment: {shipment_date}",
    ]


def _page_stream(lines: Sequence[str], width: float, height: float) -> bytes:
    size = max(4.0, min(14.0, height / (len(lines) + 2) * 0.8, width / 22))
    leading = size * 1.25
    commands = [
        f"0.5 w 2 2 {width - 4:.2f} {height - 4:.2f} re S",
        f"BT /F1 {size:.2f} Tf {leading:.2f} TL {6:.2f} {height - 6 - size:.2f} Td",
    ]
    commands += [f"({_escape(line)}) Tj T*" for line in lines]
    commands.append("ET")
    return "\n".join(commands).encode("ascii")


def _document(pages: Sequence[bytes], width: float, height: float) -> bytes:
    """Catalog, page tree, font, then (page, content) per page, with an exact xref."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * index} 0 R" for index in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, stream in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * index} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _serialise(objects)


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


def _escape(text: str) -> str:
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
