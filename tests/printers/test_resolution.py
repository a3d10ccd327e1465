from __future__ import annotations

import pytest
from PIL import Image

from printers import graphics, layouts
from printers.resolution import detect_dpi, rescale
from tests.printers import zpl_parse as parse
from warehouse.marketplaces.sandbox import wb_stickers

STICKERS = [
    pytest.param(kind, size, id=f"{kind}-{size[0]}x{size[1]}")
    for kind in sorted(wb_stickers.KINDS)
    for size in sorted(wb_stickers.SIZES)
]


def wb_zpl(kind: str, size: tuple[int, int]) -> bytes:
    sticker = wb_stickers.sticker_for(4_817)
    return wb_stickers.render_zpl(sticker, kind, *size).encode("utf-8")


@pytest.mark.parametrize(("kind", "size"), STICKERS)
def test_wb_sticker_is_redrawn_for_300_dpi(kind: str, size: tuple[int, int]) -> None:
    original = wb_zpl(kind, size)
    scaled = rescale(original, 203, 300)
    assert parse.first(parse.commands(scaled), "PW").numbers() == [size[0] * 12]
    assert parse.first(parse.commands(scaled), "LL").numbers() == [size[1] * 12]
    before, after = parse.commands(original), parse.commands(scaled)
    assert [c.code for c in before] == [c.code for c in after]
    for old, new in zip(before, after, strict=True):
        if old.code in {"FO", "LH", "BC"}:
            assert new.numbers() == [_half_up(n * 1.5) for n in old.numbers()], (old, new)
        if old.code == "FD":
            assert new == old  # field data is never touched
        if old.code == "BY":  # whole dots, half up: 2 → 3 exactly, 1 → 2 (a third wider)
            assert new.numbers() == [{1: 2, 2: 3}[old.numbers()[0]]]
        if old.code == "A0":
            height, width = old.numbers()
            assert new.numbers() == [_half_up(height * 1.5), _half_up(width * 1.5)]


@pytest.mark.parametrize(("kind", "size"), STICKERS)
def test_wb_barcode_stays_on_the_label_at_300_dpi(kind: str, size: tuple[int, int]) -> None:
    scaled = rescale(wb_zpl(kind, size), 203, 300)
    width, length = size[0] * 12, size[1] * 12
    field = parse.field_with(scaled, "BC")
    x, y = parse.first(field, "FO").numbers()
    module = parse.first(field, "BY").numbers()[0]
    bars = parse.find(field, "BC")
    assert bars is not None
    long_side = (11 * (len(parse.data(field)) + 2) + 13) * module  # Code 128 subset B
    if bars.params.startswith("R"):  # turned 90°: the symbol runs down the label
        assert x + bars.numbers()[0] <= width and y + long_side <= length
    else:
        assert x + long_side <= width and y + bars.numbers()[0] <= length


@pytest.mark.parametrize(("kind", "size"), STICKERS)
def test_rescaling_back_gives_the_original(kind: str, size: tuple[int, int]) -> None:
    original = wb_zpl(kind, size)
    assert rescale(rescale(original, 203, 300), 300, 203) == original


@pytest.mark.parametrize(("kind", "size"), STICKERS)
def test_detect_dpi_reads_the_width(kind: str, size: tuple[int, int]) -> None:
    original = wb_zpl(kind, size)
    assert detect_dpi(original, size[0]) == 203
    assert detect_dpi(rescale(original, 203, 300), size[0]) == 300


@pytest.mark.parametrize(("data", "dpi"), [(b"^PW464", 203), (b"^PW696", 300), (b"^PW480", 300)])
def test_detect_dpi_guesses_from_the_usual_widths(data: bytes, dpi: int) -> None:
    assert detect_dpi(b"^XA" + data + b"^XZ") == dpi


def test_detect_dpi_without_an_answer() -> None:
    assert detect_dpi(b"^XA^PW600^XZ") is None  # 75 mm at 8 dots/mm or 100 mm at 6
    assert detect_dpi(b"^XA^FO10,10^FDx^FS^XZ", 58) is None
    assert detect_dpi(b"^XA^PW500^XZ", 58) is None
    assert detect_dpi(b"^XA^PW1392^XZ", 58) == 600


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("^FO10,20^FS", "^FO15,30^FS"),
        ("^FT5,7,1^FS", "^FT8,11,1^FS"),  # half up: 7.5 → 8, 10.5 → 11; justification kept
        ("^A0N,30,30", "^A0N,45,45"),
        ("^A0,31", "^A0,47"),
        ("^AAN,18,10", "^AAN,27,15"),
        ("^CF0,20,20", "^CF0,30,30"),
        ("^FB216,2,3,L,5", "^FB324,2,5,L,8"),
        ("^GB100,50,3,B,2", "^GB150,75,5,B,2"),  # rounding 0-8 is not a length
        ("^BY1,3.0,50", "^BY2,3.0,75"),  # modules round half up: 1.5 → 2
        ("^BY3", "^BY5"),
        ("^BCN,100,Y,N,N", "^BCN,150,Y,N,N"),
        ("^BEN,,Y,N", "^BEN,,Y,N"),  # an absent value keeps the printer's default
        ("^BQN,2,3", "^BQN,2,5"),
        ("^BXN,4,200,,,,_", "^BXN,6,200,,,,_"),
        ("^LT-10", "^LT-15"),
        ("^LH0,0\n", "^LH0,0\n"),
        ("^FH^FD10,20 Ёж_5E^FS", "^FH^FD10,20 Ёж_5E^FS"),
        ("^FX 10,20 is a comment\n", "^FX 10,20 is a comment\n"),
        ("^XA^CI28^PQ2^XZ", "^XA^CI28^PQ2^XZ"),
    ],
)
def test_commands_are_scaled_parameter_by_parameter(before: str, after: str) -> None:
    assert rescale(before.encode(), 203, 300).decode() == after


def test_same_resolution_changes_nothing() -> None:
    data = "^XA^FO10,10^A0N,25,25^FDКефир^FS^XZ".encode()
    assert rescale(data, 203, 203) == data


def test_our_own_layouts_scale_to_what_they_would_draw_at_300_dpi_in_size() -> None:
    at_203 = layouts.location_label("A-1", width_mm=58, height_mm=40, dpi=203)
    scaled = parse.commands(rescale(at_203, 203, 300))
    assert parse.first(scaled, "PW").numbers() == [696]
    assert parse.first(scaled, "LL").numbers() == [480]


def test_an_embedded_graphic_is_refused() -> None:
    bitmap = Image.new("1", (16, 8), 0)
    data = f"^XA^PW464^FO0,0{graphics.graphic_field(bitmap)}^FS^XZ".encode()
    with pytest.raises(ValueError, match=r"embedded graphic \(\^GF\).*PNG"):
        rescale(data, 203, 300)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"^XA^XGR:LOGO.GRF,1,1^FS^XZ", "stored graphic"),
        (b"~DGR:LOGO.GRF,2,1,FFFF", "downloaded graphic"),
        (b"^XA^MUM^FO10,10^XZ", "change of units"),
        (b"^XA^JMB^XZ", "dots per millimetre"),
        (b"^XA^CC+^XZ", "command character"),
        (b"^XA^ZZ10,10^XZ", r"\^ZZ: not a command"),
        (b"^XA^FO1O,10^FS^XZ", "'1O' is not a number"),
    ],
)
def test_what_cannot_be_scaled_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rescale(data, 203, 300)


def _half_up(value: float) -> int:
    return int(value + 0.5)
