"""Barcode field data as a Zebra printer reads it → a module matrix, encoded with zint.

zint (``zint-bindings``) encodes every symbology we print: EAN-13/EAN-8/UPC-A, Code 128 with
forced code sets and FNC1 (its "extra escape" input mode), GS1-128, QR and GS1 Data Matrix.
This module translates ZPL's conventions into zint's input: ``^BC`` invocation codes (``>;``,
``>:``, ``>8`` …), mode D's ``(AI)`` parentheses, ``^BQ``'s ``QA,`` switches, ``^BX``'s ``_1``
escapes, and the printer's own check digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zint
from PIL import Image

from printers import barcodes
from printers.preview import gs1

# zint stores 8 modules a byte, least significant bit first; PIL's mode "1" wants the most.
_REVERSE_BITS = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))
_EAN_DIGITS = {"BE": 12, "B8": 7, "BU": 11}
_EAN_NAMES = {"BE": "EAN-13", "B8": "EAN-8", "BU": "UPC-A"}
_EAN_SYMBOLOGY = {"BE": zint.Symbology.EANX, "B8": zint.Symbology.EANX, "BU": zint.Symbology.UPCA}
# ^BC invocation codes → zint extra-escape sequences (code set A/B/C, FNC1) or a character.
_INVOCATION = {
    b"9": b"\\^A", b":": b"\\^B", b";": b"\\^C",  # start codes
    b"7": b"\\^A", b"6": b"\\^B", b"5": b"\\^C",  # code set changes
    b"8": b"\\^1", b"<": b">", b"0": b">", b"=": b"~",
}  # fmt: skip
_STARTS = (b">9", b">:", b">;")
_QR_SWITCHES = re.compile(rb"([HQML]?)([AM]?),", re.IGNORECASE)
_QR_ECC = {"L": 1, "M": 2, "Q": 3, "H": 4}
_GS = b"\x1d"
_PLAIN = zint.InputMode(0)  # zint's DATA_MODE: bytes as they are
_FNC1 = b"\x00FNC1\x00"  # a marker no ZPL field data can contain


class SymbolError(ValueError):
    """The printer would not print this barcode field (bad data for its symbology)."""


@dataclass(frozen=True)
class Symbol:
    modules: Image.Image  # mode "1": one pixel per module, 255 = a dark module
    text: str  # the human-readable interpretation line
    warnings: tuple[str, ...] = ()


def ean(command: str, data: bytes) -> Symbol:
    """``^BE``/``^B8``/``^BU``: the printer pads or cuts to 12/7/11 digits and adds the check."""
    digits = data.decode("latin-1").strip()
    if not digits.isdigit():
        raise SymbolError(f"^{command}: {_EAN_NAMES[command]} takes digits only, got {digits!r}")
    size = _EAN_DIGITS[command]
    body = digits[:size].rjust(size, "0")
    warnings = []
    if len(digits) == size + 1 and digits[-1] != _check_digit(body):
        warnings.append(
            f"^{command}: check digit {digits[-1]} of {digits} is wrong; the printer computes "
            f"its own and prints {body}{_check_digit(body)}"
        )
    elif len(digits) > size + 1:
        warnings.append(f"^{command}: {digits} is longer than {size} digits; the printer cuts it")
    symbol = _encode(_EAN_SYMBOLOGY[command], body.encode("ascii"), _PLAIN)
    return Symbol(_modules(symbol), body + _check_digit(body), tuple(warnings))


def code128(data: bytes, mode: str, encoding: str) -> Symbol:
    """``^BC`` in mode N (invocation codes, code set B unless told), A (automatic), U or D."""
    if mode == "D":
        return _gs1_128(data)
    if mode == "U":
        return _ucc_case(data)
    if mode not in ("N", "A"):
        raise SymbolError(f"^BC: mode {mode} is not supported")
    escaped, text, warnings = _invocations(data, encoding)
    if mode == "N" and not data.startswith(_STARTS):
        escaped = b"\\^B" + escaped
    symbol = _encode(zint.Symbology.CODE128, escaped, zint.InputMode.EXTRA_ESCAPE)
    return Symbol(_modules(symbol), text, tuple(warnings))


def qr(data: bytes, default_ecc: str) -> Symbol:
    """``^BQ`` field data: ``<ecc><input mode>,`` switches, then the data (bytes as sent)."""
    ecc, payload, warnings = default_ecc, data, []
    switches = _QR_SWITCHES.match(data)
    if switches:
        ecc = switches[1].decode().upper() or default_ecc
        payload = data[switches.end() :]
        if switches[2].upper() == b"M":
            payload = _qr_manual(payload)
    else:
        warnings.append("^BQ: field data has no switches (e.g. QA,); all of it is encoded")
    if ecc not in _QR_ECC:
        warnings.append(f"^BQ: error correction {ecc!r} is not H, Q, M or L; drawn with Q")
        ecc = "Q"
    symbol = _encode(zint.Symbology.QRCODE, payload, _PLAIN, option_1=_QR_ECC[ecc])
    return Symbol(_modules(symbol), "", tuple(warnings))


def datamatrix(data: bytes, escape: bytes, square: bool) -> Symbol:
    """``^BX`` ECC 200: ``<g>1`` FNC1 (leading = GS1 Data Matrix), ``<g>dNNN``, ``<g><g>``."""
    payload = _dm_escapes(data, escape)
    options = {"option_3": int(zint.DataMatrixOptions.SQUARE)} if square else {}
    if payload.startswith(_FNC1) or payload.startswith(_GS):
        segments = re.split(re.escape(_FNC1) + b"|" + _GS, payload)
        try:
            text = gs1.bracketed(segment.decode("latin-1") for segment in segments)
        except ValueError as error:
            raise SymbolError(f"^BX: GS1 data after FNC1 is malformed: {error}") from error
        mode = zint.InputMode.GS1 | zint.InputMode.GS1NOCHECK
        symbol = _encode(zint.Symbology.DATAMATRIX, text.encode("latin-1"), mode, **options)
        return Symbol(_modules(symbol), "")
    warnings = (
        ("^BX: FNC1 in the middle of non-GS1 data is sent as GS",) if _FNC1 in payload else ()
    )
    payload = payload.replace(_FNC1, _GS)
    symbol = _encode(zint.Symbology.DATAMATRIX, payload, _PLAIN, **options)
    return Symbol(_modules(symbol), "", warnings)


def _gs1_128(data: bytes) -> Symbol:
    """Mode D (UCC/EAN): ``(AI)`` parentheses or ``>8`` separators; FNC1 first, AI 00 checked."""
    text = data.decode("latin-1").replace(">8", "\x1d")
    if "(" in text:
        parts = re.findall(r"\((\d{2,4})\)([^(\x1d]*)", text)
        segments = [ai + value for ai, value in parts]
    else:
        segments = text.split("\x1d")
    try:
        element = gs1.bracketed(segments)
    except ValueError as error:
        raise SymbolError(f"^BC mode D: {error}") from error
    element = _sscc_check(element)
    mode = zint.InputMode.GS1 | zint.InputMode.GS1NOCHECK
    symbol = _encode(zint.Symbology.GS1_128, element.encode("latin-1"), mode)
    return Symbol(_modules(symbol), element.replace("[", "(").replace("]", ")"))


def _sscc_check(element: str) -> str:
    """Mode D adds the check digit of an SSCC given with 17 digits."""
    match = re.match(r"\[00\](\d{17})(?=\[|$)", element)
    if not match:
        return element
    return f"[00]{match[1]}{_check_digit(match[1])}" + element[match.end() :]


def _ucc_case(data: bytes) -> Symbol:
    """Mode U: 19 digits (cut or zero-padded on the left) plus a mod-10 check, after FNC1."""
    digits = "".join(char for char in data.decode("latin-1") if char.isdigit())[:19].rjust(19, "0")
    digits += _check_digit(digits)
    escaped = b"\\^C\\^1" + digits.encode("ascii")
    symbol = _encode(zint.Symbology.CODE128, escaped, zint.InputMode.EXTRA_ESCAPE)
    return Symbol(_modules(symbol), f"({digits[:2]}){digits[2:]}")


def _invocations(data: bytes, encoding: str) -> tuple[bytes, str, list[str]]:
    """Field data → zint extra-escape bytes, the printed text, warnings for unsupported codes."""
    escaped, text, warnings = bytearray(), bytearray(), []
    index = 0
    while index < len(data):
        char = data[index : index + 1]
        if char == b">" and index + 1 < len(data):
            code = data[index + 1 : index + 2]
            replacement = _INVOCATION.get(code)
            if replacement is None:
                warnings.append(f"^BC: invocation code >{code.decode('latin-1')} is not supported")
            elif not replacement.startswith(b"\\"):
                escaped += replacement
                text += replacement
            else:
                escaped += replacement
            index += 2
            continue
        escaped += b"\\\\" if char == b"\\" else char
        text += char
        index += 1
    return bytes(escaped), bytes(text).decode(encoding, "replace"), warnings


def _qr_manual(payload: bytes) -> bytes:
    """Manual input: a mode letter (N, A, K, or B with a 4-digit byte count) before the data."""
    if payload[:1].upper() == b"B":
        return payload[5:]
    if payload[:1].upper() in (b"N", b"A", b"K"):
        return payload[1:]
    return payload


def _dm_escapes(data: bytes, escape: bytes) -> bytes:
    out, index = bytearray(), 0
    while index < len(data):
        char = data[index : index + 1]
        following = data[index + 1 : index + 2]
        if char != escape or not following:
            out += char
            index += 1
        elif following == b"1":
            out += _FNC1
            index += 2
        elif following == b"d" and data[index + 2 : index + 5].isdigit():
            out.append(int(data[index + 2 : index + 5]) & 0xFF)
            index += 5
        else:  # <g><g> is the character itself; anything else is kept as it is
            out += following
            index += 2
    return bytes(out)


def _encode(
    symbology: zint.Symbology, data: bytes, mode: zint.InputMode, **options: int
) -> zint.Symbol:
    symbol = zint.Symbol()
    symbol.symbology = symbology
    symbol.input_mode = mode
    for name, value in options.items():
        setattr(symbol, name, value)
    try:
        symbol.encode(data)
    except RuntimeError as error:
        raise SymbolError(f"{symbology.name}: {error}") from error
    return symbol


def _modules(symbol: zint.Symbol) -> Image.Image:
    """zint's encoded rows as a mode ``"1"`` image, one pixel per module."""
    stride = (symbol.encoded_data.shape or (0, 0))[1]
    raw = symbol.encoded_data.tobytes()
    used = -(-symbol.width // 8)
    rows = b"".join(raw[row * stride : row * stride + used] for row in range(symbol.rows))
    image = Image.frombytes("1", (used * 8, symbol.rows), rows.translate(_REVERSE_BITS))
    return image.crop((0, 0, symbol.width, symbol.rows))


def _check_digit(digits: str) -> str:
    return str(barcodes.check_digit(digits))
