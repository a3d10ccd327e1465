from __future__ import annotations

import re
import xml.dom.minidom

import pytest

from printers import barcodes
from printers.barcodes import InvalidBarcode, Kind, Symbology


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("4006381333931", Kind.GTIN13),
        ("96385074", Kind.GTIN8),
        ("036000291452", Kind.GTIN12),
        ("14006381333938", Kind.GTIN14),
        ("106141411234567897", Kind.SSCC),  # GS1's own example SSCC
        ("4601234567893", Kind.GTIN13),
    ],
)
def test_known_codes_are_valid(code: str, kind: Kind) -> None:
    assert barcodes.classify(code) is kind
    assert barcodes.validate(code) == code
    assert barcodes.check_digit(code[:-1]) == int(code[-1])


@pytest.mark.parametrize(
    "code", ["4006381333932", "96385075", "036000291453", "106141411234567898"]
)
def test_a_wrong_check_digit_says_which_is_right(code: str) -> None:
    right = barcodes.check_digit(code[:-1])
    with pytest.raises(InvalidBarcode, match=f"check digit should be {right}, got {code[-1]}"):
        barcodes.validate(code)
    assert not barcodes.is_valid(code)


@pytest.mark.parametrize("code", ["", "12345", "400638133393x", "ART-42", "٤٠٠٦٣٨١٣٣٣٩٣١"])
def test_anything_else_is_not_a_gs1_key(code: str) -> None:
    assert barcodes.classify(code) is Kind.OTHER
    with pytest.raises(InvalidBarcode, match="is not a GTIN"):
        barcodes.validate(code)


def test_validate_checks_the_kind_asked_for() -> None:
    assert barcodes.is_valid("4006381333931", Kind.GTIN13)
    with pytest.raises(InvalidBarcode, match="is not SSCC-18"):
        barcodes.validate("4006381333931", Kind.SSCC)


def test_sscc_is_built_with_its_check_digit() -> None:
    assert barcodes.sscc(1, "0614141", 123456789) == "106141411234567897"
    code = barcodes.sscc(0, "4601234", 42)
    assert len(code) == 18 and code.startswith("04601234000000042")
    assert barcodes.is_valid(code, Kind.SSCC)


@pytest.mark.parametrize(
    ("extension", "prefix", "serial", "message"),
    [
        (10, "4601234", 1, "extension digit"),
        (0, "46012", 1, "company prefix"),
        (0, "46O1234", 1, "company prefix"),
        (0, "4601234", 10**9, "does not fit the 9 digits"),
        (0, "4601234", -1, "does not fit"),
    ],
)
def test_sscc_refuses_what_does_not_fit(
    extension: int, prefix: str, serial: int, message: str
) -> None:
    with pytest.raises(InvalidBarcode, match=message):
        barcodes.sscc(extension, prefix, serial)


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        ("4006381333931", Symbology.EAN13),
        ("96385074", Symbology.EAN8),
        ("036000291452", Symbology.UPCA),
        ("106141411234567897", Symbology.GS1_128),
        ("A-01-02", Symbology.CODE128),
    ],
)
def test_svg_is_an_inline_svg_element_with_bars(code: str, symbology: Symbology) -> None:
    markup = barcodes.svg(code)
    assert markup.startswith("<svg") and markup.endswith("</svg>")
    assert "<?xml" not in markup and "<!DOCTYPE" not in markup
    assert " id=" not in markup  # several on one page must not share an id
    document = xml.dom.minidom.parseString(markup)
    bars = [
        rect
        for rect in document.getElementsByTagName("rect")
        if "fill:black" in rect.getAttribute("style")
    ]
    assert len(bars) > 10
    assert barcodes.symbology_for(code) is symbology


def test_svg_prints_exactly_the_validated_digits() -> None:
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", barcodes.svg("4006381333931"))
    assert texts == ["4006381333931"]
    sscc = re.findall(r"<text[^>]*>([^<]*)</text>", barcodes.svg("106141411234567897"))
    assert sscc == ["(00) 106141411234567897"]
    assert "<text" not in barcodes.svg("96385074", text=False)


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        ("4006381333932", None),  # python-barcode alone would print ...931
        ("96385075", Symbology.EAN8),
        ("036000291453", Symbology.UPCA),
        ("106141411234567898", Symbology.GS1_128),
        ("4006381333931", Symbology.EAN8),
    ],
)
def test_svg_refuses_a_wrong_code_instead_of_fixing_it(
    code: str, symbology: Symbology | None
) -> None:
    with pytest.raises(InvalidBarcode):
        barcodes.svg(code, symbology)


def test_svg_code128_refuses_what_it_cannot_carry() -> None:
    with pytest.raises(InvalidBarcode, match="printable ASCII"):
        barcodes.svg("Ячейка-1", Symbology.CODE128)


def test_gs1_element_pads_a_gtin_to_fourteen_digits() -> None:
    assert barcodes.gs1_element("4006381333931") == ("01", "04006381333931")
    assert barcodes.gs1_element("106141411234567897") == ("00", "106141411234567897")
    with pytest.raises(InvalidBarcode):
        barcodes.gs1_element("TOTE-1")
