"""Text fields as ink masks: one line, or a ``^FB`` block (wrapped, justified, line-limited).

Every font is drawn with DejaVu Sans Mono, the TrueType font python-barcode ships inside its
package (so no system font path is needed), which covers Latin and Cyrillic. A character cell is
``height`` dots tall; its advance (≈0.52 of the height, close to ``^A0``'s condensed face at
equal height and width) is stretched by ``width / height``.
"""

from __future__ import annotations

import functools
import io
import threading
from dataclasses import dataclass
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

from printers.preview.ink import Ink

MAX_FONT_DOTS = 1500
MAX_TEXT_PIXELS = 3200 * 6400  # one line or block: no label is larger
MAX_CHARACTERS = 4000
_FONT_PACKAGE, _FONT_FILE = "barcode", "fonts/DejaVuSansMono.ttf"
_LINE_BREAK = "\\&"
# The cached FreeType faces are shared; FreeType faces are not safe to use from two threads.
_FREETYPE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Font:
    height: int  # character cell height in dots
    width: int  # character cell width in dots (scales the advance)


@dataclass(frozen=True)
class Block:
    """``^FB``: block width in dots, maximum lines, extra dots between lines, justification."""

    width: int
    lines: int = 1
    spacing: int = 0
    justify: str = "L"


def line(text: str, font: Font) -> Ink:
    """One line of text; its ``^FT`` anchor is the left end of the baseline."""
    face = _face(_size(font.height))
    return Ink(_draw_line(text, font), (0, face.getmetrics()[0]))


def block(text: str, font: Font, spec: Block) -> Ink:
    """A ``^FB`` field block; lines past the last allowed one are printed over it (as Zebra does).

    Its ``^FT`` anchor is the baseline of the last possible line.
    """
    lines = wrap(text, font, spec.width)
    pitch = font.height + spec.spacing
    count = max(1, spec.lines)
    _check_size(spec.width, count * pitch)
    mask = Image.new("1", (max(1, spec.width), max(1, count * pitch - spec.spacing)), 0)
    for index, content in enumerate(lines):
        drawn = _draw_line(content, font)
        left = _left(drawn.width, spec.width, spec.justify)
        row = min(index, count - 1)
        mask.paste(255, (left, row * pitch), drawn)
    ascent = _face(_size(font.height)).getmetrics()[0]
    return Ink(mask, (0, (count - 1) * pitch + ascent))


def wrap(text: str, font: Font, width: int) -> list[str]:
    """Word-wrap ``text`` to ``width`` dots; ``\\&`` forces a line break."""
    _check_length(text)
    lines: list[str] = []
    for paragraph in text.split(_LINE_BREAK):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and measure(candidate, font) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def measure(text: str, font: Font) -> int:
    """Width of ``text`` in dots."""
    _check_length(text)
    face = _face(_size(font.height))
    with _FREETYPE_LOCK:
        return round(face.getlength(text) * _stretch(font))


def _left(drawn: int, width: int, justify: str) -> int:
    if justify == "C":
        return max(0, (width - drawn) // 2)
    if justify == "R":
        return max(0, width - drawn)
    return 0


def _draw_line(text: str, font: Font) -> Image.Image:
    _check_length(text)
    face = _face(_size(font.height))
    ascent, descent = face.getmetrics()
    with _FREETYPE_LOCK:
        natural = max(1, round(face.getlength(text)))
        _check_size(round(natural * _stretch(font)), ascent + descent)
        gray = Image.new("L", (natural, max(1, ascent + descent)), 0)
        ImageDraw.Draw(gray).text((0, 0), text, font=face, fill=255)
    width = max(1, round(natural * _stretch(font)))
    if width != natural:
        gray = gray.resize((width, gray.height), Image.Resampling.BILINEAR)
    return gray.point(lambda value: 255 if value >= 128 else 0, "1")


def _check_length(text: str) -> None:
    if len(text) > MAX_CHARACTERS:
        raise ValueError(f"a text field of {len(text)} characters is larger than any label")


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_TEXT_PIXELS:
        raise ValueError(f"a text field of {width}×{height} dots is larger than any label")


def _stretch(font: Font) -> float:
    return font.width / font.height if font.height else 1.0


def _size(height: int) -> int:
    """The point size whose ascent + descent is ``height`` dots."""
    if not 0 < height <= MAX_FONT_DOTS:
        raise ValueError(f"font height must be within 1..{MAX_FONT_DOTS} dots, got {height}")
    return max(1, round(height / _cell_per_point()))


@functools.lru_cache(maxsize=64)
def _face(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_font_bytes()), size)


@functools.lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    return resources.files(_FONT_PACKAGE).joinpath(_FONT_FILE).read_bytes()


@functools.lru_cache(maxsize=1)
def _cell_per_point() -> float:
    ascent, descent = ImageFont.truetype(io.BytesIO(_font_bytes()), 1000).getmetrics()
    return (ascent + descent) / 1000
