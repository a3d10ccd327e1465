"""``^GF`` graphic fields → 1-bit ink masks: plain hex, ACS run-length, ``:Z64:``/``:B64:``, binary.

A set bit prints black (ZPL); the returned mask is mode ``"1"`` with 255 where the printer burns
a dot. Every size is checked before anything is allocated, and a Z64/B64 CRC mismatch raises, as
the printer aborts such a download.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from PIL import Image

from printers.graphics import crc16_xmodem

_ZB64 = re.compile(r":(Z64|B64):([A-Za-z0-9+/=\s]+):([0-9A-Fa-f]{4})", re.DOTALL)
_HEX = frozenset("0123456789ABCDEFabcdef")
_PLAIN_HEX = re.compile(r"[0-9A-Fa-f]*")
# ACS repeat counts: G..Y = 1..19, g..z = 20..400 in steps of 20.
_REPEAT = {chr(ord("G") + n): n + 1 for n in range(19)} | {
    chr(ord("g") + n): 20 * (n + 1) for n in range(20)
}


def decode(
    kind: str, total: int, row_bytes: int, data: bytes, limits: tuple[int, int]
) -> Image.Image:
    """The ink mask of ``^GF{kind},…,{total},{row_bytes},{data}``.

    ``limits`` is the largest (width, height) in dots a graphic may have.
    """
    width, height = _size(total, row_bytes, limits)
    if kind == "B":
        raw = bytes(data[:total]).ljust(total, b"\0")
    elif kind == "A":
        raw = _ascii(data.decode("latin-1"), total, row_bytes)
    else:
        raise ValueError(f"^GF{kind}: only the A (ASCII) and B (binary) formats are supported")
    return Image.frombytes("1", (width, height), raw)


def _size(total: int, row_bytes: int, limits: tuple[int, int]) -> tuple[int, int]:
    if row_bytes <= 0 or total <= 0:
        raise ValueError(f"^GF needs positive byte counts, got total={total} row={row_bytes}")
    width, height = row_bytes * 8, -(-total // row_bytes)
    if width > limits[0] or height > limits[1]:
        raise ValueError(
            f"^GF of {width}×{height} dots is larger than the {limits[0]}×{limits[1]} allowed"
        )
    return width, height


def _ascii(text: str, total: int, row_bytes: int) -> bytes:
    compressed = _ZB64.match(text.strip())
    if compressed:
        return _zb64(compressed[1], compressed[2], compressed[3], total)
    return _acs(text, total, row_bytes)


def _zb64(kind: str, encoded: str, crc: str, total: int) -> bytes:
    """``:Z64:``/``:B64:`` data after checking its CRC-16/XMODEM (over the base64 text)."""
    encoded = "".join(encoded.split())
    if crc16_xmodem(encoded.encode("ascii")) != int(crc, 16):
        raise ValueError(f"^GF :{kind}: CRC mismatch: the data is damaged (CRC {crc})")
    try:
        payload = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise ValueError(f"^GF :{kind}: data is not base64: {error}") from error
    if kind == "B64":
        return payload[:total].ljust(total, b"\0")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(payload, total)
    except zlib.error as error:
        raise ValueError(f"^GF :Z64: data does not inflate: {error}") from error
    return raw.ljust(total, b"\0")


def _acs(text: str, total: int, row_bytes: int) -> bytes:
    """Hex with ZPL's ASCII compression; stops at ``total`` bytes."""
    text = "".join(text.split())
    if len(text) % 2 == 0 and _PLAIN_HEX.fullmatch(text):
        return bytes.fromhex(text)[:total].ljust(total, b"\0")
    rows: list[str] = []
    row: list[str] = []
    count = 0
    nibbles = row_bytes * 2
    height = -(-total // row_bytes)
    for char in text:
        if len(rows) >= height:
            break
        if char in _REPEAT:
            count += _REPEAT[char]
        elif char in _HEX:
            row.extend(char * min(max(count, 1), nibbles - len(row)))
            count = 0
        elif char in ",!":
            row.extend(("0" if char == "," else "F") * (nibbles - len(row)))
        elif char == ":" and not row:
            row = list(rows[-1]) if rows else ["0"] * nibbles
        if len(row) >= nibbles:
            rows.append("".join(row))
            row = []
    if row:
        rows.append("".join(row).ljust(nibbles, "0"))
    return bytes.fromhex("".join(rows))[:total].ljust(total, b"\0")
