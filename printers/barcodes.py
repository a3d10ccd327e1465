"""GS1 keys and their check digits, and barcodes as inline SVG for web pages.

Pure functions. The GS1 mod-10 check digit (General Specifications §7.9.1) guards GTIN-8, -12,
-13, -14 and the SSCC-18: weigh the data digits 3, 1, 3, 1… from the right, and the check digit
brings the sum up to a multiple of ten.

``python-barcode`` draws the SVG, but it never validates: it silently recomputes (EAN, UPC) or
just encodes (Code 128) whatever it is given. So every code is validated here first, and the
drawing is asked to print exactly the digits we validated.
"""

from __future__ import annotations

import re
from enum import StrEnum

from barcode.codex import Code128, Gs1_128
from barcode.ean import EuropeanArticleNumber8, EuropeanArticleNumber13
from barcode.upc import UniversalProductCodeA
from barcode.writer import SVGWriter

SSCC_LENGTH = 18
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
# Code 128 subset B: printable ASCII. Anything else (Cyrillic, control characters) is refused.
_CODE128_TEXT = re.compile(r"[ -~]+")


class InvalidBarcode(ValueError):
    """A code that cannot be printed as asked; the message says why."""


class Kind(StrEnum):
    """What a code is, judged by its form: a GS1 key by its length, else a seller's own code."""

    GTIN8 = "GTIN-8"
    GTIN12 = "GTIN-12"
    GTIN13 = "GTIN-13"
    GTIN14 = "GTIN-14"
    SSCC = "SSCC-18"
    OTHER = "other"


class Symbology(StrEnum):
    EAN13 = "EAN-13"
    EAN8 = "EAN-8"
    UPCA = "UPC-A"
    CODE128 = "Code 128"
    GS1_128 = "GS1-128"


GTIN_KINDS = frozenset({Kind.GTIN8, Kind.GTIN12, Kind.GTIN13, Kind.GTIN14})
_KIND_BY_LENGTH = {
    8: Kind.GTIN8,
    12: Kind.GTIN12,
    13: Kind.GTIN13,
    14: Kind.GTIN14,
    SSCC_LENGTH: Kind.SSCC,
}
_SYMBOLOGY_BY_KIND = {
    Kind.GTIN8: Symbology.EAN8,
    Kind.GTIN12: Symbology.UPCA,
    Kind.GTIN13: Symbology.EAN13,
    Kind.GTIN14: Symbology.GS1_128,
    Kind.SSCC: Symbology.GS1_128,
    Kind.OTHER: Symbology.CODE128,
}
_LENGTH_BY_SYMBOLOGY = {Symbology.EAN13: 13, Symbology.EAN8: 8, Symbology.UPCA: 12}


def check_digit(data: str) -> int:
    """The GS1 mod-10 check digit for ``data`` (the digits before the check digit)."""
    if not data.isascii() or not data.isdigit():
        raise InvalidBarcode(f"{data!r} is not a string of digits")
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(data)))
    return (10 - total % 10) % 10


def classify(code: str) -> Kind:
    """The GS1 key ``code`` has the form of (digits of a GTIN or SSCC length), else OTHER.

    The form only: ``validate`` says whether its check digit is right.
    """
    if code.isascii() and code.isdigit():
        return _KIND_BY_LENGTH.get(len(code), Kind.OTHER)
    return Kind.OTHER


def validate(code: str, kind: Kind | None = None) -> str:
    """``code`` unchanged if it is a well-formed GTIN/SSCC (of ``kind``, if given).

    Raises InvalidBarcode saying what is wrong, e.g. "check digit should be 1, got 2".
    """
    found = classify(code)
    if found is Kind.OTHER or (kind is not None and found is not kind):
        wanted = kind.value if kind is not None else "a GTIN-8/12/13/14 or an SSCC-18"
        raise InvalidBarcode(f"{code!r} is not {wanted}")
    expected = check_digit(code[:-1])
    if int(code[-1]) != expected:
        raise InvalidBarcode(
            f"{found.value} {code}: check digit should be {expected}, got {code[-1]}"
        )
    return code


def is_valid(code: str, kind: Kind | None = None) -> bool:
    """Whether ``code`` is a GTIN/SSCC (of ``kind``, if given) with a right check digit."""
    try:
        validate(code, kind)
    except InvalidBarcode:
        return False
    return True


def sscc(extension: int, company_prefix: str, serial: int) -> str:
    """An SSCC-18: extension digit, GS1 company prefix, serial reference, check digit.

    The serial reference fills the digits the prefix leaves (16 in all, without the extension);
    a serial too big for them is refused rather than cut.
    """
    if not 0 <= extension <= 9:
        raise InvalidBarcode(f"the extension digit must be 0-9, got {extension}")
    digits = company_prefix.isascii() and company_prefix.isdigit()
    if not (digits and 6 <= len(company_prefix) <= 12):
        raise InvalidBarcode(f"a GS1 company prefix is 6-12 digits, got {company_prefix!r}")
    room = SSCC_LENGTH - 2 - len(company_prefix)
    if not 0 <= serial < 10**room:
        raise InvalidBarcode(
            f"serial reference {serial} does not fit the {room} digits prefix {company_prefix} "
            "leaves"
        )
    data = f"{extension}{company_prefix}{serial:0{room}d}"
    return data + str(check_digit(data))


def symbology_for(code: str) -> Symbology:
    """How ``code`` is usually drawn: EAN/UPC for retail GTINs, GS1-128 for GTIN-14 and SSCC,
    Code 128 for anything else."""
    return _SYMBOLOGY_BY_KIND[classify(code)]


def code128_text(code: str) -> str:
    """``code`` if Code 128 (subset B: printable ASCII) can carry it, else InvalidBarcode."""
    if not _CODE128_TEXT.fullmatch(code):
        raise InvalidBarcode(f"{code!r}: Code 128 carries only printable ASCII characters")
    return code


def gs1_element(code: str) -> tuple[str, str]:
    """The application identifier and data for a GTIN-14 ("01") or an SSCC ("00"), validated."""
    kind = classify(code)
    if kind is Kind.SSCC:
        return "00", validate(code, Kind.SSCC)
    if kind in GTIN_KINDS:
        return "01", validate(code).zfill(14)
    raise InvalidBarcode(f"{code!r}: GS1-128 here carries an SSCC-18 or a GTIN, nothing else")


def svg(
    code: str,
    symbology: Symbology | None = None,
    *,
    module_mm: float = 0.33,
    height_mm: float = 15.0,
    text: bool = True,
) -> str:
    """``code`` drawn as an ``<svg>`` element to put inline in an HTML page.

    The symbology defaults to ``symbology_for(code)``. GTINs and SSCCs are validated first
    (InvalidBarcode on a wrong check digit); Code 128 takes printable ASCII only.
    """
    chosen = symbology or symbology_for(code)
    drawing, caption = _drawing(code, chosen)
    options = {"module_width": module_mm, "module_height": height_mm, "write_text": text}
    if not text:
        caption = None
    markup = drawing.render(options, caption).decode("utf-8")
    # python-barcode ids its group "barcode_group": two barcodes on a page would share an id.
    markup = markup.replace(' id="barcode_group"', "")
    return _scalable(_XML_DECLARATION.sub("", markup).strip())


_ROOT_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)mm" height="([\d.]+)mm"')
_MM_ATTRIBUTE = re.compile(r'(\s(?:x|y|width|height)=")([\d.]+)mm"')


def _scalable(markup: str) -> str:
    """Drawn in millimetre user units with a viewBox: it prints at its size in mm and a
    page's CSS may still scale it (python-barcode writes mm lengths and no viewBox)."""
    root = _ROOT_SIZE.search(markup)
    if root is None:
        return markup
    head, width, height = root.groups()
    start = f'<svg{head} width="{width}mm" height="{height}mm" viewBox="0 0 {width} {height}"'
    body = _MM_ATTRIBUTE.sub(r'\1\2"', markup[root.end() :])
    return start + body.replace("font-size:10pt", "font-size:3.5px")


def _drawing(
    code: str, symbology: Symbology
) -> tuple[EuropeanArticleNumber13 | UniversalProductCodeA | Code128, str | None]:
    writer = SVGWriter()
    writer.with_doctype = False
    if symbology in _LENGTH_BY_SYMBOLOGY:
        kind = _KIND_BY_LENGTH[_LENGTH_BY_SYMBOLOGY[symbology]]
        valid = validate(code, kind)
        if symbology is Symbology.UPCA:
            # UPCA has no no_checksum: it recomputes, which gives our (validated) digit back.
            return UniversalProductCodeA(valid[:-1], writer=writer), None
        ean = EuropeanArticleNumber13 if symbology is Symbology.EAN13 else EuropeanArticleNumber8
        return ean(valid, writer=writer, no_checksum=True), None
    if symbology is Symbology.GS1_128:
        ai, data = gs1_element(code)
        return Gs1_128(ai + data, writer=writer), f"({ai}) {data}"
    return Code128(code128_text(code), writer=writer), None
