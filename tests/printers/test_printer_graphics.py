"""PDF / PNG → ZPL: real PDFs built here, the ZPL decoded back to a bitmap and measured."""

from __future__ import annotations

import base64
import io
import re
import zlib
from dataclasses import dataclass

import pytest
from PIL import Image, ImageDraw

from printers import zpl
from printers.graphics import crc16_xmodem, graphic_field, image_to_zpl, pdf_to_zpl

MM_PER_PT = 25.4 / 72
_LABEL = re.compile(rb"\^XA(.*?)\^XZ", re.DOTALL)
_SIZE = re.compile(r"\^PW(\d+)\^LL(\d+)")
_FIELD = re.compile(r"\^FO0,0\^GFA,(\d+),(\d+),(\d+),:Z64:([A-Za-z0-9+/=]+):([0-9A-Fa-f]{4})\^FS")
# A Code 128-like run: bar, space, bar, … widths in modules, starting with a bar.
STRIPES = (2, 1, 1, 2, 3, 1, 1, 3, 4, 1, 2, 2, 1, 4, 2, 1, 3, 2, 1, 1, 2)


@dataclass(frozen=True)
class Decoded:
    width: int  # ^PW
    height: int  # ^LL
    row_bytes: int
    black: Image.Image  # mode "1", 255 where the printer burns a dot

    def box(self, area: tuple[int, int, int, int] | None = None) -> tuple[int, int, int, int]:
        """Bounding box of the black dots (in label coordinates) inside ``area``."""
        image = self.black if area is None else self.black.crop(area)
        found = image.getbbox()
        assert found is not None, "no black dots"
        if area is None:
            return found
        return (found[0] + area[0], found[1] + area[1], found[2] + area[0], found[3] + area[1])

    def row(self, y: int) -> list[bool]:
        strip = self.black.crop((0, y, self.width, y + 1))
        return [bool(value) for value in strip.get_flattened_data()]


def decode_graphic(field: str) -> tuple[int, Image.Image]:
    """Undo ``^GFA,…:Z64:…:crc`` after checking its CRC and byte counts."""
    match = re.fullmatch(r"\^GFA,(\d+),(\d+),(\d+),:Z64:([A-Za-z0-9+/=]+):([0-9A-Fa-f]{4})", field)
    assert match, field[:80]
    sent, total, row_bytes = (int(match[i]) for i in (1, 2, 3))
    assert crc16_xmodem(match[4].encode("ascii")) == int(match[5], 16)
    raw = zlib.decompress(base64.b64decode(match[4], validate=True))
    assert sent == total == len(raw)
    assert total % row_bytes == 0
    return row_bytes, Image.frombytes("1", (row_bytes * 8, total // row_bytes), raw)


def decode(zpl_bytes: bytes) -> list[Decoded]:
    """Every ``^XA…^XZ`` label of ``pdf_to_zpl`` / ``image_to_zpl`` as its bitmap."""
    text = zpl_bytes.decode("ascii")
    assert text.startswith("^XA") and text.endswith("^XZ")
    labels = []
    for body in _LABEL.findall(zpl_bytes):
        size = _SIZE.search(body.decode("ascii"))
        field = _FIELD.search(body.decode("ascii"))
        assert size and field
        width, height = int(size[1]), int(size[2])
        row_bytes, black = decode_graphic(field[0].removeprefix("^FO0,0").removesuffix("^FS"))
        assert row_bytes == -(-width // 8)
        assert black.height == height
        labels.append(Decoded(width, height, row_bytes, black))
    assert len(labels) == text.count("^XA") == text.count("^XZ")
    return labels


# --- building real PDFs ---------------------------------------------------------------------------


def raster_pdf(*pages: Image.Image, dots_per_mm: float) -> bytes:
    """A PDF made by Pillow: each image fills a page of (pixels / dots_per_mm) mm."""
    out = io.BytesIO()
    pages[0].save(
        out,
        format="PDF",
        resolution=dots_per_mm * 25.4,
        save_all=True,
        append_images=list(pages[1:]),
    )
    return out.getvalue()


def vector_pdf(*pages: tuple[float, float, list[tuple[float, float, float, float]]]) -> bytes:
    """A hand-written PDF: each page (width mm, height mm, black rectangles x, y, w, h in mm
    from the top-left corner) drawn with vector ``re f`` operators."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for width, height, rects in pages:
        page_h = height / MM_PER_PT
        ops = ["0 g"] + [
            f"{x / MM_PER_PT:.4f} {page_h - (y + h) / MM_PER_PT:.4f} "
            f"{w / MM_PER_PT:.4f} {h / MM_PER_PT:.4f} re f"
            for x, y, w, h in rects
        ]
        stream = "\n".join(ops).encode("ascii")
        content = len(objects) + 2
        kids.append(len(objects) + 1)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width / MM_PER_PT:.4f} "
            f"{page_h:.4f}] /Contents {content} 0 R >>".encode("ascii")
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    kids_refs = " ".join(f"{kid} 0 R" for kid in kids)
    objects[1] = f"<< /Type /Pages /Kids [{kids_refs}] /Count {len(kids)} >>".encode("ascii")
    return _pdf_file(objects)


def _pdf_file(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def page_with_rectangle(
    size: tuple[int, int], rect: tuple[int, int, int, int], mode: str = "L"
) -> Image.Image:
    """A white page of ``size`` pixels with a black rectangle ``(left, top, right, bottom)``."""
    image = Image.new(mode, size, "white")
    ImageDraw.Draw(image).rectangle((rect[0], rect[1], rect[2] - 1, rect[3] - 1), fill="black")
    return image


def draw_stripes(
    image: Image.Image, left: int, top: int, module: int, height: int, fill: int | str = "black"
) -> None:
    x = left
    draw = ImageDraw.Draw(image)
    for index, modules in enumerate(STRIPES):
        if index % 2 == 0:
            draw.rectangle((x, top, x + modules * module - 1, top + height - 1), fill=fill)
        x += modules * module


def runs(row: list[bool]) -> list[tuple[bool, int]]:
    """Run-length encoding of one bitmap row: (is black, length)."""
    found: list[tuple[bool, int]] = []
    for value in row:
        if found and found[-1][0] == value:
            found[-1] = (value, found[-1][1] + 1)
        else:
            found.append((value, 1))
    return found


def assert_stripes(decoded: Decoded, top: int, height: int, module_dots: float) -> None:
    """Every bar and space keeps its width to ±1 dot, identically on every row (no dithering),
    and the bars do not grow on average (no systematic ink spread)."""
    middle = decoded.row(top + height // 2)
    # Skip the 2 edge rows where a fractional bar top may round either way.
    for y in range(top + 2, top + height - 2):
        assert decoded.row(y) == middle, f"row {y} differs: dithering or ragged edges"
    inner = runs(middle)[1:-1]  # drop the white margins
    assert [black for black, _ in inner] == [i % 2 == 0 for i in range(len(STRIPES))]
    growth = []
    for (black, measured), modules in zip(inner, STRIPES, strict=True):
        ideal = modules * module_dots
        assert abs(measured - round(ideal)) <= 1, (measured, ideal)
        if black:
            growth.append(measured - ideal)
    assert abs(sum(growth) / len(growth)) < 0.5, growth
    assert not any(decoded.row(top - 3))
    assert not any(decoded.row(top + height + 2))


# --- tests ----------------------------------------------------------------------------------------


def test_crc16_xmodem_known_vectors() -> None:
    assert crc16_xmodem(b"123456789") == 0x31C3
    assert crc16_xmodem(b"") == 0
    assert crc16_xmodem(b"A") == 0x58E5


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize(("width_mm", "height_mm"), [(58, 40), (75, 120)])
def test_pdf_fills_the_label_and_keeps_the_rectangle_in_place(
    dpi: int, width_mm: int, height_mm: int
) -> None:
    per_mm = zpl.dots_per_mm(dpi)
    width, height = zpl.dots(width_mm, dpi), zpl.dots(height_mm, dpi)
    # A 20×10 mm rectangle 5 mm from the left, 8 mm from the top.
    rect = (5 * per_mm, 8 * per_mm, 25 * per_mm, 18 * per_mm)
    pdf = raster_pdf(page_with_rectangle((width, height), rect), dots_per_mm=per_mm)

    produced = pdf_to_zpl(pdf, dpi=dpi, width_mm=width_mm, height_mm=height_mm)

    assert produced.startswith(f"^XA^CI28^PW{width}^LL{height}^FO0,0^GFA,".encode())
    (label,) = decode(produced)
    assert (label.width, label.height) == (width, height)
    assert label.black.size == (-(-width // 8) * 8, height)
    found = label.box()
    assert all(abs(got - want) <= 2 for got, want in zip(found, rect, strict=True)), found
    assert label.black.histogram()[255] == pytest.approx(20 * 10 * per_mm**2, rel=0.03)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("module_mm", [0.375, 0.33])  # 3 / 2.64 dots at 203 dpi, 4.5 / 3.96 at 300
def test_vector_barcode_stays_sharp(dpi: int, module_mm: float) -> None:
    bars, x = [], 6.0
    for index, modules in enumerate(STRIPES):
        if index % 2 == 0:
            bars.append((x, 30.0, modules * module_mm, 25.0))
        x += modules * module_mm
    pdf = vector_pdf((75, 120, [*bars, (10.0, 70.0, 30.0, 20.0)]))

    (label,) = decode(pdf_to_zpl(pdf, dpi=dpi, width_mm=75, height_mm=120))

    per_mm = zpl.dots_per_mm(dpi)
    assert_stripes(label, top=30 * per_mm, height=25 * per_mm, module_dots=module_mm * per_mm)
    rect = label.box((0, 65 * per_mm, label.width, 95 * per_mm))
    want = (10 * per_mm, 70 * per_mm, 40 * per_mm, 90 * per_mm)
    assert all(abs(got - exp) <= 2 for got, exp in zip(rect, want, strict=True)), rect


def test_raster_barcode_scaled_down_stays_sharp() -> None:
    # A 2× oversampled 58×40 mm page (16 px/mm) printed at 203 dpi (8 dots/mm).
    page = Image.new("L", (58 * 16, 40 * 16), "white")
    draw_stripes(page, left=10 * 16, top=10 * 16, module=6, height=15 * 16)
    pdf = raster_pdf(page, dots_per_mm=16)

    (label,) = decode(pdf_to_zpl(pdf, dpi=203, width_mm=58, height_mm=40))

    assert (label.width, label.height) == (464, 320)
    assert_stripes(label, top=80, height=120, module_dots=3)


def test_landscape_page_is_turned_clockwise_on_a_portrait_label() -> None:
    # A 120×75 mm landscape page with a rectangle in its top-left corner.
    rect = (100, 50, 200, 150)
    pdf = raster_pdf(page_with_rectangle((960, 600), rect), dots_per_mm=8)

    (label,) = decode(pdf_to_zpl(pdf, dpi=203, width_mm=75, height_mm=120))

    assert (label.width, label.height) == (600, 960)
    # Clockwise: the page's top edge becomes the label's right edge.
    want = (600 - rect[3], rect[0], 600 - rect[1], rect[2])
    found = label.box()
    assert all(abs(got - exp) <= 2 for got, exp in zip(found, want, strict=True)), found


def test_smaller_page_is_scaled_up_to_fit_and_centred() -> None:
    # A 100×100 mm square page with a full-width black band across its middle third.
    page = page_with_rectangle((400, 400), (0, 133, 400, 267))
    pdf = raster_pdf(page, dots_per_mm=4)

    (label,) = decode(pdf_to_zpl(pdf, dpi=203, width_mm=58, height_mm=40))

    # Fits the 40 mm height: 320×320 dots, centred horizontally on the 464-dot label.
    left = (464 - 320) // 2
    found = label.box()
    want = (left, 106, left + 320, 214)
    assert all(abs(got - exp) <= 2 for got, exp in zip(found, want, strict=True)), found


def test_every_page_becomes_its_own_label() -> None:
    pages = [
        page_with_rectangle((464, 320), (40 + 100 * i, 40, 80 + 100 * i, 80)) for i in range(3)
    ]
    pdf = raster_pdf(*pages, dots_per_mm=8)

    produced = pdf_to_zpl(pdf, dpi=203, width_mm=58, height_mm=40)

    labels = decode(produced)
    assert len(labels) == 3
    for index, label in enumerate(labels):
        assert abs(label.box()[0] - (40 + 100 * index)) <= 2
    only_second = pdf_to_zpl(pdf, dpi=203, width_mm=58, height_mm=40, page=1)
    assert only_second == b"^XA" + _LABEL.findall(produced)[1] + b"^XZ"


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, not a PDF", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, b"%PDF-1.4\ngarbage only\n"],
)
def test_not_a_pdf_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError, match="PDF"):
        pdf_to_zpl(data, width_mm=58, height_mm=40)


def test_pdf_without_pages_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="without pages"):
        pdf_to_zpl(vector_pdf(), width_mm=58, height_mm=40)


def test_page_out_of_range_is_a_value_error() -> None:
    pdf = vector_pdf((58, 40, [(1, 1, 5, 5)]))
    with pytest.raises(ValueError, match="out of range"):
        pdf_to_zpl(pdf, width_mm=58, height_mm=40, page=1)


def test_png_sticker_goes_through_image_to_zpl() -> None:
    # A 58×40 mm PNG (as WB serves stickers): transparent black paper, opaque black ink.
    ink = Image.new("L", (464, 320), 0)
    ImageDraw.Draw(ink).rectangle((300, 40, 419, 99), fill=255)
    draw_stripes(ink, left=40, top=150, module=3, height=120, fill=255)
    sticker = Image.new("RGBA", ink.size, (0, 0, 0, 0))
    sticker.paste((0, 0, 0, 255), (0, 0), ink)
    png = io.BytesIO()
    sticker.save(png, format="PNG")

    (label,) = decode(image_to_zpl(png.getvalue(), dpi=203, width_mm=58, height_mm=40))

    assert (label.width, label.height) == (464, 320)
    assert label.box((250, 0, 464, 140)) == (300, 40, 420, 100)
    assert_stripes(label, top=150, height=120, module_dots=3)
    same = image_to_zpl(Image.open(io.BytesIO(png.getvalue())), dpi=203, width_mm=58, height_mm=40)
    assert decode(same)[0].black.tobytes() == label.black.tobytes()


def test_png_at_300_dpi_is_scaled_to_the_label() -> None:
    image = page_with_rectangle((464, 320), (0, 0, 232, 160))  # top-left quarter black
    (label,) = decode(image_to_zpl(image, dpi=300, width_mm=58, height_mm=40))
    assert (label.width, label.height) == (696, 480)
    found = label.box()
    assert all(abs(got - exp) <= 1 for got, exp in zip(found, (0, 0, 348, 240), strict=True))


def test_image_to_zpl_rejects_bytes_that_are_not_an_image() -> None:
    with pytest.raises(ValueError, match="image"):
        image_to_zpl(b"%PDF-1.4 not a png", width_mm=58, height_mm=40)


def test_graphic_field_pads_rows_to_whole_bytes_with_white() -> None:
    bitmap = Image.new("1", (10, 3), 1)
    bitmap.putpixel((0, 0), 0)
    bitmap.putpixel((9, 2), 0)

    row_bytes, black = decode_graphic(graphic_field(bitmap))

    assert row_bytes == 2
    assert black.size == (16, 3)
    assert black.tobytes() == bytes([0x80, 0x00, 0x00, 0x00, 0x00, 0x40])


def test_graphic_field_thresholds_grey_images_without_dithering() -> None:
    grey = Image.new("L", (16, 2), 100)  # darker than the threshold: all black, no pattern
    grey.paste(160, (8, 0, 16, 2))  # lighter: all white
    _, black = decode_graphic(graphic_field(grey))
    assert black.tobytes() == bytes([0xFF, 0x00, 0xFF, 0x00])
