"""Label geometry in millimetres, printed in dots; text fitted into ``^FB`` blocks.

Layouts think in millimetres relative to the label (so one layout serves 58×40 and 100×150),
and every number that reaches the ZPL is a whole number of dots at the printer's resolution.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from printers import zpl

# ^A0 (CG Triumvirate Bold Condensed) at width = height: an average Latin or Cyrillic character
# advances about 0.55 of the height; 0.6 keeps wide capitals (Ж, Ш, M, W) inside the block.
CHAR_WIDTH = 0.6
LINE_GAP = 0.15
"""Extra space between wrapped lines, as a fraction of the font height."""
ELLIPSIS = "..."
MIN_FONT_MM = 1.5
READABLE_MM = 2.5
_SPACES = re.compile(r"\s+")
_EPSILON_MM = 1e-6


class LayoutError(ValueError):
    """The content does not fit the label (too small a label, or too long a code)."""


@dataclass(frozen=True)
class Frame:
    """A label of ``width_mm`` × ``height_mm`` on a printer of ``dpi``, with its margin."""

    width_mm: float
    height_mm: float
    dpi: int

    def __post_init__(self) -> None:
        if self.width_mm <= 0 or self.height_mm <= 0:
            raise LayoutError(f"a label must have a size, got {self.width_mm}×{self.height_mm} mm")
        zpl.dots_per_mm(self.dpi)  # refuses a dpi that is not positive

    def dots(self, mm: float) -> int:
        return zpl.dots(mm, self.dpi)

    @property
    def width(self) -> int:
        return self.dots(self.width_mm)

    @property
    def height(self) -> int:
        return self.dots(self.height_mm)

    @property
    def margin_mm(self) -> float:
        return min(max(min(self.width_mm, self.height_mm) * 0.05, 2.0), 5.0)

    @property
    def inner_width_mm(self) -> float:
        return self.width_mm - 2 * self.margin_mm

    @property
    def inner_height_mm(self) -> float:
        return self.height_mm - 2 * self.margin_mm

    @property
    def scale_mm(self) -> float:
        """The shorter inner side: what font sizes and gaps are proportional to."""
        return min(self.inner_width_mm, self.inner_height_mm)


@dataclass(frozen=True)
class TextBlock:
    """One ``^FO…^A0N…^FB…^FH^FD…^FS`` field; ``text`` is raw (the template escapes it)."""

    x: int
    y: int
    width: int
    font: int
    lines: int
    spacing: int
    text: str

    @property
    def height(self) -> int:
        return self.lines * self.font + (self.lines - 1) * self.spacing


def text_block(
    frame: Frame, text: str, y_mm: float, font_mm: float, max_lines: int = 1
) -> TextBlock:
    """``text`` across the label's inner width from ``y_mm``, wrapped into ``max_lines`` at most.

    Lines are broken here (``\\&`` in the ``^FB`` data) by an estimate of the font's width, and
    what does not fit ends in "...": the printer then never has to overprint the last line.
    """
    if font_mm < MIN_FONT_MM:
        raise LayoutError(f"a {frame.width_mm}×{frame.height_mm} mm label is too small for text")
    font = frame.dots(font_mm)
    width = frame.dots(frame.inner_width_mm)
    per_line = max(1, int(width / (font * CHAR_WIDTH)))
    lines = wrap(text, per_line, max_lines)
    return TextBlock(
        x=frame.dots(frame.margin_mm),
        y=frame.dots(y_mm),
        width=width,
        font=font,
        lines=max_lines,
        spacing=round(font * LINE_GAP),
        text="\\&".join(line.replace("\\", "\\\\") for line in lines),
    )


def block_height_mm(font_mm: float, lines: int) -> float:
    return font_mm * (lines + (lines - 1) * LINE_GAP)


def wrap(text: str, per_line: int, max_lines: int) -> list[str]:
    """``text`` in lines of at most ``per_line`` characters; the last cut line ends in "..."."""
    flat = _SPACES.sub(" ", text).strip()
    lines = textwrap.wrap(flat, per_line, break_on_hyphens=False) or [""]
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    room = max(per_line - len(ELLIPSIS), 0)
    kept[-1] = kept[-1][:room].rstrip() + ELLIPSIS
    return kept


def fit_font(frame: Frame, text: str, wanted_mm: float) -> float:
    """The font height (mm) up to ``wanted_mm`` at which ``text`` fits one line of the label;
    never below ``READABLE_MM`` (a longer text is then cut by ``wrap``)."""
    longest = max(len(text), 1) * CHAR_WIDTH
    return max(min(wanted_mm, frame.inner_width_mm / longest), min(wanted_mm, READABLE_MM))


def stack(frame: Frame, heights_mm: list[float], gap_mm: float) -> list[float]:
    """The top (mm) of each of a column of items, the column centred in the label's inner area.

    Raises LayoutError when the items and the gaps between them are taller than the label.
    """
    total = sum(heights_mm) + gap_mm * (len(heights_mm) - 1)
    spare = frame.inner_height_mm - total
    if spare < -_EPSILON_MM:
        raise LayoutError(
            f"the content needs {total:.1f} mm of height, "
            f"a {frame.width_mm:g}×{frame.height_mm:g} mm label has {frame.inner_height_mm:.1f}"
        )
    tops = []
    y = frame.margin_mm + max(spare, 0) / 2
    for height in heights_mm:
        tops.append(y)
        y += height + gap_mm
    return tops
