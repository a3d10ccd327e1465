"""What a field leaves on the label: an ink mask, turned to its orientation and placed."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops

ORIENTATIONS = ("N", "R", "I", "B")
# N normal, R turned 90° clockwise, I 180°, B 270° (read bottom to top).
_TRANSPOSE = {
    "R": Image.Transpose.ROTATE_270,
    "I": Image.Transpose.ROTATE_180,
    "B": Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Ink:
    """A mask (mode ``"1"``, 255 = ink) and the point ``^FT`` refers to, in the mask's pixels."""

    mask: Image.Image
    anchor: tuple[int, int]

    def turned(self, orientation: str) -> Ink:
        """The same ink in orientation ``N``/``R``/``I``/``B``, its anchor turned with it."""
        if orientation not in _TRANSPOSE:
            return self
        width, height = self.mask.size
        x, y = self.anchor
        anchor = {
            "R": (height - y, x),
            "I": (width - x, height - y),
            "B": (y, width - x),
        }[orientation]
        return Ink(self.mask.transpose(_TRANSPOSE[orientation]), anchor)


@dataclass(frozen=True)
class Placed:
    ink: Ink
    left: int
    top: int
    white: bool = False  # ^GB…,W draws white
    reverse: bool = False  # ^FR: ink inverts what is below it


def compose(size: tuple[int, int], placed: list[Placed]) -> Image.Image:
    """A white label of ``size`` dots with every placed ink in order (mode ``"1"``, 0 = black)."""
    canvas = Image.new("1", size, 255)
    for item in placed:
        if item.reverse:
            _invert(canvas, item)
        else:
            canvas.paste(255 if item.white else 0, (item.left, item.top), item.ink.mask)
    return canvas


def _invert(canvas: Image.Image, item: Placed) -> None:
    mask = item.ink.mask
    box = (
        max(0, item.left),
        max(0, item.top),
        min(canvas.width, item.left + mask.width),
        min(canvas.height, item.top + mask.height),
    )
    if box[0] >= box[2] or box[1] >= box[3]:
        return
    inside = mask.crop(
        (box[0] - item.left, box[1] - item.top, box[2] - item.left, box[3] - item.top)
    )
    canvas.paste(ImageChops.logical_xor(canvas.crop(box), inside), box[:2])
