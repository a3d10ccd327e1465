from __future__ import annotations

import re

import pytest

from printers import barcodes, layouts
from printers.barcodes import InvalidBarcode
from printers.layouts import LayoutError
from printers.layouts.environment import finalize
from tests.printers import zpl_parse as parse
from tests.printers.label_samples import LAYOUTS, VARIANTS

# Everything our layouts may emit: no control (~) command, nothing that stores or recalls.
ALLOWED = {"XA", "CI", "PW", "LL", "LH", "FO", "A0", "FB", "FH", "FD", "FS", "BY"}
ALLOWED |= {"BE", "B8", "BU", "BC", "BQ", "PQ", "XZ"}
EVIL = "^XZ^XA^FO0,0^GB800,800,800^FS~JR~HS_5E\\&\x00x"
SIZES_AND_DPI = [(size, dpi) for size in layouts.SIZES for dpi in (203, 300)]


def every_label() -> list[bytes]:
    made = [make(w, h, dpi) for make in LAYOUTS.values() for (w, h), dpi in SIZES_AND_DPI]
    return made + [make() for make in VARIANTS.values()]


@pytest.mark.parametrize(
    "label",
    [
        layouts.product_label(EVIL, "A", "4006381333931", width_mm=100, height_mm=150),
        layouts.product_label("Товар", EVIL, "4006381333931", width_mm=100, height_mm=150),
        layouts.box_label("106141411234567897", EVIL, width_mm=100, height_mm=150),
        layouts.supply_label(EVIL, "S-1", width_mm=100, height_mm=150),
        layouts.supply_label("WB", EVIL, "WB-1", width_mm=100, height_mm=150),
        layouts.supply_label("WB", "S-1", caption=EVIL, width_mm=100, height_mm=150),
        layouts.supply_label("WB", "S-1", "x^XZ~JR_", symbol="qr", width_mm=100, height_mm=150),
        layouts.location_label("A^XZ~JR_1", width_mm=100, height_mm=150),
    ],
    ids=["name", "article", "caption", "marketplace", "supply", "supply-caption", "qr", "bin"],
)
def test_injected_zpl_prints_as_text(label: bytes) -> None:
    text = label.decode("utf-8")
    assert text.startswith("^XA") and text.rstrip().endswith("^XZ")
    assert len(re.findall("\\^XA", text, re.I)) == 1 and len(re.findall("\\^XZ", text, re.I)) == 1
    assert "~" not in text
    commands = parse.commands(label)
    assert {command.code for command in commands} <= ALLOWED
    printed = [parse.data(field) for field in parse.fields(label) if parse.find(field, "FD")]
    injected = [data for data in printed if "^XZ" in data]
    assert injected, "the injected text is printed somewhere, as text"
    for field in parse.fields(label):
        if parse.find(field, "FD") is not None:
            codes = [command.code for command in field]
            assert codes.index("FH") == codes.index("FD") - 1, f"^FD without ^FH: {codes}"


def test_injected_text_survives_whole_in_a_wrapped_field() -> None:
    label = layouts.product_label(EVIL, "A", "4006381333931", width_mm=100, height_mm=150)
    name = parse.data(parse.fields(label)[0])
    # In ^FB data "\&" is a line break and "\\" a backslash: the name's own are doubled.
    lines = re.sub(r"\\(.)", lambda hit: "\n" if hit[1] == "&" else hit[1], name).split("\n")
    assert len(lines) > 1 and "".join(lines) == EVIL


@pytest.mark.parametrize("label", every_label())
def test_every_field_stays_on_the_label(label: bytes) -> None:
    width = parse.find(parse.commands(label), "PW")
    height = parse.find(parse.commands(label), "LL")
    assert width is not None and height is not None
    pw, ll = width.numbers()[0], height.numbers()[0]
    for field in parse.fields(label):
        origin = parse.find(field, "FO")
        if origin is None:
            continue
        x, y = origin.numbers()[:2]
        right, bottom = _extent(field, x, y)
        assert x >= 0 and y >= 0 and right <= pw and bottom <= ll, (field, pw, ll)


def _extent(field: list[parse.Command], x: int, y: int) -> tuple[int, int]:
    """Right and bottom edge of a field, quiet zones of barcodes included."""
    block, font, qr, module = (parse.find(field, code) for code in ("FB", "A0", "BQ", "BY"))
    if block is not None and font is not None:
        width, lines, spacing = block.numbers()[:3]
        size = font.numbers()[0]
        return x + width, y + lines * size + (lines - 1) * spacing
    if qr is not None:
        data = parse.data(field).removeprefix("QA,")
        side = (17 + 4 * _qr_version(data)) * qr.numbers()[1]
        return x + side, y + side
    assert module is not None
    bars = next(c for c in field if c.code in {"BE", "B8", "BU", "BC"})
    modules, quiet = _linear_modules(bars.code, parse.data(field))
    dots = module.numbers()[0]
    assert x >= quiet * dots, "the left quiet zone is on the label"
    return x + (modules + quiet) * dots, y + bars.numbers()[0]


def _linear_modules(code: str, data: str) -> tuple[int, int]:
    if code == "BE":
        return 95, 11
    if code == "B8":
        return 67, 7
    if code == "BU":
        return 95, 9
    symbols = 2  # start and check
    if data.startswith(">;"):
        rest = data[2:]
        fnc1 = rest.startswith(">8")
        symbols += fnc1 + len(rest.removeprefix(">8")) // 2
    else:
        symbols += len(data.replace("><", ">"))
    return 11 * symbols + 13, 10


def _qr_version(data: str) -> int:
    capacities = (11, 20, 32, 46, 60, 74, 86, 108, 130, 151)
    return next(v for v, cap in enumerate(capacities, 1) if len(data.encode()) <= cap)


@pytest.mark.parametrize(("size", "dpi"), SIZES_AND_DPI)
def test_size_is_set_in_dots(size: tuple[int, int], dpi: int) -> None:
    label = layouts.location_label("B-1", width_mm=size[0], height_mm=size[1], dpi=dpi)
    per_mm = 8 if dpi == 203 else 12
    assert f"^PW{size[0] * per_mm}\n^LL{size[1] * per_mm}\n".encode() in label
    assert b"^CI28" in label


@pytest.mark.parametrize(
    ("code", "command", "data"),
    [
        ("4006381333931", "BE", "400638133393"),
        ("96385074", "B8", "9638507"),
        ("036000291452", "BU", "03600029145"),
        ("14006381333938", "BC", ">;>80114006381333938"),
        ("ART>42", "BC", "ART><42"),
        ("123456", "BC", ">;123456"),  # not a GTIN length: Code 128, digits in pairs
    ],
)
def test_product_barcode_field(code: str, command: str, data: str) -> None:
    label = layouts.product_label("Товар", "A-1", code)
    field = parse.field_with(label, command)
    assert parse.data(field) == data
    if command in {"BE", "B8", "BU"}:
        # The printer computes the check digit of what we send: it must be the one we validated.
        assert data + str(barcodes.check_digit(data)) == code


def test_box_label_encodes_the_sscc_as_gs1_128() -> None:
    sscc = barcodes.sscc(0, "4601234", 5678)
    label = layouts.box_label(sscc, "Заказ 1", count=(1, 2))
    field = parse.field_with(label, "BC")
    assert parse.data(field) == ">;>800" + sscc
    assert barcodes.is_valid(parse.data(field)[6:], barcodes.Kind.SSCC)
    printed = [parse.data(f) for f in parse.fields(label) if parse.find(f, "A0")]
    assert printed == ["Заказ 1", "1 / 2", f"(00) {sscc}"]


def test_a_code_that_fails_mod_10_can_still_be_printed_exactly_as_code_128() -> None:
    with pytest.raises(InvalidBarcode):
        layouts.product_label("Товар", "A-1", "2008322729004")
    label = layouts.product_label("Товар", "A-1", "2008322729004", as_code128=True)
    assert parse.data(parse.field_with(label, "BC")) == "2008322729004"  # 13 digits: subset B
    assert parse.data(parse.fields(label)[-1]) == "2008322729004"


@pytest.mark.parametrize("count", [(0, 3), (4, 3)])
def test_box_count_must_be_a_box_of_the_set(count: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        layouts.box_label("106141411234567897", count=count)


def test_a_wrong_check_digit_is_refused_before_any_zpl(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[str] = []
    monkeypatch.setattr(layouts, "render", lambda template, **_: rendered.append(template))
    with pytest.raises(InvalidBarcode, match="check digit should be 1, got 2"):
        layouts.product_label("Товар", "A-1", "4006381333932")
    with pytest.raises(InvalidBarcode, match="check digit should be 7, got 8"):
        layouts.box_label("106141411234567898")
    with pytest.raises(InvalidBarcode):
        layouts.box_label("4006381333931")  # a GTIN is not an SSCC
    assert rendered == []


def test_supply_qr_field() -> None:
    label = layouts.supply_label("Wildberries", "WB-GI-1", symbol="qr")
    field = parse.field_with(label, "BQ")
    qr = parse.find(field, "BQ")
    assert qr is not None and qr.params.startswith("N,2,")
    assert parse.data(field) == "QA,WB-GI-1"


def test_supply_prints_a_barcode_value_that_differs_from_the_id() -> None:
    label = layouts.supply_label("Ozon", "123", "OZ-SUPPLY-123")
    assert parse.data(parse.field_with(label, "BC")) == "OZ-SUPPLY-123"
    printed = [parse.data(f) for f in parse.fields(label) if parse.find(f, "A0")]
    assert printed == ["Ozon", "123", "OZ-SUPPLY-123"]


def test_long_names_are_cut_to_the_lines_of_their_block() -> None:
    label = layouts.product_label("Очень длинное название " * 20, "A-1", "4006381333931")
    name = parse.fields(label)[0]
    lines = parse.data(name).split("\\&")
    block = parse.find(name, "FB")
    assert block is not None and len(lines) <= block.numbers()[1]
    assert lines[-1].endswith("...")


def test_location_sheet_makes_every_label_before_the_first() -> None:
    sheet = list(layouts.location_sheet(["A-1", "A-2", "B-1"], dpi=300))
    assert [parse.data(parse.field_with(label, "BC")) for label in sheet] == ["A-1", "A-2", "B-1"]
    bad = layouts.location_sheet(["A-1", "Ячейка-2"])
    with pytest.raises(InvalidBarcode, match="printable ASCII"):
        next(bad)


def test_content_that_cannot_fit_is_refused() -> None:
    with pytest.raises(LayoutError, match="needs a label at least"):
        layouts.location_label("A" * 40)
    with pytest.raises(LayoutError):
        layouts.product_label("Товар", "A-1", "4006381333931", width_mm=20, height_mm=15)


def test_a_long_marketplace_name_is_cut_not_shrunk_to_nothing() -> None:
    label = layouts.supply_label("Маркетплейс " * 10, "S-1")
    name = parse.fields(label)[0]
    font = parse.find(name, "A0")
    assert font is not None and font.numbers()[0] == 20  # 2.5 mm at 8 dots/mm
    assert parse.data(name).endswith("...")


def test_supply_symbol_is_checked() -> None:
    with pytest.raises(ValueError, match="code128 or qr"):
        layouts.supply_label("WB", "S-1", symbol="ean13")  # type: ignore[arg-type]


@pytest.mark.parametrize("quantity", [0, -1, 100_000_000, True])
def test_quantity_is_checked(quantity: int) -> None:
    with pytest.raises(ValueError, match="quantity"):
        layouts.location_label("A-1", quantity=quantity)


def test_quantity_is_printed_with_pq() -> None:
    assert b"^PQ12\n" in layouts.product_label("Товар", "", "96385074", quantity=12)


@pytest.mark.parametrize(
    ("value", "printed"), [("a^b~c_d", "a_5Eb_7Ec_5Fd"), (42, "42"), ("Ёж", "Ёж")]
)
def test_finalize_escapes_text_and_prints_numbers(value: object, printed: str) -> None:
    assert finalize(value) == printed


@pytest.mark.parametrize("value", [None, 1.5, True, b"^XZ", ["a"]])
def test_finalize_refuses_anything_else(value: object) -> None:
    with pytest.raises(TypeError):
        finalize(value)
