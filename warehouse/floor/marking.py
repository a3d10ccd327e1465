"""Честный знак marking codes as a keyboard-wedge scanner delivers them.

Pure functions, no database. A code is GS1 DataMatrix content: ``01`` GTIN-14,
``21`` serial, then ``91`` key / ``92`` crypto / ``93`` short crypto (and a few
other AIs), separated by GS (0x1D). Scanners in keyboard mode drop or replace the
GS and, on a Russian layout, type the serial's Latin letters as Cyrillic; this
module undoes both. Codes are compared by GTIN + serial (the identification
code), never by the whole string.

Why not ``biip``: it parses well-formed GS1 data, but cannot recover a code
whose separators a keyboard wedge dropped (that needs the fixed serial lengths
of the product groups) nor a code typed on a Russian layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from printers import barcodes

GS = "\x1d"


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes ``²`` and other scripts' digits."""
    return text.isascii() and text.isdigit()


# What scanners are set up to send instead of GS; none of them is in GS1's CSET82.
GS_SUBSTITUTES = ("<GS>", "{GS}", "\\x1d", "~", "\xe8")
AIM_PREFIXES = ("]d2", "]C1", "]Q3", "]e0", "]E0", "]E4")
# Serial lengths by product group (clothes, shoes, water: 13; dairy: 6; tobacco: 7).
SERIAL_LENGTHS = (13, 6, 7)
# AIs that may follow the serial, with their fixed data lengths (None: up to the next GS).
TAIL_AIS = {"91": 4, "92": 44, "93": 4, "8005": 6, "3103": 6, "17": 6}
CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+")

_RU = 'йцукенгшщзхъфывапролджэячсмитьбюЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ.,"№;:?'
_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>/?@#$^&"
RU_TO_EN = str.maketrans(_RU, _EN)


class MalformedCode(ValueError):
    """Not a marking code we can read; ``reason`` says what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MarkingCode:
    gtin: str
    serial: str
    tail: tuple[tuple[str, str], ...]  # (AI, value) after the serial, in order

    @property
    def identification(self) -> str:
        """КИ: what GIS MT and the marketplaces key on."""
        return f"01{self.gtin}21{self.serial}"

    @property
    def full(self) -> str:
        """The whole code with GS separators, as the marketplaces' APIs take it."""
        return self.identification + "".join(f"{GS}{ai}{value}" for ai, value in self.tail)


def looks_like_marking(raw: str) -> bool:
    """Cheap test for the scan router: a GS1 element string starting with GTIN + serial."""
    text = normalize(raw)
    gtin_and_serial = _digits(text[2:16]) and text[16:18] == "21"
    return text.startswith("01") and len(text) >= 20 and gtin_and_serial


def normalize(raw: str) -> str:
    text = raw.strip("\r\n\t ")
    if re.search("[а-яА-ЯёЁ№]", text):  # a Russian layout: the prefix was typed through it too
        text = text.translate(RU_TO_EN)
    for prefix in AIM_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    for substitute in GS_SUBSTITUTES:
        text = text.replace(substitute, GS)
    return text.strip(GS)  # a leading or trailing FNC1 (some scanners end with one) is no part


def parse(raw: str) -> MarkingCode:
    """The code's parts, or MalformedCode saying why it cannot be read."""
    text = normalize(raw)
    if not (text.startswith("01") and len(text) >= 18 and _digits(text[2:16])):
        raise MalformedCode("no_gtin")
    gtin = text[2:16]
    if not gtin_valid(gtin):
        raise MalformedCode("bad_check_digit")
    if text[16:18] != "21":
        raise MalformedCode("no_serial")
    serial, rest = _serial(text[18:])
    if not serial or not CSET82.fullmatch(serial):
        raise MalformedCode("bad_serial")
    return MarkingCode(gtin=gtin, serial=serial, tail=_tail(rest))


def _serial(text: str) -> tuple[str, str]:
    """The serial and what follows it: up to GS, else by the groups' fixed lengths."""
    if GS in text:
        serial, _sep, rest = text.partition(GS)
        return serial, rest
    for length in SERIAL_LENGTHS:
        rest = text[length:]
        if rest and any(rest.startswith(ai) for ai in TAIL_AIS):
            return text[:length], rest
    if len(text) <= 20:  # the identification code alone
        return text, ""
    raise MalformedCode("no_separator")


def _tail(text: str) -> tuple[tuple[str, str], ...]:
    parts: list[tuple[str, str]] = []
    while text:
        text = text.lstrip(GS)
        ai = next((ai for ai in TAIL_AIS if text.startswith(ai)), None)
        if ai is None:
            raise MalformedCode("unknown_ai")
        length = TAIL_AIS[ai]
        body = text[len(ai) :]
        value = body.split(GS, 1)[0] if GS in body else body[:length]
        if len(value) != length:
            raise MalformedCode("bad_length")
        parts.append((ai, value))
        text = body[len(value) :]
    return tuple(parts)


def require_crypto(code: MarkingCode) -> None:
    """A unit's code as printed carries its crypto tail: ``93`` (short), or ``91`` key with
    ``92`` signature. The identification code alone is what a list or a website shows,
    not a scan of the unit, and the marketplaces refuse it."""
    ais = {ai for ai, _value in code.tail}
    if "93" not in ais and not {"91", "92"} <= ais:
        raise MalformedCode("no_crypto_tail")


def gtin_valid(digits: str) -> bool:
    """GS1 mod-10 check digit, for GTIN-8/12/13/14."""
    return barcodes.classify(digits) in barcodes.GTIN_KINDS and barcodes.is_valid(digits)


def gtin_barcodes(gtin: str) -> tuple[str, ...]:
    """The product barcodes a GTIN-14 may be stored as (itself, EAN-13, UPC-A, EAN-8)."""
    forms = [gtin]
    if gtin.startswith("0"):
        forms.append(gtin[1:])
    if gtin.startswith("00"):
        forms.append(gtin[2:])
    if gtin.startswith("000000"):
        forms.append(gtin[6:])
    return tuple(forms)


def scanned_gtin(raw: str) -> str | None:
    """The GTIN-14 in a product scan: a bare EAN-8 / UPC-A / EAN-13 / GTIN-14, or a GS1
    element string starting with AI 01 (``]C1``/``]d2`` prefixes, ``(01)`` brackets, a
    carton's GS1-128); None when the scan holds no valid GTIN."""
    text = normalize(raw)
    if text.startswith("(01)"):
        text = text.replace("(", "").replace(")", "")
    if _digits(text) and len(text) in (8, 12, 13, 14):
        digits = text
    elif text.startswith("01") and _digits(text[2:16]):
        digits = text[2:16]
    else:
        return None
    return digits.zfill(14) if gtin_valid(digits) else None
